"""pre-receive end to end: a bare remote with the hook, real `git push`
(also with --no-verify), objects read from git's quarantine, configuration
from the target branch's tip."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.pushes import accept_rules, make_pushing_clone, make_remote, push, remote_sha, run_hook
from testing.repos import commit_all, git, make_repo, write_record

MODULE = "hotfix_gates.hooks.pre_receive"
Z = "0" * 40


@pytest.fixture
def served(tmp_path: Path) -> tuple[Path, Path]:
    """A clone without client hooks, and its remote with pre-receive."""
    return make_pushing_clone(tmp_path, pre_push=False, pre_receive=True)


def sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).stdout.strip()


def remote_lines(stderr: str) -> list[str]:
    return [line.rstrip() for line in stderr.splitlines() if line.startswith("remote: ")]


def test_no_verify_push_is_refused_with_remote_lines(served: tuple[Path, Path]) -> None:
    repo, remote = served
    write_record(repo, 1, "database-pool", severity="P0")
    commit_all(repo, "no rollback plan")
    refused = push(repo, "--no-verify", "origin", "main")
    assert refused.returncode != 0
    lines = remote_lines(refused.stderr)
    assert "remote: hotfix-gate pre-receive to main: blocked" in lines
    assert any("hotfix.md:11: HG102 rollback-plan: no rollback plan" in line for line in lines)
    assert any(f"hotfix-gate check --rev {sha(repo)} --base origin/main" in line
               for line in lines)
    assert "pre-receive hook declined" in refused.stderr
    assert remote_sha(remote, "main") != sha(repo)


def test_ready_push_is_accepted_and_objects_came_from_quarantine(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    write_record(repo, 1, "database-pool", severity="P0", rollback_plan="revert")
    commit_all(repo, "ready")
    # the record's objects exist only in git's quarantine while the hook runs
    assert git(remote, "cat-file", "-e", sha(repo), check=False).returncode != 0
    accepted = push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(repo)


def test_hotfix_branch_needs_its_severity_on_the_server(served: tuple[Path, Path]) -> None:
    repo, remote = served
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-pool")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "unassessed")
    refused = push(repo, "origin", "hotfix/001-database-pool")
    assert refused.returncode != 0
    assert any("HG101 severity" in line for line in remote_lines(refused.stderr))
    assert remote_sha(remote, "refs/heads/hotfix/001-database-pool") is None


def test_a_push_cannot_weaken_its_own_rules(served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text(
        "protected_branches: [production]\ngates: {rollback-plan: off, severity: off}\n")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "turn the gates off in the same push")
    refused = push(repo, "origin", "main")
    assert refused.returncode != 0
    text = "\n".join(remote_lines(refused.stderr))
    assert "HG101 severity" in text and "HG102 rollback-plan" in text
    assert remote_sha(remote, "main") != sha(repo)


def test_configuration_on_the_target_tip_is_in_force(served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text("gates: {rollback-plan: off}\n")
    commit_all(repo, "configuration first")
    accept_rules(repo, remote)  # it relaxes the defaults (HG207)
    assert push(repo, "origin", "main").returncode == 0
    write_record(repo, 1, "database-pool", severity="P0")
    commit_all(repo, "record without a rollback plan, allowed by main's configuration")
    accepted = push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(repo)


def test_new_branch_is_judged_by_the_servers_head_configuration(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main, 'stable/*']\n")
    commit_all(repo, "stable branches are protected")
    accept_rules(repo, remote)  # it drops some default patterns (HG207)
    assert push(repo, "origin", "main").returncode == 0
    git(repo, "checkout", "-q", "-b", "topic")
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main]\n")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "unassessed, and stable/* unprotected in this commit")
    refused = push(repo, "origin", "topic:refs/heads/stable/3")
    assert refused.returncode != 0
    assert "remote: hotfix-gate pre-receive to stable/3: blocked" in remote_lines(refused.stderr)
    assert remote_sha(remote, "refs/heads/stable/3") is None
    assert push(repo, "origin", "topic:refs/heads/topic").returncode == 0


def test_first_push_into_an_empty_server_uses_the_defaults(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "empty.git", pre_receive=True)
    repo = make_repo(tmp_path / "service")
    git(repo, "remote", "add", "origin", str(remote))
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [nothing]\n")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "unassessed")
    refused = push(repo, "origin", "main")
    assert refused.returncode != 0 and "HG101" in refused.stderr
    assert remote_sha(remote, "main") is None


def test_a_broken_configuration_is_refused_and_its_repair_lands(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main\n")
    commit_all(repo, "broken configuration")
    refused = push(repo, "origin", "main")
    assert refused.returncode != 0
    assert any(".hotfix-gates.yaml:1: HG002 config-valid: this configuration does not load: "
               "invalid YAML" in line for line in remote_lines(refused.stderr)), refused.stderr
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main]\n")
    commit_all(repo, "repair it")
    accept_rules(repo, remote)  # it drops some default patterns (HG207)
    repaired = push(repo, "origin", "main")
    assert repaired.returncode == 0, repaired.stderr
    assert remote_sha(remote, "main") == sha(repo)


def test_tags_and_deletions_pass_but_not_of_a_protected_branch(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    assert push(repo, "origin", "main:refs/heads/old", "main:release/1").returncode == 0
    write_record(repo, 1, "database-pool")
    commit_all(repo, "unassessed")
    git(repo, "tag", "v2")
    pushed = push(repo, "origin", "v2", ":refs/heads/old")
    assert pushed.returncode == 0, pushed.stderr
    assert remote_sha(remote, "refs/tags/v2") == sha(repo)
    assert remote_sha(remote, "refs/heads/old") is None
    refused = push(repo, "origin", ":refs/heads/release/1")
    assert refused.returncode != 0
    assert remote_lines(refused.stderr)[0].startswith(
        "remote: hotfix-gate pre-receive to release/1: refused: release/1 is a protected branch")
    assert remote_sha(remote, "refs/heads/release/1") is not None


def test_many_refs_in_one_push(served: tuple[Path, Path]) -> None:
    repo, remote = served
    write_record(repo, 1, "database-pool", severity="P1", rollback_plan="revert",
                 reviewed_by="alice")
    good = commit_all(repo, "ready")
    write_record(repo, 2, "cache")
    bad = commit_all(repo, "hotfix-002 unassessed")
    updates = [f"create refs/heads/hotfix/001-r{n} {good}" for n in range(190)]
    updates += [f"create refs/heads/hotfix/002-r{n} {bad}" for n in range(9)]
    updates.append(f"create refs/heads/release/9 {good}")
    git(repo, "update-ref", "--stdin", input="\n".join(updates) + "\n")
    refused = push(repo, "origin", "refs/heads/hotfix/*:refs/heads/hotfix/*",
                   "release/9")
    assert refused.returncode != 0
    lines = remote_lines(refused.stderr)
    assert sum("pre-receive to hotfix/002-r" in line for line in lines) == 9
    assert sum("HG101 severity" in line for line in lines) == 1  # judged once, named once
    assert not any("hotfix/001-r" in line or "release/9" in line for line in lines)
    assert remote_sha(remote, "refs/heads/release/9") is None

    # a thousand ready refs pass: fed straight to the hook on the server (a real push of
    # a thousand refs costs git seconds; the hook takes a fraction of one)
    git(repo, "push", "-q", "origin", f"{good}:refs/heads/carrier")  # brings the objects
    ready = "".join(f"{Z} {good} refs/heads/hotfix/001-s{n}\n" for n in range(1000))
    accepted = run_hook(remote, MODULE, ready + f"{Z} {good} refs/heads/main\n")
    assert accepted.returncode == 0, accepted.stderr[-2000:]


@pytest.mark.parametrize("stdin", ["nonsense\n", f"{Z} {Z} refs/heads/main\n"])
def test_malformed_stdin_is_one_line_and_exit_2(served: tuple[Path, Path], stdin: str) -> None:
    _, remote = served
    result = run_hook(remote, MODULE, stdin)
    assert result.returncode == 2
    assert result.stderr.startswith("hotfix-gate pre-receive: error: stdin line 1: ")
    assert result.stderr.count("\n") == 1


def test_missing_pushed_object_is_one_line(served: tuple[Path, Path]) -> None:
    _, remote = served
    result = run_hook(remote, MODULE, f"{Z} {'1' * 40} refs/heads/main\n")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "quarantine" in result.stderr and "Traceback" not in result.stderr
