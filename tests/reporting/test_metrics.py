"""The report's arithmetic on hand-computed cases: no repository needed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from hotfix_gates.model.config import Config
from hotfix_gates.model.record import HotfixRecord, PostMortem
from hotfix_gates.parsing.config import parse_config
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem
from hotfix_gates.reporting.metrics import (
    Facts,
    build_report,
    deadline_outcome,
    elapsed,
    in_window,
    last_update,
    mean,
    median,
    mttr_by_month,
    open_action_items,
    spread,
    summarize,
    timeline_updates,
)
from testing.repos import COMPLETE_POST_MORTEM, DRAFT_POST_MORTEM, front_matter, record_fields

NOW = datetime(2025, 11, 1, tzinfo=UTC)
START = "2025-10-01T10:00:00Z"


def at(minutes: float, start: str = START) -> str:
    """The timestamp `minutes` after `start`, as a record writes it."""
    moment = datetime.fromisoformat(start.replace("Z", "+00:00")) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(number: int, body: str = "\n", **fields: object) -> HotfixRecord:
    fields.setdefault("incident_start", START)
    text = front_matter(record_fields(number, f"incident-{number}", **fields)) + body
    folder = f"specs/hotfix/{number:03d}-incident-{number}"
    rec, _ = parse_hotfix(f"{folder}/hotfix.md", folder, text.encode())
    return rec


def facts(number: int, **fields: Any) -> Facts:
    return Facts(record(number, **fields))


def resolved(number: int, severity: str | None, mttr: float, **fields: object) -> Facts:
    return facts(number, severity=severity, status="resolved", resolved_at=at(mttr), **fields)


def post(text: str) -> PostMortem:
    parsed, problem, _ = parse_post_mortem("post-mortem.md", text.encode())
    assert parsed is not None, problem
    return parsed


# -- mean and median ------------------------------------------------------------


def test_mean_and_median_odd_count() -> None:
    assert mean([30, 45, 120]) == 65
    assert median([120, 30, 45]) == 45


def test_mean_and_median_even_count() -> None:
    assert mean([10, 20, 30, 100]) == 40
    assert median([100, 10, 30, 20]) == 25


def test_empty_data_gives_nulls() -> None:
    assert mean([]) is None and median([]) is None
    assert spread([]) == {"mean": None, "median": None}


def test_spread_rounds_to_two_decimals() -> None:
    assert spread([10, 10, 11]) == {"mean": 10.33, "median": 10}


# -- one severity -----------------------------------------------------------------


def test_severity_block_hand_computed() -> None:
    group = [
        resolved(1, "P1", 30, detected_at=at(5), deployed_at=at(20)),
        resolved(2, "P1", 45, detected_at=at(10), deployed_at=at(40)),
        resolved(3, "P1", 300, detected_at=at(15)),  # no deployment recorded
    ]
    block = summarize(group, Config(), NOW, "P1")
    assert block["count"] == 3
    assert block["mttr_minutes"] == {"mean": 125, "median": 45}
    assert block["detect_minutes"] == {"mean": 10, "median": 10}
    assert block["deploy_minutes"] == {"mean": 30, "median": 30}  # partial: two of three
    assert block["missing"] == {"deployed_at": ["hotfix-003"]}
    # P1 target 4h: 30 and 45 inside, 300 outside.
    assert (block["target_minutes"], block["within_target"], block["missed_target"]) == (240, 2, 1)


def test_target_boundary_counts_as_within() -> None:
    block = summarize([resolved(1, "P0", 60), resolved(2, "P0", 61)], Config(), NOW, "P0")
    assert (block["within_target"], block["missed_target"]) == (1, 1)


def test_targets_come_from_the_configuration() -> None:
    config = parse_config("targets: {P0: 30m, p2: 1d}\n")
    group = [resolved(1, "P0", 30), resolved(2, "P0", 45)]
    block = summarize(group, config, NOW, "P0")
    assert (block["target_minutes"], block["within_target"], block["missed_target"]) == (30, 1, 1)
    report = build_report(group, config, NOW)
    assert report["targets_minutes"] == {"P0": 30, "P1": 240, "P2": 1440}


def test_empty_group_has_nulls_not_zeros() -> None:
    block = summarize([], Config(), NOW, "P2")
    assert block["count"] == 0
    for key in ("mttr_minutes", "detect_minutes", "deploy_minutes"):
        assert block[key] == {"mean": None, "median": None}
    assert (block["within_target"], block["missed_target"]) == (0, 0)


def test_open_incident_is_counted_and_named_without_resolution() -> None:
    block = summarize([resolved(1, "P2", 90), facts(2, severity="P2")], Config(), NOW, "P2")
    assert block["count"] == 2 and block["open"] == 1 and block["open_records"] == ["hotfix-002"]
    assert block["mttr_minutes"] == {"mean": 90, "median": 90}
    assert block["missing"]["resolved_at"] == ["hotfix-002"]


def test_unparseable_timestamp_is_named_not_dropped() -> None:
    broken = resolved(7, "P1", 30)
    broken.record = record(7, severity="P1", status="resolved", resolved_at="yesterday evening")
    assert "resolved_at" in broken.record.invalid
    block = summarize([resolved(1, "P1", 30), broken], Config(), NOW, "P1")
    assert block["count"] == 2
    assert block["records"] == ["hotfix-001", "hotfix-007"]
    assert block["unreadable"] == {"resolved_at": ["hotfix-007"]}
    assert block["mttr_minutes"] == {"mean": 30, "median": 30}


def test_timestamp_before_the_start_is_named_and_left_out() -> None:
    group = [resolved(1, "P0", 20), resolved(2, "P0", -30)]
    block = summarize(group, Config(), NOW, "P0")
    assert block["before_start"] == {"resolved_at": ["hotfix-002"]}
    assert block["mttr_minutes"] == {"mean": 20, "median": 20}


def test_unassessed_has_no_target() -> None:
    block = summarize([resolved(1, None, 30)], Config(), NOW, "unassessed")
    assert block["mttr_minutes"] == {"mean": 30, "median": 30}
    assert (block["target_minutes"], block["within_target"], block["missed_target"]) == (
        None, None, None)


# -- the whole report ---------------------------------------------------------------


def test_report_by_severity_and_totals() -> None:
    everything = [
        resolved(1, "P0", 30), resolved(2, "P0", 90),
        resolved(3, "P1", 120), resolved(4, None, 10), facts(5, severity="P2"),
    ]
    report = build_report(everything, Config(), NOW)
    by = report["by_severity"]
    assert list(by) == ["P0", "P1", "P2", "unassessed"]
    for block in by.values():
        assert {"count", "mttr_minutes", "detect_minutes", "deploy_minutes",
                "within_target"} <= set(block)
    assert by["P0"]["mttr_minutes"] == {"mean": 60, "median": 60}
    assert by["P2"]["count"] == 1 and by["P2"]["mttr_minutes"]["mean"] is None
    totals = report["totals"]
    assert totals["count"] == 5
    assert totals["mttr_minutes"] == {"mean": 62.5, "median": 60}
    # Each against its own target; the unassessed one is not judged.
    assert (totals["within_target"], totals["missed_target"]) == (2, 1)


def test_window_is_since_inclusive_until_exclusive() -> None:
    since = datetime(2025, 10, 1, tzinfo=UTC)
    until = datetime(2025, 11, 1, tzinfo=UTC)
    assert in_window(record(1, incident_start="2025-10-01T00:00:00Z"), since, until)
    assert not in_window(record(2, incident_start="2025-11-01T00:00:00Z"), since, until)
    assert not in_window(record(3, incident_start="2025-09-30T23:59:59Z"), since, until)
    assert in_window(record(4, incident_start="2025-09-30T23:59:59Z"), None, until)


def test_record_without_start_is_unplaced_in_a_window_and_counted_without_one() -> None:
    everything = [resolved(1, "P1", 30), facts(2, severity="P1", incident_start=None)]
    windowed = build_report(everything, Config(), NOW, since=datetime(2025, 1, 1, tzinfo=UTC))
    assert windowed["unplaced"] == ["hotfix-002"]
    assert windowed["by_severity"]["P1"]["count"] == 1
    whole = build_report(everything, Config(), NOW)
    assert whole["unplaced"] == []
    assert whole["by_severity"]["P1"]["count"] == 2
    assert whole["totals"]["missing"]["incident_start"] == ["hotfix-002"]


def test_mttr_by_month() -> None:
    group = [resolved(1, "P0", 30), resolved(2, "P1", 90),
             resolved(3, "P1", 40, incident_start="2025-11-03T00:00:00Z")]
    group[2].record.resolved_at = datetime(2025, 11, 3, 0, 40, tzinfo=UTC)
    assert mttr_by_month(group) == [
        {"month": "2025-10", "count": 2, "mean": 60, "median": 60},
        {"month": "2025-11", "count": 1, "mean": 40, "median": 40},
    ]


def test_mttr_by_month_by_severity() -> None:
    group = [resolved(1, "P0", 30), resolved(2, "P1", 90), resolved(3, "P1", 40),
             resolved(4, None, 10)]
    months = build_report(group, Config(), NOW)["mttr_by_month_by_severity"]
    assert months == {
        "P0": [{"month": "2025-10", "count": 1, "mean": 30, "median": 30}],
        "P1": [{"month": "2025-10", "count": 2, "mean": 65, "median": 65}],
        "P2": [],
        "unassessed": [{"month": "2025-10", "count": 1, "mean": 10, "median": 10}],
    }


def test_waivers_counted_active_and_by_gate() -> None:
    waivers = [
        {"gate": "HG201", "reason": "vendor", "until": "2025-12-01T00:00:00Z"},
        {"gate": "regression-test", "reason": "flaky infra", "until": "2025-10-15T00:00:00Z"},
        {"gate": "post-mortem", "reason": "merged into INC-9"},
    ]
    for waiver in waivers:
        waiver.update(by="Lead <l@x>", at="2025-10-02T00:00:00Z")
    block = summarize([facts(1, severity="P0", waivers=waivers)], Config(), NOW, "P0")
    assert block["waivers"] == {"count": 3, "active": 2,
                                "by_gate": {"post-mortem": 2, "regression-test": 1}}


# -- deadlines ------------------------------------------------------------------------


CLOCK = datetime(2025, 10, 1, 12, tzinfo=UTC)
DAY2 = timedelta(hours=48)


@pytest.mark.parametrize(("done", "clock", "done_at", "now", "expected"), [
    (True, CLOCK, CLOCK + timedelta(hours=47), NOW, "on_time"),
    (True, CLOCK, CLOCK + DAY2, NOW, "on_time"),
    (True, CLOCK, CLOCK + timedelta(hours=49), NOW, "late"),
    (True, CLOCK, None, CLOCK + timedelta(hours=47), "on_time"),
    (True, CLOCK, None, CLOCK + timedelta(hours=49), "undated"),
    (True, None, None, NOW, "on_time"),
    (False, CLOCK, None, CLOCK + timedelta(hours=47), "pending"),
    (False, CLOCK, None, CLOCK + DAY2, "overdue"),
    (False, None, None, NOW, "pending"),
])
def test_deadline_outcome(done: bool, clock: datetime | None, done_at: datetime | None,
                          now: datetime, expected: str) -> None:
    assert deadline_outcome(done, clock, DAY2, done_at, now) == expected


def test_post_mortem_and_test_outcomes_in_a_block() -> None:
    on_time = resolved(1, "P1", 60, regression_tests_added_at=at(60 + 24 * 60))
    on_time.post_mortem, on_time.completed_at = "complete", on_time.record.resolved_at
    on_time.tests = "listed"
    late = resolved(2, "P1", 60, regression_tests_added_at=at(60 + 50 * 60))
    late.post_mortem, late.completed_at = "complete", datetime(2025, 10, 20, tzinfo=UTC)
    late.tests = "listed"
    overdue = resolved(3, "P1", 60)
    block = summarize([on_time, late, overdue], Config(), NOW, "P1")
    assert block["post_mortems"] == {"on_time": 1, "late": 1, "overdue": 1, "pending": 0,
                                     "undated": 0}
    assert block["regression_tests"] == {"on_time": 1, "late": 1, "overdue": 1, "pending": 0,
                                         "undated": 0}


# -- timeline, age, action items -----------------------------------------------------


TIMELINE = """
# Hotfix

