"""The lifecycle commands on real repositories: what each changes (only its
own lines), what each refuses, which record each picks, and atomic writes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix
from testing.cli import gate
from testing.edits import (
    COMMENTED_HOTFIX,
    commit_hint,
    line_diff,
    without_notes,
    write_commented_record,
)
from testing.repos import clean_env, git, run_gate, write_record

REL = "specs/hotfix/001-database-connection-pool/hotfix.md"


@pytest.fixture
def hotfix(here: Path) -> Path:
    return write_commented_record(here).hotfix


def refused(capsys: pytest.CaptureFixture[str], path: Path, *args: str) -> str:
    """Run a command that must be refused: exit 2, one error line, file untouched."""
    before = path.read_bytes()
    code, out, err = gate(capsys, *args)
    err = without_notes(err)
    assert code == 2, (out, err)
    assert out == ""
    assert path.read_bytes() == before
    assert err.startswith("hotfix-gate: error: ") and err.count("\n") == 1, err
    return err


# -- the journey: each step changes only its own lines ----------------------------------

def test_journey_changes_only_the_intended_lines(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(hotfix.parents[3], "add", "-A")
    git(hotfix.parents[3], "commit", "-q", "-m", "the record")
    steps: list[tuple[list[str], str, list[bytes], list[bytes], str]] = [
        (["set", "severity", "p1", "--id", "1"], "severity: null -> P1",
         [b"severity: null   # P0, P1 or P2\n"], [b"severity: P1   # P0, P1 or P2\n"],
         "severity P1"),
        (["set", "reviewed-by", "Ana Ruiz", "--id", "1"], "reviewed_by: null -> Ana Ruiz",
         [b"reviewed_by: null  # P1/P2 need a quick review\n"],
         [b"reviewed_by: Ana Ruiz  # P1/P2 need a quick review\n"], "reviewed by Ana Ruiz"),
        (["set", "rollback-plan", "git revert abc123  \nmake deploy\n", "--id", "1"],
         "rollback_plan: null -> git revert abc123 (+1 lines)",
         [b"rollback_plan: null\n"],
         [b"rollback_plan: |-\n", b"  git revert abc123\n", b"  make deploy\n"],
         "rollback plan written"),
        (["detected", "--at", "2025-10-01T14:05:00Z", "--id", "1"],
         "detected_at: null -> 2025-10-01T14:05:00Z",
         [b"detected_at: null\n"], [b"detected_at: 2025-10-01T14:05:00Z\n"],
         "detected at 2025-10-01T14:05:00Z"),
        (["deployed", "--at", "2025-10-01T16:30:00+02:00", "--id", "1"],
         "deployed_at: null -> 2025-10-01T14:30:00Z, status: investigating -> fix-deployed",
         [b"status: investigating\n", b"deployed_at: null\n"],
         [b"status: fix-deployed\n", b"deployed_at: 2025-10-01T14:30:00Z\n"],
         "deployed at 2025-10-01T14:30:00Z"),
        (["resolved", "--at", "2025-10-01T15:00:00", "--id", "1"],
         "resolved_at: null -> 2025-10-01T15:00:00Z, status: fix-deployed -> resolved",
         [b"status: fix-deployed\n", b"resolved_at: null\n"],
         [b"status: resolved\n", b"resolved_at: 2025-10-01T15:00:00Z\n"],
         "resolved at 2025-10-01T15:00:00Z"),
        (["log", "Pool size back to 50 | errors at 0", "--at", "2025-10-01T15:05:00Z",
          "--id", "1"], "timeline: + 2025-10-01T15:05:00Z Pool size back to 50 \\| errors at 0",
         [], [b"| 2025-10-01T15:05:00Z | Pool size back to 50 \\| errors at 0 |\n"],
         "log 2025-10-01T15:05:00Z: Pool size back to 50 \\| errors at 0"),
        (["waive", "post-mortem", "--reason", "joint review with the vendor", "--until",
          "2025-10-10T00:00:00Z", "--at", "2025-10-01T15:10:00Z", "--id", "1"],
         "waivers: + HG201 post-mortem waived by Test Responder <responder@example.com> until "
         "2025-10-10T00:00:00Z: joint review with the vendor",
         [], [b"waivers:\n", b"- gate: HG201\n", b"  reason: joint review with the vendor\n",
              b"  by: Test Responder <responder@example.com>\n",
              b"  at: 2025-10-01T15:10:00Z\n", b"  until: 2025-10-10T00:00:00Z\n"],
         "waive HG201 post-mortem until 2025-10-10T00:00:00Z"),
    ]
    for args, summary, removed, added, message in steps:
        before = hotfix.read_bytes()
        code, out, err = gate(capsys, *args)
        # Each step ends with the command that commits it, naming the change.
        assert (code, err) == (0, commit_hint(f"hotfix-001: {message}", REL)), args
        assert out == f"{REL}: {summary}\n"
        after = hotfix.read_bytes()
        assert line_diff(before, after) == (removed, added), args
        assert b"# Machine-readable part: the gates read these keys.\n" in after
        assert b"# Assess within 15 minutes.\n" in after
    record, findings = parse_hotfix(REL, REL.rsplit("/", 1)[0], hotfix.read_bytes())
    assert not findings
    assert (record.severity, record.status, record.reviewed_by) == ("P1", "resolved", "Ana Ruiz")
    assert record.rollback_plan == "git revert abc123\nmake deploy"
    assert [w.gate for w in record.waivers] == ["HG201"]
    # The body kept every byte but gained exactly the one row.
    assert record.body.endswith("## Notes\nKeep this section as it is.\n")


def test_crlf_and_bom_survive_every_command(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hotfix = write_commented_record(here, crlf=True).hotfix
    hotfix.write_bytes(b"\xef\xbb\xbf" + hotfix.read_bytes())
    for args in (["set", "severity", "P0"], ["set", "rollback-plan", "revert\nredeploy"],
                 ["detected", "--at", "2025-10-01T14:01:00Z"], ["log", "paged"],
                 ["deployed", "--at", "2025-10-01T14:20:00Z"],
                 ["waive", "HG103", "--reason", "P0"]):
        assert gate(capsys, *args, "--id", "1")[0] == 0, args
    data = hotfix.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert b"rollback_plan: |-\r\n  revert\r\n  redeploy\r\n" in data
    record, findings = parse_hotfix(REL, "", data)
    assert not findings and record.status == "fix-deployed"


def test_default_time_is_hotfix_gate_now_and_naive_at_is_utc(
        hotfix: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-01T14:07:09.123Z")
    assert gate(capsys, "detected", "--id", "1")[0] == 0
    assert b"detected_at: 2025-10-01T14:07:09Z\n" in hotfix.read_bytes()
    assert gate(capsys, "log", "--id", "1", "checking replicas")[0] == 0
    assert b"| 2025-10-01T14:07:09Z | checking replicas |\n" in hotfix.read_bytes()
    assert gate(capsys, "deployed", "--id", "1", "--at", "2025-10-01 14:10")[0] == 0
    assert b"deployed_at: 2025-10-01T14:10:00Z\n" in hotfix.read_bytes()


def test_a_milestone_can_be_corrected_and_the_old_value_is_shown(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gate(capsys, "deployed", "--id", "1", "--at", "2025-10-01T14:30:00Z")[0] == 0
    code, out, _ = gate(capsys, "deployed", "--id", "1", "--at", "2025-10-01T14:35:00Z")
    assert code == 0
    assert out == f"{REL}: deployed_at: 2025-10-01T14:30:00Z -> 2025-10-01T14:35:00Z\n"


def test_resolution_without_a_deployment_is_allowed_and_said(
        hotfix: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys, "resolved", "--id", "1", "--at", "2025-10-01T14:45:00Z")
    assert code == 0
    assert out == (f"{REL}: resolved_at: null -> 2025-10-01T14:45:00Z, status: investigating -> "
                   "resolved (no deployment recorded: the post-incident clock starts at "
                   "resolution)\n")


def test_a_missing_status_key_is_added_next_to_its_neighbour(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = COMMENTED_HOTFIX.replace("status: investigating\n", "")
    hotfix = write_commented_record(here, text=text).hotfix
    before = hotfix.read_bytes()
    assert gate(capsys, "deployed", "--id", "1", "--at", "2025-10-01T14:30:00Z")[0] == 0
    after = hotfix.read_bytes()
    assert line_diff(before, after) == (
        [b"deployed_at: null\n"],
        [b"status: fix-deployed\n", b"deployed_at: 2025-10-01T14:30:00Z\n"])
    assert b"severity: null   # P0, P1 or P2\nstatus: fix-deployed\n" in after


def test_rollback_plan_from_a_file_and_from_stdin(
        hotfix: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Path) -> None:
    plan = tmp_path / "plan.md"
    plan.write_text("1. git revert HEAD\n2. make deploy\n\tthen watch the dashboard\n")
    assert gate(capsys, "set", "rollback-plan", "--file", str(plan), "--id", "1")[0] == 0
    record, _ = parse_hotfix(REL, "", hotfix.read_bytes())
    assert record.rollback_plan == "1. git revert HEAD\n2. make deploy\n\tthen watch the dashboard"
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"flip the flag back\n")))
    assert gate(capsys, "set", "rollback-plan", "--file", "-", "--id", "1")[0] == 0
    assert b"rollback_plan: flip the flag back\n" in hotfix.read_bytes()


def test_dash_c_runs_in_another_folder(hotfix: Path, capsys: pytest.CaptureFixture[str],
                                       tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert gate(capsys, "-C", str(hotfix.parents[3]), "set", "severity", "P2", "--id", "1")[0] == 0
    assert b"severity: P2   # P0, P1 or P2\n" in hotfix.read_bytes()


# -- refusals ---------------------------------------------------------------------------

@pytest.mark.parametrize(("setup", "args", "message"), [
    ([], ["detected", "--at", "2025-10-01T13:59:59Z"],
     "detected_at 2025-10-01T13:59:59Z would be before incident_start 2025-10-01T14:00:00Z"),
    ([], ["deployed", "--at", "2025-10-01T13:00:00Z"], "would be before incident_start"),
    ([["detected", "--at", "2025-10-01T14:10:00Z"]], ["deployed", "--at", "2025-10-01T14:05:00Z"],
     "deployed_at 2025-10-01T14:05:00Z would be before detected_at 2025-10-01T14:10:00Z"),
    ([["deployed", "--at", "2025-10-01T14:30:00Z"]], ["resolved", "--at", "2025-10-01T14:20:00Z"],
     "resolved_at 2025-10-01T14:20:00Z would be before deployed_at 2025-10-01T14:30:00Z"),
    ([["deployed", "--at", "2025-10-01T14:30:00Z"]], ["detected", "--at", "2025-10-01T14:40:00Z"],
     "detected_at 2025-10-01T14:40:00Z would be after deployed_at 2025-10-01T14:30:00Z"),
    ([["deployed", "--at", "2025-10-01T14:30:00Z"], ["resolved", "--at", "2025-10-01T15:00:00Z"]],
     ["deployed", "--at", "2025-10-01T15:10:00Z"],
     "deployed_at 2025-10-01T15:10:00Z would be after resolved_at 2025-10-01T15:00:00Z"),
    ([], ["detected", "--at", "yesterday"], "--at: 'yesterday' is not an ISO 8601 timestamp"),
    ([], ["set", "severity", "P7"], "severity must be P0, P1 or P2, not 'P7'"),
    ([], ["set", "reviewed-by", "  "], "reviewed-by needs a name on one line"),
    ([], ["set", "reviewed-by", "Ana\nstatus: closed"], "reviewed-by needs a name on one line"),
    ([], ["set", "rollback-plan"], "give the rollback plan as TEXT or with --file FILE"),
    ([], ["set", "rollback-plan", "x", "--file", "plan.md"], "(one of them)"),
    ([], ["set", "rollback-plan", " \n "], "the rollback plan is empty"),
    ([], ["set", "rollback-plan", "--file", "no-such-plan.md"],
     "--file no-such-plan.md: No such file or directory"),
    ([], ["log", " \n"], "the log message is empty"),
    # argv holding bytes that are not UTF-8 arrives as lone surrogates
    ([], ["set", "reviewed-by", "Ana\udcff"], "reviewed-by is not valid UTF-8 text"),
    ([], ["log", "rolled back\udcff"], "the log message is not valid UTF-8 text"),
])
def test_refusals_change_nothing(hotfix: Path, capsys: pytest.CaptureFixture[str],
                                 setup: list[list[str]], args: list[str], message: str) -> None:
    for step in setup:
        assert gate(capsys, *step, "--id", "1")[0] == 0
    err = refused(capsys, hotfix, *args, "--id", "1")
    assert message in err


def test_a_milestone_corrected_later_keeps_the_status(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`resolved` refused a deployment time and named `deployed` as the fix: on
    a resolved or closed record, `deployed --at` corrects the time, and the
    status, which only moves forward, stays."""
    hotfix = write_record(here, 1, severity="P1", status="resolved",
                          deployed_at="2025-10-01T14:50:00Z",
                          resolved_at="2025-10-01T15:00:00Z").hotfix
    err = refused(capsys, hotfix, "resolved", "--id", "1", "--at", "2025-10-01T14:40:00Z")
    assert "correct deployed_at (`hotfix-gate deployed ...`)" in err
    code, out, _ = gate(capsys, "deployed", "--id", "1", "--at", "2025-10-01T14:30:00Z")
    assert (code, out) == (0, f"{REL}: deployed_at: 2025-10-01T14:50:00Z -> "
                              "2025-10-01T14:30:00Z (status stays resolved)\n")
    assert gate(capsys, "resolved", "--id", "1", "--at", "2025-10-01T14:40:00Z")[0] == 0
    record, _ = parse_hotfix(REL, REL.rsplit("/", 1)[0], hotfix.read_bytes())
    assert (record.status, str(record.deployed_at), str(record.resolved_at)) == (
        "resolved", "2025-10-01 14:30:00+00:00", "2025-10-01 14:40:00+00:00")
    # A detection found later in the logs, on a closed record: the status stays closed.
    closed = write_record(here, 2, "cache", status="closed", deployed_at="2025-10-01T14:30:00Z",
                          resolved_at="2025-10-01T15:00:00Z").hotfix
    code, out, _ = gate(capsys, "detected", "--id", "2", "--at", "2025-10-01T14:10:00Z")
    assert code == 0 and out.endswith("detected_at: null -> 2025-10-01T14:10:00Z\n")
    code, out, _ = gate(capsys, "resolved", "--id", "2", "--at", "2025-10-01T14:55:00Z")
    assert code == 0 and "(status stays closed)" in out
    assert b"status: closed" in closed.read_bytes()


