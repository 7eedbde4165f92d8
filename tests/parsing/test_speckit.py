"""Markdown-only spec-kit records, as people write them."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hotfix_gates.model.finding import Finding
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing.hotfix import NEITHER, parse_hotfix
from hotfix_gates.parsing.speckit import reword
from testing.legacy_repo import FIXTURES

FOLDER = "specs/hotfix/012-payments-down"
PATH = f"{FOLDER}/hotfix.md"


def read(text: str, folder: str = FOLDER) -> tuple[HotfixRecord, list[tuple[int, str, str]]]:
    record, findings = parse_hotfix(f"{folder}/hotfix.md", folder, text.encode())
    return record, [(f.line, f.level.value, f.message) for f in findings]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("line", "severity"), [
    ("**Severity**: [ ] P0 (outage) [x] P1 (major) [ ] P2", "P1"),
    ("**Severity**: [ ] P0 | [ ] P1 | [X] P2", "P2"),
    ("**Severity**: [ ] P0 / [x] P1 / [ ] P2", "P1"),
    ("**Severity**: [ ] P0, [ ] P1, [ ] P2", None),
    ("- **Severity:** [x] P0 - service down", "P0"),
])
def test_severity_options_with_any_separators(line: str, severity: str | None) -> None:
    record, findings = read(f"# Hotfix: Payments down\n\n{line}\n")
    assert record.format == "legacy" and findings == []
    assert record.severity == severity and record.lines["severity"] == 3


def test_two_severities_checked_is_a_finding() -> None:
    record, findings = read("**Severity**: [x] P0 (outage) [x] P1 (major) [ ] P2\n")
    assert record.severity is None and "severity" in record.invalid
    assert findings == [(1, "error", "2 severity options are checked (P0, P1)")]


@pytest.mark.parametrize(("line", "status"), [
    ("[ ] Investigating [x] Fix Deployed [ ] Monitoring", "fix-deployed"),
    ("[X] Fix Deployed | [X] Monitoring | [X] Post-Mortem Complete", "closed"),
    ("[x] Investigating | [x] Fix Deployed | [ ] Monitoring", "fix-deployed"),
    ("[ ] Investigating | [ ] Fix Deployed", "investigating"),
    ("Monitoring", "monitoring"),
])
def test_status_reads_the_furthest_state_checked(line: str, status: str) -> None:
    record, findings = read(f"**Status**: {line}\n**Fix Deployed**: 2025-10-01 10:00:00 UTC\n")
    assert record.status == status and "status" not in record.invalid
    assert [message for _, _, message in findings if "Status" in message] == (
        [] if status != "investigating" else [
            "**Fix Deployed** says 2025-10-01T10:00:00Z but the Status line says "
            "Investigating: the time is not used"])


def test_labels_inside_comments_and_code_are_not_read() -> None:
    text = ("# Hotfix: Payments down\n\n<!--\n**Severity**: [x] P0\n-->\n"
            "**Severity**: [ ] P0 | [ ] P1 <!-- [x] P2 -->\n"
            "```\n**Incident End**: 2025-10-01 10:00:00 UTC\n```\n"
            "    **Reviewed By**: Mallory\n")
    record, findings = read(text)
    assert findings == [] and record.severity is None and record.lines["severity"] == 6
    assert record.resolved_at is None and record.reviewed_by is None


def test_a_record_without_a_hotfix_id_line() -> None:
    record, findings = read((FIXTURES / "no-id" / "hotfix.md").read_text())
    assert record.format == "legacy" and findings == []
    assert (record.id, record.title) == ("hotfix-012", "Invoices emailed twice")
    assert (record.severity, record.status) == ("P1", "monitoring")
    assert record.resolved_at == at("2025-10-01 09:30:00") and record.reviewed_by == "Priya"


@pytest.mark.parametrize(("text", "title"), [
    ("# Hotfix: Payments down\n", "Payments down"),
    ("Incident: Payments down\n===\n\n**Status**: Monitoring\n", "Payments down"),
    ("# Hotfix: [INCIDENT TITLE]\n", None),
    ("<!-- # Hotfix: Hidden -->\n# Hotfix: Shown\n", "Shown"),
])
def test_the_title_is_the_heading(text: str, title: str | None) -> None:
    record, _ = read(text)
    assert record.format == "legacy" and record.title == title


@pytest.mark.parametrize("text", ["# Notes\n\nnothing structured here\n", "",
                                  "<!-- **Severity**: [x] P0 -->\n# Hotfix\n",
                                  "```\n**Status**: Monitoring\n```\n"])
def test_a_file_that_is_neither(text: str) -> None:
    record, findings = read(text)
    assert "*" in record.invalid and findings == [(1, "error", NEITHER)]


def test_an_id_line_that_disagrees_with_the_folder() -> None:
    record, findings = read("**Hotfix ID**: hotfix-003\n")
    assert record.id == "hotfix-003"
    assert findings == [(1, "warn", "id hotfix-003 does not match the folder's number 012")]


def test_times_the_status_line_contradicts_do_not_start_the_clock() -> None:
    # A script wrote its creation time into every time line; Status checks nothing.
    record, findings = read((FIXTURES / "stamped" / "hotfix.md").read_text(),
                            "specs/hotfix/008-search-index")
    assert record.status == "investigating" and record.clock_start is None
    assert (record.deployed_at, record.resolved_at) == (None, None)
    assert record.incident_start == record.detected_at == at("2025-10-01 14:32:18")
    assert findings == [
        (14, "warn", "**Fix Deployed** says 2025-10-01T14:32:18Z but the Status line says "
                     "Investigating: the time is not used"),
        (15, "warn", "**Incident End** says 2025-10-01T14:32:18Z but the Status line says "
                     "Investigating: the time is not used")]


def test_times_are_kept_when_there_is_no_status_line() -> None:
    record, findings = read("**Incident End**: 2025-10-01 10:00:00 UTC\n")
    assert record.status is None and record.resolved_at == at("2025-10-01 10:00:00")
    assert findings == []


def test_the_regression_test_fix_names_only_lines_the_record_has() -> None:
    def fix(text: str, record: bool = True) -> str:
        parsed, _ = parse_hotfix(PATH, FOLDER, text.encode())
        found = Finding(PATH, 1, "HG202", "regression-test", "no regression test recorded", "x")
        return reword([found], parsed if record else None)[0].fix

    with_line = "**Status**: Monitoring\n\n- [ ] Regression test added: [file path]\n"
    assert "check [x] on this 'Regression test added:' line" in fix(with_line)
    for text, record in (("**Status**: Monitoring\n", True), (with_line, False)):
        assert fix(text, record) == ("commit the test, then run `hotfix-gate migrate --write` "
                                     "and `hotfix-gate regression-test "
                                     "tests/test_x.py::test_name`")


def test_rollback_plan_from_the_template_section() -> None:
    text = (FIXTURES / "fresh" / "hotfix.md").read_text()
    record, _ = read(text)
    assert record.rollback_plan is None
    filled = text.replace("git revert [commit-sha]", "git revert 1a2b3c4")
    assert read(filled)[0].rollback_plan == "git revert 1a2b3c4"