## Timeline
| Time (UTC) | Update |
| --- | --- |
| 2025-10-01T10:05:00Z | paged |
| 2025-10-01T10:40:00Z | rolled back the deploy |
| [HH:MM] | [event] |

## Rollback Plan
| 2025-10-09T00:00:00Z | not a timeline row |
"""


def test_last_update_from_timeline_rows() -> None:
    rec = record(1, body=TIMELINE, detected_at="2025-10-01T10:50:00Z")
    assert timeline_updates(rec.body) == [datetime(2025, 10, 1, 10, 5, tzinfo=UTC),
                                          datetime(2025, 10, 1, 10, 40, tzinfo=UTC)]
    assert last_update(rec) == datetime(2025, 10, 1, 10, 40, tzinfo=UTC)


def test_last_update_falls_back_to_the_latest_timestamp_field() -> None:
    rec = record(1, detected_at="2025-10-01T10:50:00Z")
    assert last_update(rec) == datetime(2025, 10, 1, 10, 50, tzinfo=UTC)


def test_age_while_open_and_duration_once_resolved() -> None:
    now = datetime(2025, 10, 1, 12, 30, tzinfo=UTC)
    assert elapsed(record(1), now) == ("age", timedelta(hours=2, minutes=30))
    assert elapsed(record(2, status="resolved", resolved_at=at(42)), now) == (
        "duration", timedelta(minutes=42))
    assert elapsed(record(3, status="closed"), now) == ("duration", None)


def test_open_action_items_ignore_placeholders_and_checked_items() -> None:
    assert open_action_items(post(COMPLETE_POST_MORTEM)) == ["Alert on pool saturation"]
    assert open_action_items(post(DRAFT_POST_MORTEM)) == []
    text = ("---\nstatus: draft\n---\n## Action Items\n- [ ] [ACTION]\n* [ ] Page the DBA "
            "on pool alerts\n1. [ ] Add a canary\n- [x] done already\n```\n- [ ] in code\n```\n"
            "## Lessons Learned\n- [ ] not an action item\n")
    assert open_action_items(post(text)) == ["Page the DBA on pool alerts", "Add a canary"]
    assert open_action_items(None) == []


def test_unreadable_record_is_named_once() -> None:
    folder = "specs/hotfix/009-garbled"
    garbled, _ = parse_hotfix(f"{folder}/hotfix.md", folder, b"---\nid: [unclosed\n---\n")
    assert "*" in garbled.invalid
    block = summarize([resolved(1, None, 30), Facts(garbled)], Config(), NOW, "unassessed")
    assert block["count"] == 2 and block["records"] == ["hotfix-001", "hotfix-009"]
    assert block["unreadable"] == {"record": ["hotfix-009"]}
    assert block["missing"] == {"detected_at": ["hotfix-001"], "deployed_at": ["hotfix-001"]}


def test_open_incidents_past_the_resolution_limit_are_counted() -> None:
    from hotfix_gates.reporting.metrics import Facts, build_report

    def record(number: int, start: str, resolved: str | None) -> Facts:
        found = HotfixRecord(path=f"specs/hotfix/{number:03d}-x/hotfix.md",
                             folder=f"specs/hotfix/{number:03d}-x", number=number,
                             id=f"hotfix-{number:03d}", severity="P1", status="investigating")
        found.incident_start = datetime.fromisoformat(start)
        found.resolved_at = datetime.fromisoformat(resolved) if resolved else None
        return Facts(found)

    facts = [record(1, "2025-10-01T00:00:00+00:00", None),
             record(2, "2025-10-04T00:00:00+00:00", None),
             record(3, "2025-10-01T00:00:00+00:00", "2025-10-01T02:00:00+00:00")]
    report = build_report(facts, Config(), datetime(2025, 10, 5, tzinfo=UTC))
    assert report["totals"]["open_past_limit"] == ["hotfix-001"]
    assert report["by_severity"]["P1"]["open_past_limit"] == ["hotfix-001"]
