"""The last valid configuration in a branch's first-parent history, for when
the one at its tip does not load."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from hotfix_gates.git.configs import FOUND, LIMIT, ROOT, SHALLOW, Fallback, last_valid
from testing.repos import commit_all, git, make_repo

BROKEN = "deadlines: {post-mortem: soon}\n"


def commit_config(repo: Path, text: str | None, message: str) -> str:
    path = repo / ".hotfix-gates.yaml"
    if text is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(text)
    return commit_all(repo, message)


def walk(repo: Path, path: str | None = None, limit: int = 1000) -> Fallback:
    opened = pygit2.Repository(str(repo))
    tip = opened.revparse_single("HEAD").peel(pygit2.Commit)
    return last_valid(opened, tip, "main", path, limit)


def test_the_nearest_valid_ancestor_serves(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    valid = commit_config(repo, "specs_dir: records\n", "records live in records/")
    commit_config(repo, BROKEN, "break it")
    (repo / "app.py").write_text("x = 1\n")
    commit_all(repo, "more work on a broken configuration")
    found = walk(repo)
    assert found.how == FOUND and found.config.specs_dir == "records"
    assert found.words == (f"the configuration of {valid[:12]} (main~2, "
                           "'records live in records/') judges")
    assert found.key.startswith("blob:")


def test_an_ancestor_without_a_configuration_means_the_defaults(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    commit_config(repo, BROKEN, "broken from the start")
    found = walk(repo)
    assert found.how == FOUND and found.key == "defaults"
    assert "which has no .hotfix-gates.yaml" in found.words
    explicit = walk(repo, path=".hotfix-gates.yaml")  # an explicit file must be found
    assert explicit.how == ROOT and "no valid configuration" in explicit.words


def test_no_valid_one_back_to_the_root(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", commit=False)
    commit_config(repo, BROKEN, "broken at the root")
    commit_config(repo, BROKEN + "# still\n", "still broken")
    found = walk(repo)
    assert found.how == ROOT and found.key == "defaults"
    assert found.words == ("no valid configuration in the history of main: "
                           "the built-in defaults judge")


def test_the_walk_is_bounded(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    for n in range(4):
        commit_config(repo, BROKEN + f"# {n}\n", f"broken {n}")
    found = walk(repo, limit=2)
    assert found.how == LIMIT
    assert "in the last 2 first-parent commits of main" in found.words


def test_a_shallow_history_is_not_taken_for_a_root(tmp_path: Path) -> None:
    origin = make_repo(tmp_path / "origin")
    commit_config(origin, "specs_dir: records\n", "valid")
    commit_config(origin, BROKEN, "broken")
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", "shallow")
    found = walk(tmp_path / "shallow")
    assert found.how == SHALLOW and "a shallow clone" in found.words


@pytest.mark.parametrize("link", ["elsewhere.yaml", "../outside.yaml"])
def test_a_linked_configuration_is_read_through_its_link(tmp_path: Path, link: str) -> None:
    repo = make_repo(tmp_path / "r")
    (repo / "elsewhere.yaml").write_text("specs_dir: linked\n")
    (repo / ".hotfix-gates.yaml").symlink_to(link)
    commit_all(repo, "a linked configuration")
    commit_config(repo, BROKEN, "broken")
    found = walk(repo)
    if link == "elsewhere.yaml":
        assert found.how == FOUND and found.config.specs_dir == "linked"
    else:  # a link out of the tree does not load: the commit before (none) serves
        assert found.key == "defaults"
