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


@pytest.mark.parametrize(("text", "message"), [
    ("specs-dir: x\n", "1: key 'specs-dir' looks like specs_dir; write specs_dir"),
    ("protected_branch: [main]\n", "1: key 'protected_branch' looks like protected_branches"),
    ("Deadlines: {}\n", "1: key 'Deadlines' looks like deadlines; write deadlines"),
    ("g\u0430tes: {}\n", "1: key 'g\\u0430tes' looks like gates (look-alike characters)"),
    ("gates\u200b: {}\n", "1: key 'gates\\u200b' looks like gates (invisible characters)"),
    ("deadlines:\n  post_mortem: 2h\n", "2: deadline 'post_mortem' looks like post-mortem"),
    ("deadlines:\n  regresion-test: 2h\n", "2: deadline 'regresion-test' looks like "
                                           "regression-test; write regression-test"),
    ("gates:\n  severity: off\n  quick_review: warn\n",
     "3: gate 'quick_review' looks like quick-review; write quick-review"),
    ("gates:\n  severity: {levle: off}\n", "2: setting 'levle' looks like level; write level"),
    ("gates:\n  severity:\n    level: off\n    waiveable: false\n",
     "4: setting 'waiveable' looks like waivable"),
    ("gates: {speed: error}\n", "1: unknown gate 'speed'; see `hotfix-gate gates` for the list"),
])
def test_near_misses_name_the_key_they_look_like(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(f".hotfix-gates.yaml:{message}"), str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ("deadlines:\n  post-mortem: 48h\n  post-mortem: 1m\n",
     "3: key 'post-mortem' is written twice (first on line 2); keep one"),
    ("gates:\n  severity:\n    level: error\n    level: off\n",
     "4: key 'level' is written twice (first on line 3); keep one"),
    ("deadlines:\n  post-mortem: 48h\n  HG201: 1m\n",
     "3: deadlines: 'HG201' and 'post-mortem' (line 2) set the same thing; keep one"),
    ("deadlines: {resolution: 72h, open-incident: 999d}\n",
     "1: deadlines: 'open-incident' and 'resolution' (line 1) set the same thing"),
    ("gates:\n  quick-review: error\n  hg103: off\n",
     "3: gates: 'hg103' and 'quick-review' (line 2) set the same thing; keep one"),
    ("targets: {P0: 1h, p0: 9d}\n", "1: targets: 'p0' and 'P0' (line 1) set the same thing"),
])
def test_two_entries_for_one_thing_are_refused_with_both_lines(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(f".hotfix-gates.yaml:{message}"), str(caught.value)


@pytest.mark.parametrize(("text", "message"), [
    ('specs_dir: "specs/hotfix\\u200b"\n', "1: specs_dir 'specs/hotfix\\u200b' holds invisible"),
    ("protected_branches:\n  - main\n  - \"rel\\u0435ase/*\"\n",
     "3: branch 'rel\\u0435ase/*' holds invisible or look-alike characters"),
])
def test_invisible_or_look_alike_paths_are_refused(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    assert str(caught.value).startswith(f".hotfix-gates.yaml:{message}"), str(caught.value)


def test_ordinary_configurations_still_read() -> None:
    config = parse_config("deadlines: {HG201: 2d, regression-test: 3d}\n"
                          "gates: {HG103: error, post-mortem: {level: warn, waivable: false}}\n"
                          "protected_branches: [main, 'release/*', \u4e3b\u5e72]\n")
    assert config.levels.keys() == {"HG103", "HG201"} and config.not_waivable == {"HG201"}
