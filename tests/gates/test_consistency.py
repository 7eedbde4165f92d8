"""HG001's consistency rules: required keys, milestone order, status agreement,
and nothing in the future of the judging clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hotfix_gates.gates.consistency import problems
from hotfix_gates.model.record import HotfixRecord, Waiver

NOW = datetime(2025, 10, 5, 12, tzinfo=UTC)
START = datetime(2025, 10, 1, 14, tzinfo=UTC)


def record(**values: object) -> HotfixRecord:
    base: dict[str, object] = {"id": "hotfix-001", "status": "investigating",
                               "incident_start": START}
    base.update(values)
    found = HotfixRecord(path="specs/hotfix/001-pool/hotfix.md", folder="specs/hotfix/001-pool",
                         number=1)
    for key, value in base.items():
        setattr(found, key, value)
    found.lines = {"id": 2, "status": 3, "incident_start": 4, "detected_at": 5,
                   "deployed_at": 6, "resolved_at": 7}
    return found


def messages(found: HotfixRecord) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in problems(found, NOW)]


def test_a_consistent_record_has_no_problem() -> None:
    assert messages(record()) == []
    assert messages(record(status="resolved", deployed_at=START + timedelta(hours=1),
                           resolved_at=START + timedelta(hours=2))) == []


def test_required_keys() -> None:
    found = record(id=None, status=None, incident_start=None)
    assert [m for _, m in messages(found)] == ["id is missing", "incident_start is missing",
                                               "status is missing"]


def test_an_invalid_key_is_not_reported_twice() -> None:
    found = record(incident_start=None)
    found.invalid.add("incident_start")  # the parse reported it already
    assert messages(found) == []


def test_milestones_out_of_order_point_at_the_later_key() -> None:
    found = record(status="resolved", resolved_at=START - timedelta(minutes=36))
    assert messages(found) == [(7, "resolved_at 2025-10-01T13:24:00Z is before incident_start "
                                   "2025-10-01T14:00:00Z")]


def test_status_must_agree_with_the_milestones() -> None:
    assert messages(record(status="monitoring")) == [
        (3, "status is monitoring but deployed_at is not set")]
    assert messages(record(resolved_at=START + timedelta(hours=1))) == [
        (3, "status is investigating but resolved_at is set")]


def test_nothing_in_the_future_of_the_judging_clock() -> None:
    future = NOW + timedelta(days=3)
    assert messages(record(status="resolved", deployed_at=START, resolved_at=future)) == [
        (7, "resolved_at 2025-10-08T12:00:00Z is in the future (judged at "
            "2025-10-05T12:00:00Z)")]
    # Five minutes of clock skew are allowed.
    assert messages(record(status="resolved", deployed_at=START,
                           resolved_at=NOW + timedelta(minutes=4))) == []


def test_a_waiver_dated_in_the_future_is_reported() -> None:
    late = Waiver("HG202", "vendor", "Ana", NOW + timedelta(days=1), None, 12)
    found = record(waivers=[late])
    assert messages(found) == [(12, "a waiver of HG202 is dated in the future "
                                    "(2025-10-06T12:00:00Z); it does not count")]


def test_markdown_records_are_told_which_line_to_fill() -> None:
    found = record(incident_start=None, id=None)
    found.format = "legacy"
    [missing] = problems(found, NOW)  # the folder number is a legacy record's id
    assert missing.fix == "fill in the **Incident Start**: line"
