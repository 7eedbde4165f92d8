"""The front-matter editor: one key changes, every other byte stays."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hotfix_gates.editing import frontmatter as fmedit
from hotfix_gates.editing.frontmatter import front_matter_values
from hotfix_gates.editing.yamlemit import Stamp
from hotfix_gates.model.errors import EditError
from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.parsing.values import says_nothing, visible
from testing.edits import COMMENTED_HOTFIX, line_diff

DOC = COMMENTED_HOTFIX.format(number=1, slug="database-connection-pool").encode()


def values(data: bytes) -> dict[str, object]:
    return front_matter_values(data)


def test_scalar_replaced_on_its_line_only_and_its_comment_kept() -> None:
    out = fmedit.set_key(DOC, "severity", "P1")
    assert line_diff(DOC, out) == ([b"severity: null   # P0, P1 or P2\n"],
                                   [b"severity: P1   # P0, P1 or P2\n"])
    record, findings = parse_hotfix("hotfix.md", "", out)
    assert record.severity == "P1" and not findings


@pytest.mark.parametrize(("key", "value", "line"), [
    ("status", "fix-deployed", b"status: fix-deployed\n"),
    ("detected_at", Stamp("2025-10-01T14:05:00Z"), b"detected_at: 2025-10-01T14:05:00Z\n"),
    ("reviewed_by", "Ana Ruiz", b"reviewed_by: Ana Ruiz  # P1/P2 need a quick review\n"),
    ("reviewed_by", "yes", b"reviewed_by: 'yes'  # P1/P2 need a quick review\n"),
    ("title", "Pool: exhausted # again", b"title: 'Pool: exhausted # again'\n"),
])
def test_each_key_changes_one_line(key: str, value: object, line: bytes) -> None:
    out = fmedit.set_key(DOC, key, value)
    removed, added = line_diff(DOC, out)
    assert len(removed) == 1 and removed[0].startswith(key.encode() + b":")
    assert added == [line]
    assert values(out)[key] == (datetime(2025, 10, 1, 14, 5, tzinfo=UTC)
                                if isinstance(value, Stamp) else value)


def test_a_value_cannot_inject_a_key() -> None:
    evil = "Ana\nstatus: closed\nseverity: P0"
    out = fmedit.set_key(DOC, "reviewed_by", evil)
    record, _ = parse_hotfix("hotfix.md", "", out)
    assert record.reviewed_by == evil
    assert record.status == "investigating" and record.severity is None
    assert b"\nstatus: closed" not in out


def test_an_injected_severity_is_refused_not_written() -> None:
    with pytest.raises(EditError, match="would not be valid"):
        fmedit.set_key(DOC, "severity", "P1\nstatus: closed")


def test_multi_line_text_becomes_a_literal_block() -> None:
    out = fmedit.set_key(DOC, "rollback_plan", "git revert abc123\nredeploy: make deploy")
    removed, added = line_diff(DOC, out)
    assert removed == [b"rollback_plan: null\n"]
    assert added == [b"rollback_plan: |-\n", b"  git revert abc123\n",
                     b"  redeploy: make deploy\n"]
    # ... and a block value is replaced whole, the blank line after it kept.
    doc = out.replace(b"reviewed_by:", b"\nreviewed_by:")
    again = fmedit.set_key(doc, "rollback_plan", "revert")
    assert line_diff(doc, again) == (added, [b"rollback_plan: revert\n"])


def test_block_list_value_replaced_whole() -> None:
    doc = DOC.replace(b"regression_tests: []\n",
                      b"regression_tests:  # guard the fix\n  - tests/a.py\n  - tests/b.py\n")
    out = fmedit.set_key(doc, "regression_tests", ["tests/c.py::test_pool"])
    assert line_diff(doc, out) == ([b"  - tests/a.py\n", b"  - tests/b.py\n"],
                                   [b"- tests/c.py::test_pool\n"])
    assert b"regression_tests:  # guard the fix\n- tests/c.py" in out
    assert values(out)["regression_tests"] == ["tests/c.py::test_pool"]


def test_missing_key_goes_after_its_neighbour() -> None:
    doc = DOC.replace(b"reviewed_by: null  # P1/P2 need a quick review\n", b"")
    out = fmedit.set_key(doc, "reviewed_by", "Bo")
    assert line_diff(doc, out) == ([], [b"reviewed_by: Bo\n"])
    assert out.index(b"reviewed_by: Bo") > out.index(b"rollback_plan: null")
    assert out.index(b"reviewed_by: Bo") < out.index(b"regression_tests")


def test_missing_key_in_an_empty_front_matter() -> None:
    assert fmedit.set_key(b"---\n---\nbody\n", "severity", "P0") == (
        b"---\nseverity: P0\n---\nbody\n")
    assert fmedit.set_key(b"---\nowner: x\n---\n", "severity", "P0") == (
        b"---\nowner: x\nseverity: P0\n---\n")


def test_crlf_and_bom_are_kept() -> None:
    doc = b"\xef\xbb\xbf" + DOC.replace(b"\n", b"\r\n")
    out = fmedit.set_key(doc, "rollback_plan", "revert\nredeploy")
    assert out.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert line_diff(doc, out) == ([b"rollback_plan: null\r\n"],
                                   [b"rollback_plan: |-\r\n", b"  revert\r\n", b"  redeploy\r\n"])
    appended = fmedit.append_timeline_row(out, "2025-10-01T14:10:00Z", "paged DBA")
    assert line_diff(out, appended) == ([], [b"| 2025-10-01T14:10:00Z | paged DBA |\r\n"])


def test_waiver_appended_to_missing_empty_null_and_block_lists() -> None:
    item = {"gate": "HG201", "reason": "vendor", "by": "A <a@x>",
            "at": Stamp("2025-10-01T15:00:00Z"), "until": None}
    first = fmedit.append_item(DOC, "waivers", item)
    removed, added = line_diff(DOC, first)
    assert removed == [] and added[0] == b"waivers:\n" and b"  reason: vendor\n" in added
    assert first.index(b"waivers:") > first.index(b"regression_tests")
    second = fmedit.append_item(first, "waivers", {**item, "gate": "HG202"})
    removed, added = line_diff(first, second)
    assert removed == [] and added[0] == b"- gate: HG202\n"
    assert [w["gate"] for w in values(second)["waivers"]] == ["HG201", "HG202"]  # type: ignore[attr-defined]
    for empty in (b"waivers: []  # audited\n", b"waivers:\n", b"waivers: null\n"):
        doc = DOC.replace(b"regression_tests: []\n", b"regression_tests: []\n" + empty)
        out = fmedit.append_item(doc, "waivers", item)
        head, tail = doc.split(empty)
        key_line = b"waivers:" + (b"  # audited" if b"#" in empty else b"") + b"\n"
        assert out.startswith(head + key_line + b"- gate: HG201\n") and out.endswith(tail)
        assert len(values(out)["waivers"]) == 1  # type: ignore[arg-type]


def test_waiver_appended_to_an_indented_list_keeps_its_indent() -> None:
    doc = DOC.replace(b"regression_tests: []\n", b"regression_tests: []\nwaivers:\n"
                      b"  - gate: HG202  # first\n    reason: later\n    by: bo\n"
                      b"    at: 2025-10-01T15:00:00Z\n\n# trailing note\n")
    out = fmedit.append_item(doc, "waivers", {"gate": "HG201", "reason": "r", "by": "bo",
                                              "at": Stamp("2025-10-01T15:00:00Z")})
    removed, added = line_diff(doc, out)
    assert removed == [] and added == [b"  - gate: HG201\n", b"    reason: r\n", b"    by: bo\n",
                                       b"    at: 2025-10-01T15:00:00Z\n"]
    assert out.index(b"reason: r\n") < out.index(b"# trailing note")


def test_unusual_layouts_are_refused() -> None:
    with pytest.raises(EditError, match="by hand"):
        fmedit.set_key(b"---\n{id: x, severity: null}\n---\n", "severity", "P1")
    with pytest.raises(EditError, match="by hand"):
        fmedit.set_key(b"---\n  id: x\n  severity: null\n---\n", "severity", "P1")
    with pytest.raises(EditError, match="no front matter"):
        fmedit.set_key(b"# Hotfix\n", "severity", "P1")
    with pytest.raises(EditError, match="not a list"):
        fmedit.append_item(b"---\nwaivers: yes\n---\n", "waivers", {"gate": "HG201"})


def test_verify_refuses_any_other_change() -> None:
    tampered = DOC.replace(b"severity: null", b"severity: P1").replace(b"status: investigating",
                                                                      b"status: resolved")
    with pytest.raises(EditError, match="status"):
        fmedit.verify(DOC, tampered, {"severity": "P1"})
    body_changed = DOC.replace(b"Checkout returns", b"Checkout gives")
    with pytest.raises(EditError, match="body"):
        fmedit.verify(DOC, body_changed, {})
    fmedit.verify(DOC, DOC.replace(b"severity: null", b"severity: P1"), {"severity": "P1"})


# --- the timeline -----------------------------------------------------------------

def test_row_goes_after_the_tables_last_row() -> None:
    out = fmedit.append_timeline_row(DOC, "2025-10-01T14:32:18Z", "Rolled back | pool=50\nok")
    assert line_diff(DOC, out) == (
        [], [b"| 2025-10-01T14:32:18Z | Rolled back \\| pool=50<br>ok |\n"])
    assert out.index(b"pool=50") < out.index(b"## Notes")


def test_row_fills_a_wider_table() -> None:
    doc = DOC.replace(b"| Time (UTC) | Event |\n| --- | --- |\n| 2025-10-01T14:00:00Z | Alerts "
                      b"fired for 503s |", b"| Time | Event | Who |\n|:---|---|---|")
    out = fmedit.append_timeline_row(doc, "T", "m")
    assert line_diff(doc, out) == ([], [b"| T | m |  |\n"])


def test_missing_timeline_section_is_appended() -> None:
    doc = b"---\nid: hotfix-001\n---\n# Hotfix\n\n```\n## Timeline\n```\nlast line"
    out = fmedit.append_timeline_row(doc, "T", "m")
    assert out == doc + b"\n\n## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n| T | m |\n"


def test_timeline_section_without_a_table_gets_one() -> None:
    doc = b"---\nid: hotfix-001\n---\n## Timeline\n- 14:00 alerts\n\n## Next\ntext\n"
    out = fmedit.append_timeline_row(doc, "T", "m")
    assert out == (b"---\nid: hotfix-001\n---\n## Timeline\n- 14:00 alerts\n\n"
                   b"| Time (UTC) | Event |\n| --- | --- |\n| T | m |\n\n## Next\ntext\n")


def test_empty_message_is_refused() -> None:
    with pytest.raises(EditError, match="empty"):
        fmedit.append_timeline_row(DOC, "T", " \n ")


# --- the property: bytes outside the edited key never change -----------------------

def _text_forms(key: str) -> st.SearchStrategy[list[str]]:
    word = st.sampled_from(["alpha", "Beta two", "x-ray 42", "café"])
    return st.one_of(
        st.sampled_from([[f"{key}: null"], [f"{key}: ~"], [f"{key}:"]]),
        word.map(lambda w: [f"{key}: {w}"]),
        word.map(lambda w: [f"{key}: '{w}'"]),
        word.map(lambda w: [f'{key}: "{w}"']),
        word.map(lambda w: [f"{key}: {w}", f"  continued {w}"]),
        word.map(lambda w: [f"{key}: |", f"  {w}", "  # inside the block"]),
        word.map(lambda w: [f"{key}: >-", f"  {w}", f"  {w}"]),
        # comment lines between the key and its value
        word.map(lambda w: [f"{key}:", "  # between", f"  {w}"]),
        word.map(lambda w: [f"{key}:", "# at the margin", "", f"  {w}  # after"]),
    )


def _list_forms(key: str) -> st.SearchStrategy[list[str]]:
    return st.sampled_from([
        [f"{key}: []"], [f"{key}: [tests/a.py, 'tests/b.py']"],
        [f"{key}:", "- tests/a.py"], [f"{key}:", "  - tests/a.py", "  - tests/b.py::t"],
        # comments inside flow lists spanning lines and between block items
        [f"{key}: [tests/a.py,  # first", "  # second", "  tests/b.py]"],
        [f"{key}:", "  # the first", "  - tests/a.py  # flaky", "  # the second",
         "  - tests/b.py"],
    ])


FORMS: dict[str, st.SearchStrategy[list[str]]] = {
    "id": st.sampled_from([["id: hotfix-001"], ['id: "hotfix-001"']]),
    "title": _text_forms("title"),
    "severity": st.sampled_from([["severity: null"], ["severity: P0"], ["severity: 'P2'"]]),
    "status": st.sampled_from([["status: investigating"], ['status: "resolved"']]),
    "incident_start": st.sampled_from([["incident_start: 2025-10-01T14:00:00Z"],
                                       ["incident_start: '2025-10-01T14:00:00+02:00'"]]),
    "detected_at": st.sampled_from([["detected_at: null"],
                                    ["detected_at: 2025-10-01T14:05:00Z"],
                                    ["detected_at:", "  # set by `detected`", "  null"]]),
    "rollback_plan": _text_forms("rollback_plan"),
    "reviewed_by": _text_forms("reviewed_by"),
    "regression_tests": _list_forms("regression_tests"),
    "owner": _text_forms("owner"),
    "waivers": st.sampled_from([
        ["waivers: []"], ["waivers:"],
        ["waivers:", "- gate: HG202", "  reason: later", "  by: bo",
         "  at: 2025-10-01T15:00:00Z", "  until: null"],
        ["waivers:", "  - {gate: HG103, reason: 'P0 skip', by: bo, at: 2025-10-01T15:00:00Z}"]]),
}
FILLER = st.lists(st.sampled_from(["", "# a comment", "#", "# key: not a key"]), max_size=2)


@st.composite
def documents(draw: st.DrawFn) -> tuple[list[tuple[str, list[str]]], list[list[str]]]:
    keys = draw(st.lists(st.sampled_from(sorted(FORMS)), unique=True, max_size=len(FORMS)))
    blocks = []
    for key in keys:
        lines = list(draw(FORMS[key]))
        # A comment may end a one-line value, `key:` above a list, or a block header.
        if (len(lines) == 1 or lines[0].endswith((":", "|", ">-"))) and draw(st.booleans()):
            lines[0] += "  # note"
        blocks.append((key, lines))
    fillers = [draw(FILLER) for _ in range(len(blocks) + 1)]
    return blocks, fillers


EDITS: dict[str, st.SearchStrategy[object]] = {
    "severity": st.sampled_from(["P0", "P1", "P2"]),
    "status": st.sampled_from(["fix-deployed", "resolved"]),
    "detected_at": st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                                timezones=st.just(UTC)).map(Stamp.of),
    "reviewed_by": st.text(max_size=30),
    "rollback_plan": st.text(max_size=60),
    # A title of only invisible characters is refused (HG001), so never written.
    "title": st.text(max_size=30).filter(lambda text: bool(visible(text)) or not text.strip()),
    "owner": st.text(max_size=30),
    "regression_tests": st.lists(st.text(min_size=1, max_size=20), max_size=3),
}


def comments_of(data: bytes) -> list[str]:
    """The front matter's comments, as the scanner-based reader finds them
    (tests/editing/test_comments.py holds that reader to hand-made cases)."""
    from hotfix_gates.editing.comments import find_comments

    front = data.decode().replace("\r\n", "\n").split("\n---\n", 1)[0]
    return [c.text for c in find_comments(front.split("\n", 1)[1] if "\n" in front else "")]


def _norm(value: object) -> object:
    if isinstance(value, str):
        return value.rstrip("\n")
    if isinstance(value, list):
        return [_norm(v) for v in value]
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    return value


def _expected(value: object) -> object:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, Stamp) \
        else value


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents(), key=st.sampled_from([*sorted(EDITS), "waivers"]), data=st.data(),
       crlf=st.booleans())
def test_edits_preserve_every_byte_outside_the_key(
    doc: tuple[list[tuple[str, list[str]]], list[list[str]]], key: str, data: st.DataObject,
    crlf: bool,
) -> None:
    blocks, fillers = doc
    nl = "\r\n" if crlf else "\n"
    pieces: list[tuple[str | None, list[str]]] = []
    for index, (name, lines) in enumerate(blocks):
        pieces.append((None, fillers[index]))
        pieces.append((name, lines))
    pieces.append((None, fillers[-1]))
    body = f"# Hotfix{nl}{nl}## Timeline{nl}| a | b |{nl}| - | - |{nl}"

    def render(parts: list[tuple[str | None, list[str]]]) -> bytes:
        return "".join(line + nl for _, lines in parts for line in lines).encode()

    original = f"---{nl}".encode() + render(pieces) + f"---{nl}{body}".encode()
    before_values = front_matter_values(original)
    if key == "waivers":
        # Any reason `hotfix-gate waive` accepts (one that says something).
        reason = data.draw(st.text(max_size=20).filter(lambda text: not says_nothing(text)))
        item: object = {"gate": "HG201", "reason": reason, "by": "bo",
                        "at": Stamp("2025-10-01T15:00:00Z")}
        old = before_values.get("waivers") or []
        assert isinstance(old, list)
        out = fmedit.append_item(original, "waivers", item)
        want: object = [*old, item]
    else:
        value = data.draw(EDITS[key])
        out = fmedit.set_key(original, key, value)
        want = value
    after_values = front_matter_values(out)
    got = after_values[key]
    # Every comment is still there (one between a key and its value moves
    # above the key, on a line of its own).
    assert sorted(comments_of(out)) == sorted(comments_of(original))
    if key == "waivers":
        assert isinstance(got, list) and got[:-1] == want[:-1]  # type: ignore[index]
        assert got[-1]["reason"] == item["reason"]  # type: ignore[index]
    else:
        assert _norm(got) == _norm(_expected(want))
    # (A block scalar that ended the front matter gains its final line break
    # when a key is added after it; text is stripped when read.)
    assert {k: _norm(v) for k, v in after_values.items() if k != key} == {
        k: _norm(v) for k, v in before_values.items() if k != key}
    # Every byte before and after the key's own lines is unchanged.
    names = [name for name, _ in pieces]
    if key in names:
        at = names.index(key)
        head = f"---{nl}".encode() + render(pieces[:at])
        tail = render(pieces[at + 1:]) + f"---{nl}{body}".encode()
        assert out.startswith(head) and out.endswith(tail)
    else:
        a, b = original.split(nl.encode()), out.split(nl.encode())
        start = next(i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y)
        added = len(b) - len(a)
        assert added > 0 and b[:start] == a[:start] and b[start + added:] == a[start:]


def test_rows_land_where_status_reads_the_timeline() -> None:
    from hotfix_gates.reporting.metrics import timeline_updates

    for doc in (DOC, DOC.replace(b"## Timeline", b"## Timeline (UTC)"),
                b"---\nid: hotfix-001\n---\n# Hotfix\n"):
        out = fmedit.append_timeline_row(doc, "2025-10-01T18:00:00Z", "all clear")
        record, _ = parse_hotfix("hotfix.md", "", out)
        assert max(timeline_updates(record.body)) == datetime(2025, 10, 1, 18, tzinfo=UTC)
