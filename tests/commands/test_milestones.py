"""monitoring and closed, and milestones in order (set incident-start included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix
from testing.cli import gate
from testing.edits import line_diff, without_notes, write_commented_record
from testing.repos import COMPLETE_POST_MORTEM, git

REL = "specs/hotfix/001-database-connection-pool/hotfix.md"


@pytest.fixture
def hotfix(here: Path) -> Path:
    return write_commented_record(here).hotfix


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code, out, err = gate(capsys, *args, "--id", "1")
    return code, out, without_notes(err)


def status(hotfix: Path) -> str | None:
    return parse_hotfix(REL, "", hotfix.read_bytes())[0].status


def test_monitoring_needs_a_deployment_and_moves_status_forward_only(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "monitoring")
    assert code == 2 and err == ("hotfix-gate: error: monitoring watches a deployed fix, and none "
                                 "is recorded; run `hotfix-gate deployed --at TIME` first\n")
    assert run(capsys, "deployed", "--at", "2025-10-01T14:30:00Z")[0] == 0
    before = hotfix.read_bytes()
    code, out, _ = run(capsys, "monitoring")
    assert code == 0 and out == f"{REL}: status: fix-deployed -> monitoring\n"
    assert line_diff(before, hotfix.read_bytes()) == ([b"status: fix-deployed\n"],
                                                      [b"status: monitoring\n"])
    assert run(capsys, "monitoring")[1] == f"{REL}: no change (unchanged)\n"
    assert run(capsys, "resolved", "--at", "2025-10-01T15:00:00Z")[0] == 0
    code, _, err = run(capsys, "monitoring")
    assert code == 2 and "status is resolved; `monitoring` would move it back" in err


def test_closed_needs_the_follow_up_done(hotfix: Path, here: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "closed")
    assert code == 2 and "no resolution recorded; run `hotfix-gate resolved --at TIME`" in err
    assert run(capsys, "resolved", "--at", "2025-10-01T15:00:00Z")[0] == 0
    code, _, err = run(capsys, "closed")
    assert code == 2 and err == (
        "hotfix-gate: error: not closed: post-mortem not complete (`post-mortem-complete`); no "
        "regression test listed (`regression-test PATH::NAME`); or waive the gate\n")
    (hotfix.parent / "post-mortem.md").write_text(COMPLETE_POST_MORTEM)
    (here / "tests").mkdir()
    (here / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    assert run(capsys, "regression-test", "tests/test_pool.py::test_release")[0] == 0
    (here / "tests/test_pool.py").write_text("def test_renamed():\n    pass\n")
    code, _, err = run(capsys, "closed")
    assert code == 2 and "a listed regression test is not found" in err
    (here / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    code, out, _ = run(capsys, "closed")
    assert code == 0 and out == f"{REL}: status: resolved -> closed\n"
    assert status(hotfix) == "closed"


def test_a_waived_gate_counts_as_done_for_closing(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "resolved", "--at", "2025-10-01T15:00:00Z")[0] == 0
    for gate_name in ("post-mortem", "regression-test"):
        assert run(capsys, "waive", gate_name, "--reason", "covered by INC-42")[0] == 0
    assert run(capsys, "closed")[0] == 0 and status(hotfix) == "closed"


def test_incident_start_can_be_corrected_within_the_order(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "detected", "--at", "2025-10-01T14:05:00Z")[0] == 0
    before = hotfix.read_bytes()
    code, out, _ = run(capsys, "set", "incident-start", "2025-10-01T13:50:00+00:00")
    assert code == 0
    assert out == f"{REL}: incident_start: 2025-10-01T14:00:00Z -> 2025-10-01T13:50:00Z\n"
    assert line_diff(before, hotfix.read_bytes()) == (
        [b"incident_start: 2025-10-01T14:00:00Z\n"], [b"incident_start: 2025-10-01T13:50:00Z\n"])
    code, _, err = run(capsys, "set", "incident-start", "2025-10-01T14:10:00Z")
    assert code == 2 and err == (
        "hotfix-gate: error: incident_start 2025-10-01T14:10:00Z would be after detected_at "
        "2025-10-01T14:05:00Z; give the real time, or correct detected_at (`hotfix-gate "
        "detected ...`)\n")


def test_an_order_refusal_names_the_command_that_corrects_it(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "detected", "--at", "2025-10-01T13:00:00Z")
    assert code == 2 and err.endswith(
        "give the real time, or correct incident_start (`hotfix-gate set incident-start ...`)\n")


def test_each_milestone_commits_with_its_own_message(
        hotfix: Path, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(here, "add", "-A")
    git(here, "commit", "-q", "-m", "the record")
    for args, message in ((["detected", "--at", "2025-10-01T14:05:00Z"],
                           "hotfix-001: detected at 2025-10-01T14:05:00Z"),
                          (["deployed", "--at", "2025-10-01T14:30:00Z"],
                           "hotfix-001: deployed at 2025-10-01T14:30:00Z"),
                          (["monitoring"], "hotfix-001: monitoring the fix"),
                          (["resolved", "--at", "2025-10-01T15:00:00Z"],
                           "hotfix-001: resolved at 2025-10-01T15:00:00Z")):
        code, out, err = run(capsys, *args, "--commit")
        assert code == 0, err
        assert out.splitlines()[-1].endswith(f" on main: {message}")
        assert git(here, "log", "-1", "--format=%s").stdout.strip() == message
    assert git(here, "status", "--porcelain").stdout == ""
