"""The post-incident clock cannot be escaped: records that would hold it off
are refused by the server hook and by CI, and the hooks say when a fix is
only in the working tree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from testing.pushes import make_pushing_clone, push, remote_sha, server_clock
from testing.repos import clean_env, commit_all, git, run_gate, write_record

LATER = "2025-10-11T12:00:00Z"  # ten days after the incidents below began
READY = {"severity": "P0", "rollback_plan": "git revert the fix"}


@pytest.fixture
def server(tmp_path: Path) -> tuple[Path, Path]:
    """A clone whose pushes only the server judges (no pre-push hook)."""
    return make_pushing_clone(tmp_path, pre_push=False, pre_receive=True)


def push_at(repo: Path, remote: Path, now: str) -> int:
    """Push main with the server's clock at `now` (its own git config)."""
    server_clock(remote, now)
    return push(repo, "origin", "main", now=now).returncode


def refused(repo: Path, remote: Path, now: str = LATER) -> str:
    before = remote_sha(remote, "refs/heads/main")
    server_clock(remote, now)
    done = push(repo, "origin", "main", now=now)
    assert done.returncode != 0, done.stderr
    assert remote_sha(remote, "refs/heads/main") == before
    return done.stderr


def ci(repo: Path, now: str = LATER) -> tuple[int, str]:
    git(repo, "fetch", "-q", "origin")
    done = run_gate(repo, "check", "--base", "origin/main", env=clean_env(HOTFIX_GATE_NOW=now))
    return done.returncode, done.stdout


def test_an_open_incident_cannot_hide(server: tuple[Path, Path]) -> None:
    """The quick start followed literally: the record reaches main while the
    incident is open, and its resolution never does."""
    repo, remote = server
    write_record(repo, 1, **READY)
    commit_all(repo, "hotfix-001 assessed")
    assert push_at(repo, remote, "2025-10-01T15:00:00Z") == 0
    (repo / "README.md").write_text("an unrelated change, ten days later\n")
    commit_all(repo, "unrelated")
    stderr = refused(repo, remote)
    assert "HG204 open-incident: open 9d 22h with no resolution recorded" in stderr
    assert "hotfix-gate resolved --at TIME --id hotfix-001" in stderr
    code, out = ci(repo)
    assert code == 1 and "HG204" in out
    status = run_gate(repo, "status", "--overdue", env=clean_env(HOTFIX_GATE_NOW=LATER))
    assert status.returncode == 1 and "resolution OVERDUE by" in status.stdout


@pytest.mark.parametrize(("fields", "message"), [
    ({"status": "resolved", "deployed_at": "2025-10-01T15:00:00Z",
      "resolved_at": "2030-01-01T00:00:00Z"},
     "resolved_at 2030-01-01T00:00:00Z is in the future"),
    ({"status": "monitoring"}, "status is monitoring but deployed_at is not set"),
    ({"resolved_at": "2025-10-01T13:24:00Z"}, "resolved_at 2025-10-01T13:24:00Z is before "
                                              "incident_start"),
    ({"status": None}, "status is missing"),
    ({"incident_start": None}, "incident_start is missing"),
    ({"id": None}, "id is missing"),
])
def test_records_that_would_hold_the_clock_off_are_refused(
        server: tuple[Path, Path], fields: dict[str, object], message: str) -> None:
    repo, remote = server
    values: dict[str, Any] = {**READY, **fields}
    write_record(repo, 1, **values)
    commit_all(repo, "a record that holds the clock off")
    stderr = refused(repo, remote)
    assert f"HG001 record-valid: {message}" in stderr
    assert "hotfix-gate waive record-valid" not in stderr  # HG001 cannot be waived
    code, out = ci(repo)
    assert code == 1 and message in out


