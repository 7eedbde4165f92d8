"""The commit step end to end: the hooks judge commits, so an edit that is
only in the working tree does not unblock a push; --commit (or the command
printed instead) does, and never takes the rest of the index along."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from testing import legacy_repo
from testing.edits import without_notes
from testing.pushes import make_pushing_clone, push, remote_sha
from testing.repos import COMPLETE_POST_MORTEM, clean_env, git, run_gate, write_record

BRANCH = "hotfix/001-database-connection-pool"
NOW = "2025-10-01T14:20:00Z"


def gate(repo: Path, *args: str) -> tuple[int, str, str]:
    done = run_gate(repo, *args, env=clean_env(HOTFIX_GATE_NOW=NOW))
    return done.returncode, done.stdout, without_notes(done.stderr)


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, Path]:
    """A clone with the pre-push hook, its bare remote with pre-receive, and a
    hotfix branch whose record has no severity yet."""
    repo, remote = make_pushing_clone(tmp_path, pre_receive=True)
    git(repo, "checkout", "-q", "-b", BRANCH)
    write_record(repo, 1)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "open the record")
    return repo, remote


def test_an_edit_only_in_the_working_tree_does_not_unblock_the_push(
        clone: tuple[Path, Path]) -> None:
    repo, remote = clone
    assert push(repo, "origin", BRANCH, now=NOW).returncode != 0
    code, _, err = gate(repo, "set", "severity", "P0")
    assert code == 0
    lines = err.splitlines()
    assert lines[0] == ("hotfix-gate: the hooks judge commits, not files; commit the change "
                        "(or pass --commit):")
    pushed = push(repo, "origin", BRANCH, now=NOW)
    assert pushed.returncode != 0 and "HG101 severity" in pushed.stderr  # not committed yet
    done = subprocess.run(shlex.split(lines[1].strip()), cwd=repo, env=clean_env(),
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert push(repo, "origin", BRANCH, now=NOW).returncode == 0
    assert remote_sha(remote, BRANCH) == git(repo, "rev-parse", "HEAD").stdout.strip()


EDITS = [
    (["set", "severity", "P0"], "hotfix-001: severity P0"),
    (["set", "rollback-plan", "git revert HEAD"], "hotfix-001: rollback plan written"),
    (["set", "reviewed-by", "Ana Ruiz"], "hotfix-001: reviewed by Ana Ruiz"),
    (["set", "incident-start", "2025-10-01T13:55:00Z"],
     "hotfix-001: incident started at 2025-10-01T13:55:00Z"),
    (["detected", "--at", "2025-10-01T14:02:00Z"], "hotfix-001: detected at 2025-10-01T14:02:00Z"),
    (["log", "paged the DBA"], f"hotfix-001: log {NOW}: paged the DBA"),
    (["deployed", "--at", "2025-10-01T14:10:00Z"], "hotfix-001: deployed at 2025-10-01T14:10:00Z"),
    (["monitoring"], "hotfix-001: monitoring the fix"),
    (["resolved", "--at", "2025-10-01T14:15:00Z"], "hotfix-001: resolved at 2025-10-01T14:15:00Z"),
    (["waive", "HG103", "--reason", "P0: no time"], "hotfix-001: waive HG103 quick-review with "
                                                    "no end"),
    (["regression-test", "tests/test_pool.py::test_release"],
     "hotfix-001: regression test tests/test_pool.py::test_release"),
    (["post-mortem-complete"], "hotfix-001: post-mortem complete"),
    (["closed"], "hotfix-001: closed"),
]


def test_every_edit_commits_only_its_record_with_other_work_staged(
        clone: tuple[Path, Path]) -> None:
    repo, remote = clone
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    (repo / "app.py").write_text("half-done work\n")
    git(repo, "add", "tests", "app.py")
    git(repo, "commit", "-q", "-m", "the test", "--", "tests")
    (repo / "specs/hotfix/001-database-connection-pool/post-mortem.md").write_text(
        COMPLETE_POST_MORTEM.replace("status: complete", "status: draft"))
    git(repo, "add", "specs")
    git(repo, "commit", "-q", "-m", "post-mortem written", "--", "specs")
    for args, message in EDITS:
        code, out, err = gate(repo, *args, "--commit")
        assert code == 0, (args, err)
        assert out.splitlines()[-1].endswith(f" on {BRANCH}: {message}"), out
        subject = git(repo, "log", "-1", "--format=%s").stdout.strip()
        assert subject == message
        changed = git(repo, "show", "--name-only", "--format=", "HEAD").stdout.split()
        assert all(path.startswith("specs/hotfix/001-") for path in changed), changed
        assert git(repo, "diff", "--cached", "--name-only").stdout.split() == ["app.py"]
    assert push(repo, "origin", BRANCH, now=NOW).returncode == 0
    assert remote_sha(remote, BRANCH) is not None


def test_migrate_write_commit(tmp_path: Path) -> None:
    repo = legacy_repo.build(tmp_path / "service")
    (repo / "app.py").write_text("staged\n")
    git(repo, "add", "app.py")
    done = run_gate(repo, "migrate", "--id", "2", "--write", "--commit")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1].endswith(
        "hotfix-002: front matter derived from its Markdown (migrate)")
    assert git(repo, "show", "--name-only", "--format=", "HEAD").stdout.split() == [
        "specs/hotfix/002-checkout-timeouts/hotfix.md",
        "specs/hotfix/002-checkout-timeouts/post-mortem.md"]
    assert git(repo, "diff", "--cached", "--name-only").stdout.split() == ["app.py"]
    refused = run_gate(repo, "migrate", "--id", "1", "--commit")
    assert refused.returncode == 2 and "--commit commits what --write writes" in refused.stderr


def test_a_future_resolution_is_refused_whatever_hotfix_gate_now_says(
        clone: tuple[Path, Path]) -> None:
    repo, _ = clone
    before = (repo / "specs/hotfix/001-database-connection-pool/hotfix.md").read_bytes()
    done = run_gate(repo, "resolved", env=clean_env(HOTFIX_GATE_NOW="2999-01-01T00:00:00Z"))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "hotfix-gate: note: HOTFIX_GATE_NOW=2999-01-01T00:00:00Z stands in for the clock",
        done.stderr.splitlines()[1]]
    assert "is in the future (the system clock says" in done.stderr
    assert (repo / "specs/hotfix/001-database-connection-pool/hotfix.md").read_bytes() == before
