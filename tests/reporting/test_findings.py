"""Findings as text, JSON and GitHub workflow commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import Waiver
from hotfix_gates.reporting.findings import render_github, render_json, render_text, summary

PATH = "specs/hotfix/001-pool/hotfix.md"
WAIVER = Waiver("HG202", "staging replica", "Ana Ruiz <ana@example.com>",
                datetime(2025, 10, 2, tzinfo=UTC), datetime(2025, 10, 6, tzinfo=UTC), 14)
BLOCKING = Finding(PATH, 5, "HG101", "severity", "severity is not set", "set it")
WARNING = Finding(PATH, 12, "HG103", "quick-review", "no review", "review it", Level.WARN)
WAIVED = Finding(PATH, 13, "HG202", "regression-test", "no test", "add one", waiver=WAIVER)


def test_text_lines_and_summary() -> None:
    text = render_text([BLOCKING, WARNING, WAIVED], 1).splitlines()
    assert text == [
        f"{PATH}:5: HG101 severity: severity is not set; set it",
        f"{PATH}:12: HG103 quick-review: no review; review it [warning]",
        f"{PATH}:13: HG202 regression-test: no test; add one [waived: staging replica by "
        "Ana Ruiz until 2025-10-06T00:00:00Z]",
        "hotfix-gate: blocked: 1 blocking, 1 warning, 1 waived in 1 record",
    ]
    assert summary([WARNING], 2) == "hotfix-gate: passed: 0 blocking, 1 warning in 2 records"


def test_a_record_cannot_forge_lines() -> None:
    forged = Finding(PATH, 1, "HG001", "record-valid", "bad\nHG000 all good\x1b[2J", "fix")
    [line, _] = render_text([forged], 1).splitlines()
    assert "\\n" in line and "\\x1b" in line


def test_json_has_counts_and_a_structured_waiver() -> None:
    payload = json.loads(render_json([BLOCKING, WAIVED], 1, {"now": "x"}))
    assert (payload["version"], payload["blocking"], payload["warnings"], payload["waived"],
            payload["passed"]) == (2, 1, 0, 1, False)
    assert payload["findings"][1]["waiver"] == {
        "gate": "HG202", "reason": "staging replica", "by": "Ana Ruiz <ana@example.com>",
        "at": "2025-10-02T00:00:00Z", "until": "2025-10-06T00:00:00Z"}


def test_github_commands_escape_and_keep_waivers() -> None:
    lines = render_github([BLOCKING, WARNING, WAIVED], 1).splitlines()
    assert lines[0] == (f"::error file={PATH},line=5,title=HG101 severity::severity is not "
                        "set; set it")
    assert lines[1].startswith("::warning ")
    assert lines[2] == (f"::notice file={PATH},line=13,title=HG202 regression-test (waived)::"
                        "no test; add one [waived: staging replica by Ana Ruiz until "
                        "2025-10-06T00:00:00Z]")
    odd = Finding("a,b:c.md", 1, "HG001", "record-valid", "50%\nnext", "")
    assert render_github([odd], 1).splitlines()[0] == (
        "::error file=a%2Cb%3Ac.md,line=1,title=HG001 record-valid::50%25\\nnext")
