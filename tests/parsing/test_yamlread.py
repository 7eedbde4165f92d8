"""The YAML reader: every tag PyYAML would resolve is handled or refused with
its line, keys written twice are refused at any depth, lines are kept for
nested keys and items, and reading is linear in the input."""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_gates.model.errors import ConfigError
from hotfix_gates.parsing.config import parse_config
from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.parsing.yamlread import YamlList, YamlMap, YamlProblem, load_mapping

FAST = settings(max_examples=int(os.environ.get("HOTFIX_GATE_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow])
PATH, FOLDER = "specs/hotfix/001-x/hotfix.md", "specs/hotfix/001-x"

# Every tag a hand-written record might carry: YAML's own, PyYAML's object
# tags, a local tag, verbatim tags and the non-specific `!`.
TAGS = ["!!bool", "!!timestamp", "!!int", "!!float", "!!null", "!!str", "!!binary", "!!omap",
        "!!pairs", "!!set", "!!merge", "!!seq", "!!map", "!!value", "!!yaml",
        "!!python/object:os.system", "!!python/object/apply:os.system", "!!python/name:os.getcwd",
        "!!python/tuple", "!!python/str", "!foo", "!<tag:yaml.org,2002:bool>",
        "!<tag:example.com,2025:incident>", "!"]
# Tags that add nothing to a word such as `P0`: the text is read as written.
NEUTRAL = {"!!str", "!"}
VALUES = ["p0", "P0", "yes", "off", "1", "0x1f", "1.5", ".inf", "~", "null", "2025-10-01",
          "2025-10-01T16:00:00Z", "soon", "=", "<<", "", "aGVsbG8="]


def positions(tag: str, value: str) -> dict[str, tuple[str, int]]:
    """Front matter with the tagged value in each position that matters, and its line."""
    return {
        "key": (f"id: hotfix-001\n{tag} severity: P0\n", 3),
        "value": (f"id: hotfix-001\nseverity: {tag} {value}\n", 3),
        "list item": (f"id: hotfix-001\nregression_tests:\n  - tests/a.py\n  - {tag} {value}\n", 5),
        "flow item": (f"id: hotfix-001\nregression_tests: [tests/a.py, {tag} {value}]\n", 3),
        "waiver": (f"waivers:\n- gate: HG201\n  reason: {tag} {value}\n", 4),
    }


@pytest.mark.parametrize("tag", TAGS)
@pytest.mark.parametrize("where", ["key", "value", "list item", "flow item", "waiver"])
def test_every_tag_in_a_record_is_read_or_a_finding_at_its_line(tag: str, where: str) -> None:
    text, line = positions(tag, "p0")[where]
    record, findings = parse_hotfix(PATH, FOLDER, f"---\n{text}---\n# Hotfix\n".encode())
    assert all("\n" not in f.text() and len(f.message) < 160 for f in findings)
    if tag in NEUTRAL:  # read exactly as the same text without the tag
        untagged = text.replace(f"{tag} ", "", 1)
        assert (record, findings) == parse_hotfix(PATH, FOLDER,
                                                  f"---\n{untagged}---\n# Hotfix\n".encode())
        return
    errors = [f for f in findings if f.code == "HG001" and f.level.value == "error"]
    assert any(f.line == line for f in errors), (tag, where, findings)


@pytest.mark.parametrize("tag", TAGS)
def test_every_tag_in_the_configuration_is_one_line_with_its_line(tag: str) -> None:
    texts = {
        "key": (f"{tag} specs_dir: specs/hotfix\n", 1),
        "value": (f"specs_dir: specs/hotfix\ngates:\n  quick-review: {tag} p0\n", 3),
        "list item": (f"protected_branches:\n  - main\n  - {tag} p0\n", 3),
        "deadline": (f"deadlines: {{post-mortem: {tag} p0}}\n", 1),
    }
    for where, (text, line) in texts.items():
        if tag in NEUTRAL:  # read exactly as the same text without the tag
            assert _config(text) == _config(text.replace(f"{tag} ", "", 1)), (tag, where)
            continue
        message = _config(text)
        assert isinstance(message, str), (tag, where)
        assert "\n" not in message and message.startswith(f".hotfix-gates.yaml:{line}: ")


def _config(text: str) -> object:
    """The configuration, or the one line of its ConfigError."""
    try:
        return parse_config(text)
    except ConfigError as exc:
        return str(exc)


@pytest.mark.parametrize(("text", "message"), [
    ("a: !!bool p0", "'p0' is not a !!bool value; remove the tag"),
    ("a: !!timestamp soon", "'soon' is not a !!timestamp value; remove the tag"),
    ("a: !!null 2025-10-01", "'2025-10-01' is not a !!null value; remove the tag"),
    ("a: !!float 1", "'1' is not a !!float value; remove the tag"),
    ("a: !!binary aGVsbG8=", "YAML tag !!binary is not allowed; remove it"),
    ("a: !!set {x}", "YAML tag !!set is not allowed on a mapping; remove it"),
    ("a: !!omap [x: 1]", "YAML tag !!omap is not allowed on a list; remove it"),
    ("<<: {a: 1}", "YAML merge keys (<<) are not allowed; write the keys out"),
    ("a: !<tag:example.com,2025:x> y", "YAML tag !<tag:example.com,2025:x> is not allowed"),
    ("a: !!python/object/apply:os.system [id]", "!!python/object/apply:os.system is not"),
])
def test_tag_messages(text: str, message: str) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_mapping(text, 4)
    assert caught.value.line == 4 and message in caught.value.message


@pytest.mark.parametrize(("text", "value"), [
    ("a: !!bool yes", True), ("a: !!int 0x1f", 31), ("a: !!int '5'", 5), ("a: !!str 5", "5"),
    ("a: !!null ~", None), ("a: =", "="), ("a: 2025-13-45", "2025-13-45"),
    ("a: !!timestamp 2025-10-01T16:00:00Z", "2025-10-01 16:00:00+00:00"),
])
def test_tags_that_agree_with_their_text_are_read(text: str, value: object) -> None:
    got = load_mapping(text).values["a"]
    assert (str(got) if "timestamp" in text else got) == value


@FAST
@given(st.sampled_from(TAGS), st.sampled_from(VALUES) | st.text(max_size=12),
       st.sampled_from(["key", "value", "list item", "flow item", "waiver"]))
def test_tags_never_escape_as_exceptions(tag: str, value: str, where: str) -> None:
    text, _ = positions(tag, value)[where]
    data = f"---\n{text}---\n".encode("utf-8", "surrogatepass")
    _, findings = parse_hotfix(PATH, FOLDER, data)  # no exception, whatever the value
    assert all(1 <= f.line <= data.count(b"\n") + 1 and "\n" not in f.text() for f in findings)
    config = f"gates:\n  quick-review: {tag} {value}\ndeadlines: [{tag} {value}]\n"
    try:
        parse_config(config)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(".hotfix-gates.yaml:")


@pytest.mark.parametrize(("text", "line", "first"), [
    ("a: 1\na: 2\n", 2, 1),
    ("w:\n- gate: HG201\n  reason: x\n  gate: HG202\n", 4, 2),
    ("d: {post-mortem: 1h, post-mortem: 2h}\n", 1, 1),
    ("g:\n  severity:\n    level: warn\n    level: off\n", 4, 3),
    ("x: [{a: 1}, {b: 1,\n  b: 2}]\n", 2, 1),
    ("'a': 1\n\"a\": 2\n", 2, 1),
])
def test_keys_written_twice_are_refused_at_any_depth(text: str, line: int, first: int) -> None:
    with pytest.raises(YamlProblem) as caught:
        load_mapping(text)
    assert caught.value.line == line
    assert f"is written twice (first on line {first}); keep one" in caught.value.message


def test_nested_lines_are_kept() -> None:
    mapping = load_mapping("waivers:\n- gate: HG201\n  reason: vendor\n\n- {gate: HG202}\n", 10)
    waivers = mapping.values["waivers"]
    assert isinstance(waivers, YamlList) and waivers.item_lines == [11, 14]
    first = waivers[0]
    assert isinstance(first, YamlMap) and first.line == 11
    assert first.key_lines == {"gate": 11, "reason": 12} and first.line_of("nope") == 11
    assert mapping.lines == {"waivers": 10}


def test_a_record_keeps_plain_values_for_the_parse_cache() -> None:
    import io
    import pickle

    from hotfix_gates.git.cache import _Unpickler

    data = b"---\nid: hotfix-001\nteam: {a: [1, {b: 2}]}\nnotes: [x, [y]]\n---\n"
    record, findings = parse_hotfix(PATH, FOLDER, data)
    assert type(record.extra["team"]) is dict and type(record.extra["notes"]) is list
    assert _Unpickler(io.BytesIO(pickle.dumps((record, findings)))).load() == (record, findings)


HUGE = 100_000


@pytest.mark.parametrize("name", ["plain key", "explicit key", "quoted key", "plain value",
                                  "quoted value", "block value", "digits", "sexagesimal",
                                  "underscores", "deep flow", "deep flow maps", "wide flow",
                                  "many keys"])
def test_reading_is_linear(name: str) -> None:
    big = "k" * HUGE
    text = {
        "plain key": f"{big}: 1\n",
        "explicit key": f"? {big}\n: 1\n",
        "quoted key": f"'{big}': 1\n",
        "plain value": f"title: {'word ' * (HUGE // 5)}\n",
        "quoted value": f"title: \"{big}\"\n",
        "block value": "rollback_plan: |\n" + "  line\n" * (HUGE // 7),
        "digits": f"resolved_at: {'1' * HUGE}x\n",
        "sexagesimal": f"resolved_at: {'1:' * (HUGE // 2)}1.x\n",
        "underscores": f"severity: {'1_' * (HUGE // 2)}\n",
        "deep flow": "severity: " + "[" * HUGE + "]" * HUGE + "\n",
        "deep flow maps": "severity: " + "{a: " * (HUGE // 4) + "1" + "}" * (HUGE // 4) + "\n",
        "wide flow": "regression_tests: [" + "a, " * (HUGE // 3) + "]\n",
        "many keys": "".join(f"k{i}: {i}\n" for i in range(HUGE // 10)),
    }[name]
    data = f"---\n{text}---\n".encode()
    started = time.perf_counter()
    parse_hotfix(PATH, FOLDER, data)
    _config(text)
    assert time.perf_counter() - started < 3, name
