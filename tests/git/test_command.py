"""git as a command, the git dir and HEAD: real repositories, no mocks."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotfix_gates.git import command
from hotfix_gates.git.command import GitFailed
from testing.repos import clean_env, commit_all, git, make_repo


def rev_parse(repo: Path, *args: str) -> str:
    return git(repo, "rev-parse", *args).stdout.strip()


@pytest.fixture
def env() -> dict[str, str]:
    return clean_env()


# ---------------------------------------------------------------- run_git


def test_run_git_returns_stdout_and_raises_one_error(repo: Path, env: dict[str, str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    assert command.run_git(["rev-parse", "HEAD"], env).strip().decode() == rev_parse(repo, "HEAD")
    assert command.run_git(["hash-object", "--stdin"], env, b"x").strip() == \
        git(repo, "hash-object", "--stdin", input="x").stdout.strip().encode()
    with pytest.raises(GitFailed, match=r"^git rev-parse failed: fatal: "):
        command.run_git(["rev-parse", "--verify", "no-such-rev"], env)
    with pytest.raises(GitFailed, match="cannot run git"):
        command.run_git(["status"], {**env, "PATH": str(repo)})


def test_run_git_honours_the_index_git_names(repo: Path, env: dict[str, str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    (repo / "new.txt").write_text("staged elsewhere\n")
    other = {**env, "GIT_INDEX_FILE": str(repo / ".git" / "other-index")}
    git(repo, "read-tree", "HEAD", env=other)
    git(repo, "add", "new.txt", env=other)
    assert command.index_entry("new.txt", other) is not None
    assert command.index_entry("new.txt", env) is None  # the repository's index has none


# --------------------------------------------------------- git dir, HEAD


def test_git_dir_of_a_normal_repository(repo: Path) -> None:
    (repo / "src" / "deep").mkdir(parents=True)
    for where in (repo, repo / "src" / "deep"):
        git_dir = command.find_git_dir({}, str(where))
        assert git_dir == str(repo / ".git")
        assert command.common_dir_of(str(git_dir)) == str(repo / ".git")
    assert command.head_branch(str(repo / ".git")) == "main"


def test_git_dir_of_a_linked_worktree(repo: Path, tmp_path: Path) -> None:
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "-b", "release/1.0")
    git_dir = command.find_git_dir({}, str(wt / "."))
    assert git_dir == os.path.realpath(rev_parse(wt, "--absolute-git-dir"))
    assert command.common_dir_of(git_dir) == str(repo / ".git")
    assert command.head_branch(git_dir) == "release/1.0"  # HEAD lives per worktree
    assert command.head_branch(str(repo / ".git")) == "main"


def test_git_dir_from_the_environment(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert command.find_git_dir({"GIT_DIR": str(repo / ".git")}, str(elsewhere)) == \
        str(repo / ".git")
    assert command.find_git_dir({"GIT_DIR": "../service/.git"}, str(elsewhere)) == \
        str(repo / ".git")  # relative to where the hook runs
    assert command.find_git_dir({"GIT_DIR": str(elsewhere)}, str(repo)) is None
    assert command.find_git_dir({}, str(elsewhere)) is None
    assert command.common_dir_of(str(repo / ".git"), {"GIT_COMMON_DIR": str(elsewhere)}) == \
        str(elsewhere)


def test_bare_repository_is_its_own_git_dir(repo: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(repo), str(bare))
    assert command.find_git_dir({}, str(bare)) == str(bare)
    assert command.head_branch(str(bare)) == "main"


def test_unborn_and_detached_heads(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty", commit=False, branch="trunk")
    assert command.head_branch(str(empty / ".git")) == "trunk"  # no commit yet
    full = make_repo(tmp_path / "full")
    git(full, "checkout", "-q", "--detach")
    assert command.head_branch(str(full / ".git")) is None


@pytest.mark.parametrize("head", ["ref: refs/remotes/origin/main", "ref: refs/heads/.invalid",
                                  "ref: refs/heads/", "garbage", "abc123", ""])
def test_a_head_that_names_no_branch_or_commit_is_not_guessed(repo: Path, head: str) -> None:
    (repo / ".git" / "HEAD").write_text(head + "\n")
    with pytest.raises(GitFailed):
        command.head_branch(str(repo / ".git"))


def test_a_symbolic_link_head_is_not_read_as_a_detached_one(repo: Path) -> None:
    # An old layout: HEAD links to the branch's ref file, which holds an id;
    # reading through the link would look like a detached HEAD (a pass).
    head = repo / ".git" / "HEAD"
    head.unlink()
    os.symlink("refs/heads/main", head)
    with pytest.raises(GitFailed, match="symbolic link"):
        command.head_branch(str(repo / ".git"))


# ------------------------------------------------------- entries by path


def test_index_entry(repo: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "sub").mkdir()
    monkeypatch.chdir(repo / "sub")  # paths are from the top, wherever the hook runs
    (repo / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(repo / "run.sh", 0o755)
    os.symlink("README.md", repo / "link")
    git(repo, "add", "-A")
    blob = rev_parse(repo, ":README.md")
    assert command.index_entry("README.md", env) == (b"100644", blob)
    assert command.index_entry("run.sh", env) == (b"100755", rev_parse(repo, ":run.sh"))
    assert command.index_entry("link", env) == (b"120000", rev_parse(repo, ":link"))
    assert command.index_entry("READ*", env) is None  # a literal path, not a pattern
    assert command.index_entry("nothing", env) is None


def test_index_entry_refuses_a_conflict(repo: Path, env: dict[str, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    git(repo, "checkout", "-q", "-b", "other")
    (repo / "README.md").write_text("theirs\n")
    commit_all(repo, "theirs")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("ours\n")
    commit_all(repo, "ours")
    git(repo, "merge", "-q", "other", check=False)
    with pytest.raises(GitFailed, match="more than one entry"):
        command.index_entry("README.md", env)


def test_commit_entries_of_many_commits(repo: Path, env: dict[str, str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    without = rev_parse(repo, "HEAD")
    (repo / "cfg.yaml").write_text("x: 1\n")
    with_file = commit_all(repo, "a file")
    (repo / "cfg.yaml").unlink()
    os.symlink("README.md", repo / "cfg.yaml")
    with_link = commit_all(repo, "a link")
    (repo / "cfg.yaml").unlink()
    (repo / "cfg.yaml").mkdir()
    (repo / "cfg.yaml" / "inside").write_text("x\n")
    with_folder = commit_all(repo, "a folder")
    same_tree = commit_all(repo, "same tree, another commit")
    found = command.commit_entries([with_file, without, with_link, with_folder, same_tree,
                                    with_file], "cfg.yaml", env)
    assert found == {
        with_file: (b"100644", rev_parse(repo, f"{with_file}:cfg.yaml")),
        without: None,
        with_link: (b"120000", rev_parse(repo, f"{with_link}:cfg.yaml")),
        with_folder: (b"040000", rev_parse(repo, f"{with_folder}:cfg.yaml")),
        same_tree: (b"040000", rev_parse(repo, f"{with_folder}:cfg.yaml")),
    }
    assert command.commit_entries([], "cfg.yaml", env) == {}


@pytest.mark.parametrize("what", ["tree", "blob", "absent", "short", "name"])
def test_commit_entries_refuse_what_is_not_a_commit(repo: Path, env: dict[str, str],
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    what: str) -> None:
    monkeypatch.chdir(repo)
    rev = {"tree": rev_parse(repo, "HEAD^{tree}"), "blob": rev_parse(repo, "HEAD:README.md"),
           "absent": "ab" * 20, "short": rev_parse(repo, "HEAD")[:12], "name": "HEAD"}[what]
    with pytest.raises(GitFailed):
        command.commit_entries([rev_parse(repo, "HEAD"), rev], "README.md", env)


def test_sha256_repositories(tmp_path: Path, env: dict[str, str],
                             monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "sha256"
    git(tmp_path, "init", "-q", "--object-format=sha256", "-b", "main", str(repo))
    (repo / "cfg.yaml").write_text("x: 1\n")
    tip = commit_all(repo, "first")
    assert len(tip) == 64
    monkeypatch.chdir(repo)
    blob = rev_parse(repo, "HEAD:cfg.yaml")
    assert command.commit_entries([tip], "cfg.yaml", env) == {tip: (b"100644", blob)}
    assert command.index_entry("cfg.yaml", env) == (b"100644", blob)
    git(repo, "checkout", "-q", "--detach")
    assert command.head_branch(str(repo / ".git")) is None


def test_objects_in_a_quarantine_are_seen_through_the_environment(
        repo: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    # pre-receive sees pushed objects only in the quarantine git names in
    # GIT_OBJECT_DIRECTORY; a child git inherits that.
    monkeypatch.chdir(repo)
    quarantine = repo / ".git" / "objects" / "incoming"
    quarantine.mkdir()
    pushed = {**env, "GIT_OBJECT_DIRECTORY": str(quarantine),
              "GIT_ALTERNATE_OBJECT_DIRECTORIES": str(repo / ".git" / "objects")}
    blob = git(repo, "hash-object", "-w", "--stdin", input="x: 1\n", env=pushed).stdout.strip()
    tree = git(repo, "mktree", input=f"100644 blob {blob}\tcfg.yaml\n", env=pushed).stdout.strip()
    commit = git(repo, "commit-tree", "-m", "pushed", tree, env=pushed).stdout.strip()
    assert command.commit_entries([commit], "cfg.yaml", pushed) == {commit: (b"100644", blob)}
    with pytest.raises(GitFailed):
        command.commit_entries([commit], "cfg.yaml", env)
