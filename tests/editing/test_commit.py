"""The commit step on real repositories: exactly the record's files, the rest
of the index left alone, and a printed command that does the same."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from hotfix_gates.editing import commit
from hotfix_gates.model.errors import ToolError
from testing.repos import clean_env, git, make_repo

FILE = "specs/hotfix/001-pool/hotfix.md"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    repo = make_repo(tmp_path / "my service")  # a space, to test the quoting
    (repo / "specs/hotfix/001-pool").mkdir(parents=True)
    (repo / FILE).write_text("v1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "record")
    for name, value in clean_env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(repo)
    commit.forget_start()
    return repo


def staged(repo: Path) -> list[str]:
    return git(repo, "diff", "--cached", "--name-only").stdout.split()


def test_only_the_record_is_committed_and_the_index_keeps_the_rest(service: Path) -> None:
    (service / "app.py").write_text("staged work\n")
    git(service, "add", "app.py")
    (service / FILE).write_text("v2\n")
    commit.finish(service, [FILE], "hotfix-001: resolved at 2025-10-01T16:00:00Z", True)
    shown = git(service, "show", "--name-only", "--format=%s", "HEAD").stdout.split("\n")
    assert shown[0] == "hotfix-001: resolved at 2025-10-01T16:00:00Z"
    assert [line for line in shown[1:] if line] == [FILE]
    assert staged(service) == ["app.py"]  # still staged, not committed
    assert git(service, "status", "--porcelain", "--", FILE).stdout == ""


def test_a_new_folder_is_added_and_committed_alone(service: Path) -> None:
    folder = "specs/hotfix/002-cache/"
    (service / folder).mkdir()
    for name in ("hotfix.md", "post-mortem.md"):
        (service / folder / name).write_text(name)
    (service / "app.py").write_text("staged work\n")
    git(service, "add", "app.py")
    commit.finish(service, [folder], "hotfix-002: open the record", True)
    assert git(service, "show", "--name-only", "--format=", "HEAD").stdout.split() == [
        f"{folder}hotfix.md", f"{folder}post-mortem.md"]
    assert staged(service) == ["app.py"]


def test_without_commit_the_printed_command_does_it(service: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    (service / FILE).write_text("v2\n")
    (service / "app.py").write_text("staged work\n")
    git(service, "add", "app.py")
    commit.finish(service, [FILE], "hotfix-001: it's resolved", False)
    lines = capsys.readouterr().err.splitlines()
    assert lines == ["hotfix-gate: the hooks judge commits, not files; commit the change (or "
                     "pass --commit):",
                     f"  git commit -m 'hotfix-001: it'\"'\"'s resolved' -- {FILE}"]
    done = subprocess.run(lines[1].strip(), shell=True, cwd=service, env=clean_env(),
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert git(service, "log", "-1", "--format=%s").stdout.strip() == "hotfix-001: it's resolved"
    assert staged(service) == ["app.py"]


def test_the_command_works_from_a_subfolder_and_from_outside(
        service: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (service / "src").mkdir()
    monkeypatch.chdir(service / "src")
    assert commit.command_line(service, [FILE], [], "m") == f"git commit -m m -- ../{FILE}"
    commit.remember_start(str(service.parent))  # `hotfix-gate -C "my service" ...`
    assert commit.command_line(service, [FILE], [FILE], "m") == (
        f"git -C 'my service' add -- {FILE} && git -C 'my service' commit -m m -- {FILE}")
    commit.forget_start()
    commit.remember_start("/")
    assert commit.command_line(service, [FILE], [], "m").startswith(
        f"git -C {shlex.quote(str(service))} commit")


def test_nothing_to_commit_says_nothing(service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit.finish(service, [FILE], "m", True)
    commit.finish(service, [FILE], "m", False)
    assert capsys.readouterr() == ("", "")
    assert git(service, "log", "-1", "--format=%s").stdout.strip() == "record"


def test_earlier_changes_to_the_file_are_named(service: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    (service / FILE).write_text("v2\n")
    commit.finish(service, [FILE], "hotfix-001: severity P0", True, dirty_before=[FILE])
    assert "also carries earlier uncommitted changes to" in capsys.readouterr().err
    body = git(service, "log", "-1", "--format=%b").stdout
    assert f"also carries earlier uncommitted changes to {FILE}" in body


def test_a_refused_commit_leaves_the_edit_and_says_how_to_finish(
        service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hook = service / ".git/hooks/commit-msg"
    hook.write_text("#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n")
    hook.chmod(0o755)
    (service / FILE).write_text("v2\n")
    with pytest.raises(ToolError, match=r"git commit failed \(policy: no commits today\); the "
                                        r"edit is written but not committed"):
        commit.finish(service, [FILE], "hotfix-001: severity P0", True)
    assert "policy: no commits today" in capsys.readouterr().err
    assert (service / FILE).read_text() == "v2\n"
    assert git(service, "log", "-1", "--format=%s").stdout.strip() == "record"


def _merge_refused_by_a_hook(repo: Path) -> None:
    """A merge left in progress, as a commit-msg refusal of `merge --no-ff` leaves it."""
    git(repo, "checkout", "-q", "-b", "hotfix/001-pool")
    (repo / FILE).write_text("v2\n")
    git(repo, "commit", "-q", "-am", "record on the branch")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "--no-commit", "hotfix/001-pool")


def test_during_a_merge_commit_stages_the_edit_for_the_merge(
        service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """git refuses to commit only some paths during a merge: the edit is
    staged, and `git commit` completes the merge with it."""
    _merge_refused_by_a_hook(service)
    assert commit.operation_in_progress(service) == "merge"
    (service / FILE).write_text("v3\n")
    commit.finish(service, [FILE], "hotfix-001: severity P1", True)
    err = capsys.readouterr().err
    assert err == (f"hotfix-gate: a merge is in progress: staged {FILE}; `git commit` completes "
                   "the merge with it\n")
    assert git(service, "diff", "--cached", "--name-only").stdout.split() == [FILE]
    git(service, "commit", "-q", "--no-edit")
    parents = git(service, "rev-list", "--parents", "-n", "1", "HEAD").stdout.split()
    assert len(parents) == 3 and (service / FILE).read_text() == "v3\n"
    assert git(service, "show", "HEAD:" + FILE).stdout == "v3\n"


def test_during_a_merge_the_printed_command_completes_it(
        service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _merge_refused_by_a_hook(service)
    (service / FILE).write_text("v3\n")
    commit.finish(service, [FILE], "hotfix-001: severity P1", False)
    err = capsys.readouterr().err
    line = f"git add -- {FILE} && git commit"
    assert err == f"hotfix-gate: a merge is in progress; `{line}` completes it with this change\n"
    done = subprocess.run(["sh", "-c", line], cwd=service, env=clean_env(GIT_EDITOR="true"),
                          capture_output=True, text=True, check=False, input="")
    assert done.returncode == 0, done.stderr
    assert git(service, "show", "HEAD:" + FILE).stdout == "v3\n"
    assert commit.operation_in_progress(service) is None
