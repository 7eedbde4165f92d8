"""Which ref an update really moves, read from a real repository's symbolic
refs as the server hook sees them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_gates.hooks.aliases import resolve
from hotfix_gates.hooks.refs import Update
from hotfix_gates.model.errors import ToolError
from testing.repos import clean_env, git, make_repo

Z = None


@pytest.fixture
def bare(tmp_path: Path) -> Path:
    work = make_repo(tmp_path / "work")
    server = tmp_path / "server.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(server))
    for alias, target in [("refs/heads/trunk", "refs/heads/main"),
                          ("refs/heads/a", "refs/heads/trunk"),
                          ("refs/tags/stable", "refs/heads/main"),
                          ("refs/heads/next", "refs/heads/release/next"),
                          ("refs/heads/café", "refs/heads/main")]:
        git(server, "symbolic-ref", alias, target)
    return server


def moved(bare: Path, *updates: Update) -> list[tuple[str | None, str]]:
    environ = clean_env(GIT_DIR=str(bare))
    return [(u.ref, u.source) for u in resolve(list(updates), environ)]


def test_each_update_names_the_ref_it_moves(bare: Path) -> None:
    tip = git(bare, "rev-parse", "main").stdout.strip()
    assert moved(bare, Update("refs/heads/trunk", tip, "1" * 40),
                 Update("refs/heads/a", tip, "1" * 40),
                 Update("refs/tags/stable", tip, "1" * 40),
                 Update("refs/heads/café", tip, Z),
                 Update("refs/heads/main", tip, "1" * 40),
                 Update("refs/heads/new", Z, "1" * 40)) == [
        ("refs/heads/main", "refs/heads/trunk"), ("refs/heads/main", "refs/heads/a"),
        ("refs/heads/main", "refs/tags/stable"), ("refs/heads/main", "refs/heads/café"),
        ("refs/heads/main", ""), ("refs/heads/new", "")]


def test_an_alias_of_a_ref_not_there_yet_leads_to_what_it_creates(bare: Path) -> None:
    assert moved(bare, Update("refs/heads/next", Z, "1" * 40)) == [
        ("refs/heads/release/next", "refs/heads/next")]


def test_a_loop_of_aliases_is_left_to_git_which_refuses_it(bare: Path) -> None:
    git(bare, "symbolic-ref", "refs/heads/x", "refs/heads/y")
    git(bare, "symbolic-ref", "refs/heads/y", "refs/heads/x")
    assert moved(bare, Update("refs/heads/x", Z, "1" * 40)) == [("refs/heads/x", "")]


def test_git_failing_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match="cannot read the server's symbolic refs: "):
        resolve([Update("refs/heads/main", Z, "1" * 40)],
                clean_env(GIT_DIR=str(tmp_path / "not-a-repository")))


def test_without_aliases_the_updates_are_unchanged(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "plain")
    updates = [Update("refs/heads/main", Z, "1" * 40), Update("refs/tags/v1", Z, "2" * 40)]
    assert resolve(updates, clean_env(GIT_DIR=str(repo / ".git"))) == updates
