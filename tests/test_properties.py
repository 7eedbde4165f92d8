"""Property-based tests: any input gives a result, a finding or the declared
error, never another exception."""

from __future__ import annotations

import importlib
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_gates.model.constants import MILESTONES, SEVERITIES, STATUSES
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import (
    format_duration,
    format_timestamp,
    parse_duration,
    parse_timestamp,
)
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem, split_front_matter
from hotfix_gates.parsing.markdown import find_section, has_content, meaningful_text, split_sections
from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

FAST = settings(max_examples=int(os.environ.get("HOTFIX_GATE_EXAMPLES", "150")), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
PATH, FOLDER = "specs/hotfix/001-x/hotfix.md", "specs/hotfix/001-x"

# Text that looks like YAML front matter more often than random text does.
yamlish = st.lists(st.sampled_from([*"ab:- \n[]{}&*!|>'\"#%@`,?0123456789.TZ\t\r",
                                    "\x00", "\x1b", "é", "\ufeff", "\u202e", "---",
                                    "!!python/object:os.system", "<<", "~", "null",
                                    "severity", "status", "P0"]),
                   max_size=120).map("".join)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=40), st.datetimes(), st.dates(),
                    st.sampled_from([*SEVERITIES, *STATUSES, "2025-10-01T14:32:18Z", "p1", ""]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=12)
KEYS = ["id", "title", "branch", "severity", "status", *MILESTONES, "rollback_plan",
        "reviewed_by", "regression_tests", "waivers", "extra"]


def check_record(record: HotfixRecord, findings: list[Any], data: bytes) -> None:
    assert isinstance(record, HotfixRecord)
    lines = data.count(b"\n") + 1
    for finding in findings:
        assert finding.code == "HG001"
        assert 1 <= finding.line <= max(lines, 1), (finding, lines)
        assert "\n" not in finding.text()
    assert record.severity in (None, *SEVERITIES)
    assert record.status in (None, *STATUSES)
    assert all(isinstance(t, str) for t in record.regression_tests)
    for key in MILESTONES:
        moment = getattr(record, key)
        assert moment is None or (isinstance(moment, datetime) and moment.tzinfo is not None)
    if record.invalid:
        assert any(f.level.value == "error" for f in findings)


@FAST
@given(yamlish)
def test_load_mapping_any_text(text: str) -> None:
    try:
        mapping = load_mapping(text, 2)
    except YamlProblem as problem:
        assert problem.line >= 2 and "\n" not in problem.message
        return
    assert all(isinstance(key, str) for key in mapping.values)
    assert set(mapping.lines) == set(mapping.values)


@FAST
@given(st.text(max_size=200))
def test_load_mapping_any_unicode(text: str) -> None:
    try:
        load_mapping(text)
    except YamlProblem as problem:
        assert "\n" not in problem.message


@FAST
@given(st.binary(max_size=400))
def test_parse_hotfix_any_bytes(data: bytes) -> None:
    record, findings = parse_hotfix(PATH, FOLDER, data)
    check_record(record, findings, data)


@FAST
@given(yamlish, st.text(max_size=200))
def test_parse_hotfix_any_front_matter_text(front: str, body: str) -> None:
    data = f"---\n{front}\n---\n{body}".encode("utf-8", "surrogatepass")
    record, findings = parse_hotfix(PATH, FOLDER, data)
    check_record(record, findings, data)


@settings(FAST, max_examples=max(FAST.max_examples // 3, 10))  # nested values are slow to draw
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_parse_hotfix_any_mapping(fields: dict[str, Any]) -> None:
    text = yaml.safe_dump(fields, allow_unicode=True)
    data = f"---\n{text}---\n# Hotfix\n".encode("utf-8", "surrogatepass")
    record, findings = parse_hotfix(PATH, FOLDER, data)
    check_record(record, findings, data)
    severity = fields.get("severity")
    if isinstance(severity, str) and severity.strip().upper() in SEVERITIES:
        assert record.severity == severity.strip().upper()


@FAST
@given(st.binary(max_size=400) | yamlish.map(lambda t: ("---\n" + t).encode("utf-8",
                                                                          "surrogatepass")))
def test_parse_post_mortem_any_bytes(data: bytes) -> None:
    post, problem, line = parse_post_mortem("post-mortem.md", data)
    assert (post is None) == (problem is not None)
    assert line >= 1
    if post is not None:
        assert all(section.line >= 1 for section in post.sections.values())


@FAST
@given(st.text(max_size=30))
def test_parse_duration_any_text(text: str) -> None:
    try:
        delta = parse_duration(text)
    except TimeError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 200
        return
    assert timedelta(0) <= delta <= timedelta(days=3660)


@FAST
@given(st.integers(0, 10_000), st.sampled_from("wdhm"))
def test_parse_duration_round_numbers(count: int, unit: str) -> None:
    minutes = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}[unit] * count
    try:
        assert parse_duration(f"{count}{unit}") == timedelta(minutes=minutes)
    except TimeError:
        assert minutes > 10 * 365 * 24 * 60


@FAST
@given(st.one_of(st.text(max_size=40), st.datetimes(), st.dates(), st.integers(),
                 st.floats(), st.none(), st.lists(st.integers(), max_size=2),
                 st.datetimes(timezones=st.timezones())))
def test_parse_timestamp_anything(value: object) -> None:
    try:
        moment, naive = parse_timestamp(value)
    except TimeError as exc:
        assert "\n" not in str(exc)
        return
    assert moment.tzinfo is not None and moment.utcoffset() == timedelta(0)
    # The deadline arithmetic the gates do never overflows.
    assert moment + timedelta(days=3660) > moment - timedelta(days=3660)
    assert isinstance(naive, bool)


@FAST
@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(8999, 1, 1)))
def test_timestamps_round_trip(moment: datetime) -> None:
    aware = moment.replace(tzinfo=UTC, microsecond=0)
    assert parse_timestamp(format_timestamp(aware)) == (aware, False)


