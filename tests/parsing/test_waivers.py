"""Hand-written waivers count only when `hotfix-gate waive` could have
written them; anything else is HG001 at the waiver's own line."""

from __future__ import annotations

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix

PATH, FOLDER = "specs/hotfix/001-x/hotfix.md", "specs/hotfix/001-x"
GOOD = "{gate: HG201, reason: vendor review, by: Ana <a@x>, at: 2025-10-02T00:00:00Z}"


def read(*items: str) -> tuple[list[tuple[str, int]], list[tuple[int, str]]]:
    """(kept waivers as (gate, line), HG001 findings as (line, message))."""
    text = "---\nid: hotfix-001\nwaivers:\n" + "".join(f"- {item}\n" for item in items) + "---\n"
    record, findings = parse_hotfix(PATH, FOLDER, text.encode())
    assert all(f.code == "HG001" and f.level.value == "error" for f in findings)
    assert all(f.fix == "record waivers with `hotfix-gate waive GATE --reason TEXT`"
               for f in findings)
    return [(w.gate, w.line) for w in record.waivers], [(f.line, f.message) for f in findings]


def test_a_complete_waiver_counts_at_its_own_line() -> None:
    kept, found = read(GOOD, GOOD.replace("HG201", "regression-test").replace(
        "}", ", until: 2025-10-05T00:00:00Z}"))
    assert (kept, found) == ([("HG201", 4), ("regression-test", 5)], [])


@pytest.mark.parametrize(("item", "message"), [
    ("{gate: HG201, reason: vendor}", "waiver of HG201 does not count: missing by, at"),
    ("{reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z}", "waiver does not count: missing gate"),
    ('{gate: HG201, reason: "\\u200b\\u3164", by: Ana, at: 2025-10-02T00:00:00Z}',
     "does not count: missing reason"),
    ("{gate: HG201, reason: ' ', by: Ana, at: 2025-10-02T00:00:00Z}", "missing reason"),
    ("{gate: HG201, reason: N/A, by: Ana, at: 2025-10-02T00:00:00Z}", "reason 'N/A' says nothing"),
    ("{gate: HG201, reason: [a], by: Ana, at: 2025-10-02T00:00:00Z}", "reason '['a']' says"),
    ("{gate: HG201, reason: vendor, by: TBD, at: 2025-10-02T00:00:00Z}", "by 'TBD' says nothing"),
    ("{gate: HG201, reason: vendor, by: Ana, at: soon}", "at is not a timestamp"),
    ("{gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z, until: 2025-10-01}",
     "until is not after at"),
    ("{gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z, untill: 2025-10-09}",
     "key 'untill' looks like until; write until"),
    ("{gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z, note: x}",
     "unknown key 'note' (a waiver has gate, reason, by, at, until)"),
    ("{gate: HG201, reason: vendor, by: Ana, \u0430t: 2025-10-02T00:00:00Z}",
     "missing at; key '\\u0430t' looks like at (look-alike characters)"),
    ("{gate: post-mortme, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z}",
     "unknown gate 'post-mortme'"),
    ("HG201", "waiver does not count: it is a single value, not a mapping"),
])
def test_an_incomplete_waiver_does_not_count(item: str, message: str) -> None:
    kept, found = read(GOOD.replace("HG201", "HG202"), item)
    assert kept == [("HG202", 4)]
    assert len(found) == 1 and found[0][0] == 5 and message in found[0][1], found


def test_waivers_that_are_not_a_list() -> None:
    record, findings = parse_hotfix(PATH, FOLDER, b"---\nid: x\nwaivers: {gate: HG201}\n---\n")
    assert record.waivers == [] and "waivers" in record.invalid
    assert [(f.line, f.message) for f in findings] == [(3, "waivers must be a list, not a "
                                                           "mapping")]
