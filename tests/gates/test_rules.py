"""What counts as relaxing the rules in force (HG207), and whose consent lifts it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotfix_gates.gates.builtin import GATES
from hotfix_gates.gates.rules import accepted, weakenings
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Level
from hotfix_gates.parsing.config import parse_config

KEPT = {"protected_branches": "[main, 'release/*']", "deadlines": "{post-mortem: 24h}",
        "gates": "{quick-review: error, post-mortem: {waivable: false}}"}
STRICT = parse_config("".join(f"{key}: {value}\n" for key, value in KEPT.items()))


@pytest.mark.parametrize(("key", "value", "phrase"), [
    ("specs_dir", "elsewhere", "specs_dir moves from specs/hotfix to elsewhere"),
    ("protected_branches", "[main]", "protected_branches drops release/*"),
    ("protected_branches", "['m*', 'release/*']", "protected_branches drops main"),
    ("deadlines", "{post-mortem: 25h}", "deadlines.post-mortem 24h -> 25h"),
    ("deadlines", "{post-mortem: 24h, regression-test: 49h}",
     "deadlines.regression-test 48h -> 49h"),
    ("gates", "{quick-review: warn, post-mortem: {waivable: false}}",
     "HG103 quick-review error -> warn"),
    ("gates", "{quick-review: error, post-mortem: {waivable: false}, HG301: off}",
     "HG301 unique-id error -> off"),
    ("gates", "{quick-review: error, post-mortem: {waivable: false}, rules-kept: warn}",
     "HG207 rules-kept error -> warn"),
    ("gates", "{quick-review: error, post-mortem: {waivable: true}}", "HG201 becomes waivable"),
])
def test_each_relaxation_is_named_alone(key: str, value: str, phrase: str) -> None:
    text = "".join(f"{k}: {v}\n" for k, v in {**KEPT, key: value}.items())
    assert weakenings(STRICT, parse_config(text), GATES) == [phrase]


def test_tightening_and_the_same_rules_are_not_relaxing() -> None:
    assert weakenings(STRICT, STRICT, GATES) == []
    tighter = parse_config("protected_branches: [main, 'release/*', 'stable/*']\n"
                           "deadlines: {post-mortem: 12h, regression-test: 24h}\n"
                           "gates: {quick-review: error, post-mortem: {waivable: false}}\n")
    assert weakenings(STRICT, tighter, GATES) == []
    assert weakenings(Config(), Config(levels={"HG103": Level.ERROR}), GATES) == []


def test_the_defaults_are_rules_too() -> None:
    """A deleted file means the defaults: laxer than a stricter file in force."""
    assert weakenings(STRICT, Config(), GATES) == [
        "deadlines.post-mortem 24h -> 48h", "HG103 quick-review error -> warn",
        "HG201 becomes waivable"]
    stretched = Config(deadlines={"post-mortem": timedelta(days=3650)})
    assert weakenings(Config(), stretched, GATES) == ["deadlines.post-mortem 48h -> 3650d"]


def test_a_blob_id_is_accepted_in_full_only() -> None:
    """An abbreviation names every file whose id starts with it: seven digits
    are 2**28 tries to grind a relaxed file that matches, twelve a night on a
    graphics card."""
    blob = "0e4de3397c4d9a1b2c3d4e5f60718293a4b5c6d7"
    assert accepted(blob, frozenset({blob}))
    assert not accepted(blob, frozenset({"0e4de33"}))
    assert not accepted(blob, frozenset({blob[:12], blob[:39]}))
    assert not accepted(blob, frozenset({"", "1e4de3397c4d"}))
