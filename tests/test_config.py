"""`.hotfix-gates.yaml`: defaults, every key, and one clear line for bad input."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotfix_gates.model.config import Config
from hotfix_gates.model.errors import ConfigError
from hotfix_gates.model.finding import Level
from hotfix_gates.parsing.config import parse_config


def test_defaults() -> None:
    config = Config()
    assert config.specs_dir == "specs/hotfix"
    assert config.is_protected("main") and config.is_protected("release/2025.10")
    assert config.is_protected("refs/heads/production")
    assert not config.is_protected("hotfix/001-x") and not config.is_protected("feature/main")
    assert config.deadline("post-mortem") == timedelta(hours=48)
    assert config.targets["P0"] == timedelta(hours=1)


def test_every_key() -> None:
    config = parse_config(
        "specs_dir: incidents/hotfix/\n"
        "protected_branches: [trunk, 'stable/*']\n"
        "deadlines: {post-mortem: 2d, HG202: 90m, resolution: 5d}\n"
        "gates: {quick-review: error, HG202: {level: warn, waivable: false}, severity: off}\n"
        "targets: {P0: 30m}\n"
    )
    assert config.specs_dir == "incidents/hotfix"
    assert config.is_protected("stable/1.2") and not config.is_protected("main")
    assert config.deadlines == {"post-mortem": timedelta(days=2),
                                "regression-test": timedelta(minutes=90),
                                "resolution": timedelta(days=5)}
    assert config.levels == {"HG103": Level.ERROR, "HG202": Level.WARN, "HG101": Level.OFF}
    assert config.not_waivable == {"HG202"}
    assert config.targets["P0"] == timedelta(minutes=30)
    assert config.targets["P1"] == timedelta(hours=4)


def test_empty_file_means_defaults() -> None:
    assert parse_config("") == Config(source=".hotfix-gates.yaml")


@pytest.mark.parametrize(("text", "message"), [
    ("specs: x\n", ".hotfix-gates.yaml:1: unknown key 'specs'"),
    ("- a\n- b\n", ".hotfix-gates.yaml:1: expected a mapping"),
    ("specs_dir: ../elsewhere\n", "specs_dir: '../elsewhere' leaves the repository"),
    ("specs_dir: /etc\n", "is absolute"),
    ("specs_dir: .git/hooks\n", "must be a folder inside the repository"),
    ("gates: {speed: error}\n", "unknown gate 'speed'"),
    ("gates: {severity: loud}\n", "level must be error, warn or off, not 'loud'"),
    ("gates: {severity: {mode: x}}\n", "unknown setting 'mode'"),
    ("deadlines: {post-mortem: 48}\n", "has no unit; write 48h or 48m"),
    ("deadlines: {post-mortem: two days}\n", "bad duration 'two days'"),
    ("deadlines: {severity: 1h}\n", "unknown deadline 'severity'"),
    ("targets: {P9: 1h}\n", "unknown severity 'P9'"),
    ("protected_branches: {main: 1}\n", "protected_branches must be a list"),
    ("a: [\n", "invalid YAML"),
    ("x: !!python/object/apply:os.system [ls]\n", "is not allowed"),
])
def test_bad_configuration(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)