@FAST
@given(st.timedeltas(min_value=timedelta(days=-4000), max_value=timedelta(days=4000)))
def test_format_duration_any(delta: timedelta) -> None:
    assert format_duration(delta)


markdownish = st.lists(st.sampled_from([*"#[]()<!->|:`*_ \n\tabcXYZ019",
                                        "TODO", "```", "<!--", "-->", "## ",
                                        "[PLACEHOLDER]", "| --- |", "- [ ] "]),
                       max_size=150).map("".join)


@FAST
@given(markdownish)
def test_markdown_any_text(text: str) -> None:
    kept = meaningful_text(text)
    assert has_content(text) == bool(kept)
    # What is kept was written there (comments taken out of a line; a code
    # block's `# a` is content as code, and need not survive a second reading).
    assert set(kept) - set(" \t\n") <= set(text)
    assert "<!--" not in kept or "<!--" in text
    sections = split_sections(text, 5)
    for section in sections:
        assert section.line >= 5
        assert find_section(sections, section.title) is not None


@FAST
@given(st.text(max_size=200))
def test_split_front_matter_any_text(text: str) -> None:
    try:
        block = split_front_matter(text)
    except Exception as exc:  # noqa: BLE001 - only the two declared outcomes are allowed
        assert type(exc).__name__ in ("NoFrontMatter", "UnclosedFrontMatter")
        return
    assert block.end_line > block.start_line and block.yaml_line == block.start_line + 1


def _optional(module: str, attribute: str) -> Any:
    try:
        return getattr(importlib.import_module(module), attribute)
    except (ImportError, AttributeError):
        pytest.skip(f"{module}.{attribute} is not built yet")


@FAST
@given(st.text(max_size=300))
def test_slugger_any_description(description: str) -> None:
    slugify = _optional("hotfix_gates.editing.slug", "slugify")
    slug = slugify(description)
    assert slug and all(c.isascii() and (c.islower() or c.isdigit() or c == "-") for c in slug)
    assert not slug.startswith("-") and not slug.endswith("-") and "--" not in slug


@FAST
@given(st.text(max_size=2000))
def test_legacy_reader_any_text(text: str) -> None:
    read_legacy = _optional("hotfix_gates.parsing.speckit", "read_legacy_hotfix")
    data = ("**Hotfix ID**: hotfix-001\n" + text).encode("utf-8", "surrogatepass")
    record, findings = parse_hotfix(PATH, FOLDER, data)
    assert callable(read_legacy)
    check_record(record, findings, data)


edit_values = st.one_of(st.none(), st.sampled_from([*SEVERITIES, "x\nseverity: P0", "---", "'"]),
                        st.text(max_size=60), st.lists(st.text(max_size=20), max_size=3))


@FAST
@given(st.binary(max_size=300) | yamlish.map(lambda t: f"---\n{t}\n---\n# Hotfix\n".encode(
    "utf-8", "surrogatepass")), st.sampled_from(["severity", "rollback_plan", "reviewed_by",
                                                 "regression_tests", "title"]), edit_values)
def test_fmedit_set_key_any_record(data: bytes, key: str, value: object) -> None:
    fmedit = _optional("hotfix_gates.editing.frontmatter", "EditError")
    from hotfix_gates.editing import frontmatter as module

    try:
        out = module.set_key(data, key, value)
    except fmedit:
        return
    after = module.front_matter_values(out)
    before = module.front_matter_values(data)
    assert set(after) == set(before) | {key}  # no key was added but the one set
    assert after[key] == value or (value is None and after[key] is None)
    # No comment is lost or added, wherever it sat (the edit refuses otherwise).
    from hotfix_gates.editing.comments import find_comments

    def comments(raw: bytes) -> list[str]:
        return sorted(c.text for c in find_comments(split_front_matter(
            raw.decode("utf-8-sig").replace("\r\n", "\n")).yaml_text))

    assert comments(out) == comments(data)


@FAST
@given(st.text(max_size=200))
def test_fmedit_timeline_message_cannot_inject(message: str) -> None:
    fmedit = _optional("hotfix_gates.editing.frontmatter", "EditError")
    from hotfix_gates.editing import frontmatter as module

    data = b"---\nid: hotfix-001\nseverity: null\n---\n# Hotfix\n\n## Timeline\n"
    try:
        out = module.append_timeline_row(data, "2025-10-01T14:00:00Z", message)
    except fmedit:
        return
    assert module.front_matter_values(out) == module.front_matter_values(data)
    added = out[len(data):].decode()
    assert added.count("\n") <= 4 and "\n#" not in added and "\n---" not in added


def test_brackets_in_text_are_not_nesting() -> None:
    # Depth is counted on YAML's tokens: brackets inside quoted or plain text
    # and comments are characters, and a real flow of 33 levels is refused.
    many = "[" * 40
    values = load_mapping(f"title: '{many}'\nplan: undo {many} # {'{' * 40}\n").values
    assert values == {"title": many, "plan": f"undo {many}"}
    with pytest.raises(YamlProblem, match="nested deeper than 32 levels"):
        load_mapping("x: 1\nlist: " + "[" * 33 + "]" * 33 + "\n")