def test_an_invalid_record_is_refused_with_its_findings(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = COMMENTED_HOTFIX.replace("status: investigating", "status: on fire").replace(
        "detected_at: null", "detected_at: soon")
    hotfix = write_commented_record(here, text=text).hotfix
    before = hotfix.read_bytes()
    code, out, err = gate(capsys, "set", "severity", "P1", "--id", "1")
    assert (code, out) == (2, "")
    assert hotfix.read_bytes() == before
    lines = err.splitlines()
    assert lines[0].startswith(f"{REL}:9: HG001 record-valid: unknown status 'on fire'")
    assert lines[1].startswith(f"{REL}:11: HG001 record-valid: detected_at:")
    assert lines[2] == (f"hotfix-gate: error: {REL} is not a valid record; fix the line(s) above "
                        "first (nothing was changed)")


def test_broken_yaml_and_legacy_records_are_refused(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hotfix = write_commented_record(here, text="---\nid: [unclosed\n---\n").hotfix
    code, _, err = gate(capsys, "log", "x", "--id", "1")
    assert code == 2 and "HG001" in err and hotfix.read_bytes() == b"---\nid: [unclosed\n---\n"
    legacy = "# Hotfix\n\n**Hotfix ID**: hotfix-001\n**Severity**: P1\n"
    hotfix.write_text(legacy)
    code, _, err = gate(capsys, "set", "severity", "P0", "--id", "1")
    assert code == 2 and "`hotfix-gate migrate`" in err.splitlines()[-1]
    assert hotfix.read_text() == legacy


def test_a_symlinked_record_file_is_not_replaced(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    record = write_commented_record(here)
    real = here / "real-hotfix.md"
    record.hotfix.rename(real)
    record.hotfix.symlink_to(real)
    before = real.read_bytes()
    err = refused(capsys, real, "set", "severity", "P1", "--id", "1")
    assert "is a link, not a regular file" in err
    assert record.hotfix.is_symlink() and real.read_bytes() == before


# -- which record ----------------------------------------------------------------------

@pytest.fixture
def two(here: Path) -> tuple[Path, Path]:
    first = write_commented_record(here, 1).hotfix
    second = write_commented_record(here, 2, slug="cache-stampede").hotfix
    git(here, "add", "-A")
    git(here, "commit", "-q", "-m", "records")
    return first, second


@pytest.mark.parametrize("given", ["hotfix-002", "002", "2", " hotfix-2 "])
def test_id_forms(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str], given: str) -> None:
    first, second = two
    before = first.read_bytes()
    code, out, _ = gate(capsys, "set", "severity", "P2", "--id", given)
    assert code == 0 and out.startswith("specs/hotfix/002-cache-stampede/hotfix.md: ")
    assert b"severity: P2" in second.read_bytes() and first.read_bytes() == before


def test_branch_then_environment(two: tuple[Path, Path], capsys: pytest.CaptureFixture[str],
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    first, second = two
    here = first.parents[3]
    err = refused(capsys, first, "set", "severity", "P1")
    assert "which hotfix? pass --id hotfix-NNN" in err
    assert err == ("hotfix-gate: error: which hotfix? pass --id hotfix-NNN (not closed here: "
                   "hotfix-001, hotfix-002), check out its hotfix/NNN-* branch, or set "
                   "SPECIFY_HOTFIX\n")
    monkeypatch.setenv("SPECIFY_HOTFIX", "hotfix-001")
    assert gate(capsys, "set", "severity", "P1")[0] == 0
    assert b"severity: P1" in first.read_bytes()
    git(here, "checkout", "-q", "-b", "hotfix/002-cache-stampede")
    assert gate(capsys, "set", "severity", "P0")[0] == 0  # the branch wins over the variable
    assert b"severity: P0" in second.read_bytes() and b"severity: P1" in first.read_bytes()
    assert gate(capsys, "set", "severity", "P2", "--id", "1")[0] == 0  # --id wins over both
    assert b"severity: P2" in first.read_bytes()


def test_on_main_without_id_the_newest_records_not_closed_are_named(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for number in range(1, 9):
        write_record(here, number, f"incident-{number}",
                     status="closed" if number in (3, 8) else "investigating")
    err = refused(capsys, here / "specs/hotfix/001-incident-1/hotfix.md", "resolved")
    assert "pass --id hotfix-NNN (not closed here: hotfix-005, hotfix-006, hotfix-007 and 3 " \
           "older), check out" in err


def test_unknown_and_malformed_ids(two: tuple[Path, Path],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    first, _ = two
    assert "no hotfix record numbered 009" in refused(capsys, first, "log", "x", "--id", "9")
    assert "'abc' is not a hotfix id" in refused(capsys, first, "log", "x", "--id", "abc")


# -- atomic writes ---------------------------------------------------------------------

def test_a_failed_write_leaves_the_original_and_no_temporary_file(
        hotfix: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    # The rename is the last step of the atomic write; it fails here.
    monkeypatch.setattr(os, "replace", broken_replace)
    err = refused(capsys, hotfix, "set", "severity", "P1", "--id", "1")
    assert "cannot write" in err and "No space left on device" in err
    assert sorted(p.name for p in hotfix.parent.iterdir()) == ["hotfix.md", "post-mortem.md"]


def test_a_change_made_during_the_edit_is_not_overwritten(
        hotfix: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    import hotfix_gates.editing.frontmatter as fmedit

    real = fmedit.set_key

    def racing(data: bytes, key: str, value: object) -> bytes:
        hotfix.write_bytes(data.replace(b"title:", b"title: 'edited meanwhile'\nx:"))
        return real(data, key, value)

    monkeypatch.setattr(fmedit, "set_key", racing)
    code, _, err = gate(capsys, "set", "severity", "P1", "--id", "1")
    assert code == 2 and "changed while it was being edited" in err
    assert b"edited meanwhile" in hotfix.read_bytes() and b"severity: null" in hotfix.read_bytes()


KILLED_MID_WRITE = """
import os, sys, time
def stalled(fd):
    open(sys.argv[1], "w").close()
    time.sleep(60)
os.fsync = stalled
from hotfix_gates.cli import main
sys.exit(main(sys.argv[2:]))
"""


def test_killed_mid_write_leaves_the_original_intact(hotfix: Path, tmp_path: Path) -> None:
    here = hotfix.parents[3]
    before = hotfix.read_bytes()
    ready = tmp_path / "writing"
    env = clean_env(PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_MID_WRITE, str(ready), "set", "rollback-plan",
         "revert\n" * 2000, "--id", "1"],
        cwd=here, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not ready.exists():
            assert child.poll() is None, "the edit ended before it wrote"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert hotfix.read_bytes() == before
    leftovers = [p for p in hotfix.parent.iterdir() if p.name.startswith(".hotfix.md.")]
    assert len(leftovers) == 1 and leftovers[0].stat().st_size > 0  # the unfinished copy
    # The next run works as if nothing happened.
    result = run_gate(here, "set", "severity", "P1", "--id", "1")
    assert result.returncode == 0, result.stderr
    assert b"severity: P1" in hotfix.read_bytes()
    assert not [p for p in hotfix.parent.iterdir() if p.name.startswith(".hotfix.md.")]


def test_a_layout_the_editor_cannot_keep_is_refused(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "---\n{{id: hotfix-{number:03d}, severity: null, status: investigating}}\n---\n"
    hotfix = write_commented_record(here, text=text).hotfix
    err = refused(capsys, hotfix, "set", "severity", "P1", "--id", "1")
    assert err == (f"hotfix-gate: error: cannot edit {REL}: the front matter is not a block of "
                   "`key: value` lines; edit the file by hand\n")


@pytest.mark.parametrize("command", [["resolved"], ["detected"], ["log", "later"],
                                     ["regression-test", "tests/t.py"]])
def test_a_time_in_the_future_is_refused(
        hotfix: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
        command: list[str]) -> None:
    # A future resolution would hold the post-incident deadlines off.
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-01T15:00:00Z")
    err = refused(capsys, hotfix, *command, "--at", "2999-01-01T00:00:00Z", "--id", "1",
                  "--not-yet" if command[0] == "regression-test" else "--id=1")
    assert err == ("hotfix-gate: error: --at 2999-01-01T00:00:00Z is in the future (now is "
                   "2025-10-01T15:00:00Z); give the time it happened\n")
    # A few minutes of clock skew are fine.
    assert gate(capsys, *command, "--at", "2025-10-01T15:04:00Z", "--id", "1",
                "--not-yet" if command[0] == "regression-test" else "--id=1")[0] == 0
