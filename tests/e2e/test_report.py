"""`hotfix-gate report` on a real repository whose numbers are worked out by
hand below, in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from testing.repos import COMPLETE_POST_MORTEM, make_repo, write_record

NOW = "2025-12-01T00:00:00Z"
OCTOBER = ("--since", "2025-10-01", "--until", "2025-11-01")


def completed(at: str) -> str:
    """A complete post-mortem dated `completed_at: at`."""
    text = COMPLETE_POST_MORTEM.replace("status: complete\n",
                                        f"status: complete\ncompleted_at: {at}\n")
    return text.replace("- [ ] Alert on pool saturation\n",
                        "- [ ] Alert on pool saturation\n- [ ] [ACTION]\n")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Nine incidents; the numbers each test expects are derived in its comments."""
    repo = make_repo(tmp_path_factory.mktemp("report") / "service")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_pool.py").write_text("def test_release():\n    ...\n")
    test = ["tests/test_pool.py::test_release"]
    # P0: MTTR 30 (inside 1h), detect 5, deploy 20; post-mortem and test dated on time.
    write_record(repo, 1, slug="pool", severity="P0", status="resolved",
                 incident_start="2025-10-01T10:00:00Z", detected_at="2025-10-01T10:05:00Z",
                 deployed_at="2025-10-01T10:20:00Z", resolved_at="2025-10-01T10:30:00Z",
                 regression_tests=test, regression_tests_added_at="2025-10-02T10:00:00Z",
                 post_mortem=completed("2025-10-02T09:00:00Z"))
    # P0: MTTR 90 (missed), detect 15, deploy 60; post-mortem dated late, test undated.
    write_record(repo, 2, slug="cache", severity="P0", status="closed",
                 incident_start="2025-10-05T00:00:00Z", detected_at="2025-10-05T00:15:00Z",
                 deployed_at="2025-10-05T01:00:00Z", resolved_at="2025-10-05T01:30:00Z",
                 regression_tests=test, post_mortem=completed("2025-10-09T00:00:00Z"))
    # P1: MTTR 200, detect 10, deploy 100; draft post-mortem (waived), no test: both overdue.
    write_record(repo, 3, slug="queue", severity="P1", status="resolved",
                 incident_start="2025-10-10T12:00:00Z", detected_at="2025-10-10T12:10:00Z",
                 deployed_at="2025-10-10T13:40:00Z", resolved_at="2025-10-10T15:20:00Z",
                 waivers=[{"gate": "post-mortem", "reason": "joint review with the vendor",
                           "by": "Lead <l@x>", "at": "2025-10-11T00:00:00Z"}])
    # P1: resolved in status but no resolved_at; detect 20. Clock not started: pending.
    write_record(repo, 4, slug="dns", severity="P1", status="resolved",
                 incident_start="2025-10-11T00:00:00Z", detected_at="2025-10-11T00:20:00Z")
    # P1: MTTR 120, detected_at unreadable; overdue post-mortem and test.
    write_record(repo, 7, slug="auth", severity="P1", status="resolved",
                 incident_start="2025-10-12T00:00:00Z", detected_at="soon after lunch",
                 resolved_at="2025-10-12T02:00:00Z")
    # P2, still open: detect 30; an expired waiver.
    write_record(repo, 5, slug="search", severity="P2", status="investigating",
                 incident_start="2025-10-20T00:00:00Z", detected_at="2025-10-20T00:30:00Z",
                 waivers=[{"gate": "HG202", "reason": "no test harness", "by": "Lead <l@x>",
                           "at": "2025-10-20T01:00:00Z", "until": "2025-11-01T00:00:00Z"}])
    # Unassessed, open.
    write_record(repo, 6, slug="billing", incident_start="2025-10-25T00:00:00Z")
    # Outside October: September P0 (MTTR 40) and November P2 (MTTR 300).
    write_record(repo, 8, slug="cdn", severity="P0", status="resolved",
                 incident_start="2025-09-15T00:00:00Z", resolved_at="2025-09-15T00:40:00Z")
    write_record(repo, 9, slug="mail", severity="P2", status="resolved",
                 incident_start="2025-11-02T00:00:00Z", resolved_at="2025-11-02T05:00:00Z")
    return repo


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def report(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(capsys, "--format", "json", *args)
    assert code == 0, err
    loaded: dict[str, object] = json.loads(out)
    return loaded


@pytest.fixture
def here(service: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(service)
    monkeypatch.delenv("HOTFIX_GATE_NOW", raising=False)
    return service


def test_json_numbers_per_severity(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, *OCTOBER)
    by = data["by_severity"]
    assert list(by) == ["P0", "P1", "P2", "unassessed"]  # type: ignore[call-overload]
    p0, p1, p2, unassessed = (by[k] for k in ("P0", "P1", "P2", "unassessed"))  # type: ignore[index]
    assert p0["count"] == 2
    assert p0["mttr_minutes"] == {"mean": 60, "median": 60}  # 30, 90
    assert p0["detect_minutes"] == {"mean": 10, "median": 10}  # 5, 15
    assert p0["deploy_minutes"] == {"mean": 40, "median": 40}  # 20, 60
    assert (p0["target_minutes"], p0["within_target"], p0["missed_target"]) == (60, 1, 1)
    assert p1["count"] == 3
    assert p1["mttr_minutes"] == {"mean": 160, "median": 160}  # 200, 120 (004 unresolved)
    assert p1["detect_minutes"] == {"mean": 15, "median": 15}  # 10, 20 (007 unreadable)
    assert p1["deploy_minutes"] == {"mean": 100, "median": 100}
    assert (p1["within_target"], p1["missed_target"]) == (2, 0)
    assert p1["missing"] == {"resolved_at": ["hotfix-004"], "deployed_at": ["hotfix-004",
                                                                            "hotfix-007"]}
    assert p1["unreadable"] == {"detected_at": ["hotfix-007"]}
    assert (p2["count"], p2["open"]) == (1, 1)
    assert p2["mttr_minutes"] == {"mean": None, "median": None}
    assert p2["detect_minutes"] == {"mean": 30, "median": 30}
    assert unassessed["count"] == 1 and unassessed["within_target"] is None


def test_json_totals_and_follow_up(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, *OCTOBER)
    totals = data["totals"]
    assert totals["count"] == 7  # type: ignore[index]
    assert totals["mttr_minutes"] == {"mean": 110, "median": 105}  # type: ignore[index]
    assert totals["detect_minutes"] == {"mean": 16, "median": 15}  # type: ignore[index]
    assert totals["deploy_minutes"] == {"mean": 60, "median": 60}  # type: ignore[index]
    assert (totals["within_target"], totals["missed_target"]) == (3, 1)  # type: ignore[index]
    assert totals["post_mortems"] == {  # type: ignore[index]
        "on_time": 1, "late": 1, "overdue": 2, "pending": 3, "undated": 0}
    assert totals["regression_tests"] == {  # type: ignore[index]
        "on_time": 1, "late": 0, "overdue": 2, "pending": 3, "undated": 1}
    assert totals["waivers"] == {"count": 2, "active": 1,  # type: ignore[index]
                                 "by_gate": {"post-mortem": 1, "regression-test": 1}}
    # One real unchecked item in each complete post-mortem; `- [ ] [ACTION]` is template.
    assert totals["open_action_items"] == 2  # type: ignore[index]
    assert data["action_items"] == [
        {"id": "hotfix-001", "severity": "P0", "item": "Alert on pool saturation"},
        {"id": "hotfix-002", "severity": "P0", "item": "Alert on pool saturation"}]
    assert data["mttr_by_month"] == [{"month": "2025-10", "count": 4, "mean": 110,
                                      "median": 105}]
    assert (data["since"], data["until"], data["now"]) == (
        "2025-10-01T00:00:00Z", "2025-11-01T00:00:00Z", NOW)


def test_since_and_until_filter_by_incident_start(here: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    everything = report(capsys)
    assert everything["totals"]["count"] == 9  # type: ignore[index]
    # P0 over all time: 30, 90, 40.
    assert everything["by_severity"]["P0"]["mttr_minutes"] == {  # type: ignore[index]
        "mean": 53.33, "median": 40}
    assert [m["month"] for m in everything["mttr_by_month"]] == [  # type: ignore[attr-defined]
        "2025-09", "2025-10", "2025-11"]
    since = report(capsys, "--since", "2025-10-05T00:00:00Z")
    assert since["totals"]["records"] == [  # type: ignore[index]
        "hotfix-002", "hotfix-003", "hotfix-004", "hotfix-005", "hotfix-006", "hotfix-007",
        "hotfix-009"]
    until = report(capsys, "--until", "2025-10-05")
    assert until["totals"]["records"] == ["hotfix-001", "hotfix-008"]  # type: ignore[index]


def test_targets_from_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "svc")
    (repo / ".hotfix-gates.yaml").write_text("targets: {P1: 2h}\n")
    for number, end in ((1, "2025-10-01T02:00:00Z"), (2, "2025-10-01T02:01:00Z")):
        write_record(repo, number, severity="P1", status="resolved",
                     incident_start="2025-10-01T00:00:00Z", resolved_at=end)
    monkeypatch.chdir(repo)
    p1 = report(capsys)["by_severity"]["P1"]  # type: ignore[index]
    assert (p1["target_minutes"], p1["within_target"], p1["missed_target"]) == (120, 1, 1)


def test_csv_one_row_per_severity(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "csv", *OCTOBER)
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [row["severity"] for row in table] == ["P0", "P1", "P2", "unassessed", "total"]
    p0, p1, p2 = table[0], table[1], table[2]
    assert (p0["count"], p0["mttr_mean_minutes"], p0["within_target"]) == ("2", "60.0", "1")
    assert p2["mttr_mean_minutes"] == ""  # no data: empty, not zero
    assert "missing:resolved_at=hotfix-004" in p1["missing"]
    assert "unreadable:detected_at=hotfix-007" in p1["missing"]


def test_markdown_report(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "markdown")
    assert code == 0
    assert out.startswith("# Hotfix report: all records\n")
    assert "| P0 | 3 | 0 | 53.33 | 40 |" in out
    chart = out.split("## MTTR per month\n\n```\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split()[0] for line in chart] == ["2025-09", "2025-10", "2025-11"]
    # The longest bar is the worst month: November's single 300-minute incident.
    bars = [line.split()[1] for line in chart]
    assert max(bars, key=len) == bars[2] and set(bars[2]) == {"#"}
    assert "- [ ] hotfix-001 (P0): Alert on pool saturation" in out
    assert "- no resolved_at: hotfix-004, hotfix-005 (open), hotfix-006 (open)" in out
    assert "- unreadable detected_at: hotfix-007" in out
    assert "## Definitions" in out


def test_text_report(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *OCTOBER)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Hotfix report: 2025-10-01T00:00:00Z to 2025-11-01T00:00:00Z")
    assert lines[2].split()[:4] == ["severity", "count", "open", "MTTR"]
    assert lines[3].split()[:5] == ["P0", "2", "0", "60", "60"]
    assert "waivers by gate: post-mortem 1, regression-test 1" in out


def test_empty_period_has_nulls(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = report(capsys, "--since", "2030-01-01")
    assert data["totals"]["count"] == 0  # type: ignore[index]
    assert data["totals"]["mttr_minutes"] == {"mean": None, "median": None}  # type: ignore[index]
    code, out, _ = run(capsys, "--since", "2030-01-01", "--format", "markdown")
    assert code == 0 and "(no resolved incidents in the period)" in out


@pytest.mark.parametrize(("args", "message"), [
    (("--since", "last week"), "--since: 'last week' is not an ISO 8601 timestamp"),
    (("--since", "2025-11-01", "--until", "2025-10-01"), "is not before --until"),
    (("--now", "noon"), "--now:"),
])
def test_bad_arguments_are_tool_errors(here: Path, capsys: pytest.CaptureFixture[str],
                                       args: tuple[str, ...], message: str) -> None:
    code, out, err = run(capsys, *args)
    assert (code, out) == (2, "")
    assert err.startswith("hotfix-gate: error: ") and message in err
