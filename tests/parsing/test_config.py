"""`.hotfix-gates.yaml` cannot be fooled either: a near miss or a look-alike
of a known key, at any level, and two entries that set the same thing are
one line naming the line and the fix."""

from __future__ import annotations

import pytest

from hotfix_gates.model.errors import ConfigError
from hotfix_gates.parsing.config import parse_config


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