def test_blocked_pushes_say_what_to_waive_and_what_is_not_committed(tmp_path: Path) -> None:
    repo, _ = make_pushing_clone(tmp_path, pre_push=True)
    write_record(repo, 1, **READY, status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z")
    commit_all(repo, "resolved, post-incident work not done")
    (repo / "specs/hotfix/001-database-connection-pool/post-mortem.md").write_text(
        "---\nstatus: complete\n---\nwritten, but not committed\n")
    done = push(repo, "origin", "main", now=LATER)
    assert done.returncode != 0
    assert "hotfix-gate waive post-mortem --id hotfix-001 --reason TEXT --until 24h" in done.stderr
    assert "hotfix-gate waive regression-test --id hotfix-001" in done.stderr
    assert ("note: specs/hotfix/001-database-connection-pool/post-mortem.md has changes in the "
            "working tree that are not in the pushed commit: commit them") in done.stderr
    sha = git(repo, "rev-parse", "HEAD").stdout.strip()
    assert f"rerun by hand: hotfix-gate check --rev {sha} --branch main" in done.stderr


def test_a_regression_test_written_but_never_committed_is_named(tmp_path: Path) -> None:
    """`regression-test --commit` commits the record, not the test: check (the
    working tree) passes while the push is blocked; both say what to commit."""
    from testing.repos import COMPLETE_POST_MORTEM

    repo, _ = make_pushing_clone(tmp_path, pre_push=True)
    write_record(repo, 1, **READY, status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z", post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_release"])
    commit_all(repo, "resolved, the test listed")
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_release():\n    assert True\n")
    done = push(repo, "origin", "main", now=LATER)
    assert done.returncode != 0 and "tests/test_pool.py does not exist" in done.stderr
    assert ("note: tests/test_pool.py is in the working tree but not in the pushed commit: "
            "`git add tests/test_pool.py`, then commit it and push again") in done.stderr
    checked = run_gate(repo, "check", env=clean_env(HOTFIX_GATE_NOW=LATER))
    assert checked.returncode == 0
    assert checked.stderr == ("hotfix-gate: note: not committed yet, and the hooks judge "
                              "commits: tests/test_pool.py; commit them (`hotfix-gate check "
                              "--rev HEAD` judges what a push would)\n")
    assert run_gate(repo, "check", "--rev", "HEAD",
                    env=clean_env(HOTFIX_GATE_NOW=LATER)).returncode == 1
    git(repo, "add", "tests/test_pool.py")
    git(repo, "commit", "-q", "-m", "the regression test")
    checked = run_gate(repo, "check", env=clean_env(HOTFIX_GATE_NOW=LATER))
    assert (checked.returncode, checked.stderr) == (0, "")
    assert push(repo, "origin", "main", now=LATER).returncode == 0


def test_the_rerun_command_gives_the_hooks_verdict_for_a_hotfix_branch(tmp_path: Path) -> None:
    repo, _ = make_pushing_clone(tmp_path, pre_push=True)
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-connection-pool")
    write_record(repo, 1, incident_start="2025-10-02T11:00:00Z")
    sha = commit_all(repo, "record, unassessed")
    done = push(repo, "origin", "hotfix/001-database-connection-pool")
    assert done.returncode != 0
    rerun = f"hotfix-gate check --rev {sha} --branch hotfix/001-database-connection-pool"
    assert rerun in done.stderr
    by_hand = run_gate(repo, *rerun.split()[1:], env=clean_env(HOTFIX_GATE_NOW=LATER))
    hook_codes = sorted(line.split()[1] for line in done.stderr.splitlines()
                        if line.startswith("  specs/"))
    assert by_hand.returncode == 1
    assert sorted(line.split()[1] for line in by_hand.stdout.splitlines()
                  if line.startswith("specs/")) == hook_codes == ["HG101"]
    git(repo, "checkout", "-q", "-b", "hotfix/099-made-by-hand", "main")
    sha = git(repo, "rev-parse", "HEAD").stdout.strip()
    done = push(repo, "origin", "hotfix/099-made-by-hand")
    assert "no record for hotfix-099" in done.stderr
    by_hand = run_gate(repo, "check", "--rev", sha, "--branch", "hotfix/099-made-by-hand")
    assert by_hand.returncode == 1 and "no record for hotfix-099" in by_hand.stdout


def test_pre_push_compares_with_the_remote_tip_as_the_server_does(tmp_path: Path) -> None:
    """A resolution moved later on main is refused on the laptop already, not
    only by the server, when the clone has the remote's tip."""
    repo, _ = make_pushing_clone(tmp_path, pre_push=True, pre_receive=True)
    write_record(repo, 1, **READY, status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z")
    commit_all(repo, "resolved")
    assert push(repo, "origin", "main", now="2025-10-02T12:00:00Z").returncode == 0
    write_record(repo, 1, **READY, status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-02T11:00:00Z")
    commit_all(repo, "the resolution, moved later")
    done = push(repo, "origin", "main", now="2025-10-02T12:00:00Z")
    assert done.returncode != 0
    assert "hotfix-gate pre-push to main: blocked" in done.stderr
    assert "HG205 milestones-kept" in done.stderr
    old = git(repo, "rev-parse", "origin/main").stdout.strip()
    assert f"--branch main --base {old}" in done.stderr
