"""The three tree views (working tree, commit, index) read the same tree the
same way, and none reads outside it."""

from __future__ import annotations

import os
from pathlib import Path

import pygit2
import pytest

from hotfix_gates.git.trees import FsTree, GitTree, IndexTree
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.tree import TreeView, normalize, read, resolve
from testing.repos import commit_all, make_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = make_repo(tmp_path_factory.mktemp("trees") / "service")
    (path / "specs/hotfix/001-pool").mkdir(parents=True)
    (path / "specs/hotfix/001-pool/hotfix.md").write_text("---\nid: hotfix-001\n---\n")
    os.symlink("001-pool/hotfix.md", path / "specs/hotfix/link.md")
    os.symlink("../../../../etc/passwd", path / "specs/hotfix/out.md")
    os.symlink("loop.md", path / "specs/hotfix/loop.md")
    commit_all(path, "records")
    return path


def views(repo: Path) -> list[TreeView]:
    git = pygit2.Repository(str(repo))
    return [FsTree(repo), GitTree(git, git.head.peel(pygit2.Tree), "HEAD"),
            IndexTree(git, git.index)]


def test_the_views_agree(repo: Path) -> None:
    seen = []
    for view in views(repo):
        seen.append((view.kind("specs/hotfix"), view.kind("specs/hotfix/link.md"),
                     sorted((view.listdir("specs/hotfix") or {}).items()),
                     read(view, "specs/hotfix/link.md"), view.kind("nothing")))
    assert seen[0] == seen[1] == seen[2]
    assert seen[0][0] == "dir" and seen[0][1] == "link"
    assert seen[0][3] == b"---\nid: hotfix-001\n---\n"


@pytest.mark.parametrize(("path", "message"), [
    ("specs/hotfix/out.md", "symlink out of the repository"),
    ("specs/hotfix/loop.md", "chain of more than 8 symlinks"),
    ("specs/hotfix", "is a directory, not a file"),
    ("specs/gone.md", "does not exist"),
])
def test_no_view_reads_outside_the_tree(repo: Path, path: str, message: str) -> None:
    for view in views(repo):
        with pytest.raises(TreeError, match=message):
            resolve(view, path)


@pytest.mark.parametrize(("path", "message"), [
    ("/etc/passwd", "absolute"), ("../x", "leaves the repository"), (".git/config", ".git"),
    ("a/.GIT/b", ".git"), ("", "empty path"), ("a\0b", "NUL"),
])
def test_paths_are_normalised_or_refused(path: str, message: str) -> None:
    with pytest.raises(TreeError, match=message):
        normalize(path)
    assert normalize("a/./b//c/") == "a/b/c"


def test_commit_and_index_views_pin_content_by_id(repo: Path) -> None:
    fs, commit, index = views(repo)
    assert fs.object_id("specs/hotfix") is None  # files on disk are never cached
    blob = commit.object_id("specs/hotfix/001-pool/hotfix.md")
    assert blob is not None and blob == index.object_id("specs/hotfix/001-pool/hotfix.md")
    assert commit.object_id("specs/hotfix") is not None
