"""The three tree views (working tree, commit, index) read the same tree the
same way, and none reads outside it. GitTree over hand-made trees: entries
git never writes are kept out of the listing and named as flaws, never read
as something else."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pygit2
import pytest

from hotfix_gates.git.cache import ParseCache
from hotfix_gates.git.trees import FsTree, GitTree, IndexTree
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.tree import (
    TreeView,
    case_twins,
    checkout_problem,
    normalize,
    read,
    resolve,
)
from testing.hostile import hash_object, raw_tree
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


def tree_of(repo: Path, entries: list[tuple[str, str, str]]) -> GitTree:
    return GitTree(pygit2.Repository(str(repo)), pygit2.Oid(hex=raw_tree(repo, entries)), "t")


def test_a_sound_tree_has_no_flaws(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    tree = tree_of(repo, [("100644", "a.md", blob), ("40000", "d",
                                                      raw_tree(repo, [("100644", "b", blob)]))])
    assert tree.flaws("") == [] and tree.flaws("d") == [] and tree.flaws("nowhere") == []
    assert tree.listdir("") == {"a.md": "file", "d": "dir"}
    assert tree.object_id("") == str(tree.tree_id)


def test_a_name_with_a_slash_is_a_flaw_and_is_never_listed(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    tree = tree_of(repo, [("100644", "specs/hotfix/001-pool/hotfix.md", blob)])
    assert tree.listdir("") == {}
    assert tree.kind("specs/hotfix/001-pool/hotfix.md") is None
    (flaw,) = tree.flaws("")
    assert "'specs/hotfix/001-pool/hotfix.md'" in flaw and "the root tree" in flaw


def test_a_repeated_name_keeps_the_first_as_git_show_does(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    first = hash_object(repo, "blob", b"first\n")
    last = hash_object(repo, "blob", b"last\n")
    sub = raw_tree(repo, [("100644", "hotfix.md", first), ("100644", "hotfix.md", last)])
    tree = tree_of(repo, [("40000", "rec", sub)])
    assert tree.object_id("rec/hotfix.md") == first
    assert tree.flaws("rec") == ["rec lists 'hotfix.md' twice"]


def test_a_tree_that_does_not_parse_is_a_flaw(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    empty_name = raw_tree(repo, [("100644", "", blob)])
    tree = tree_of(repo, [("40000", "specs", empty_name)])
    assert tree.listdir("specs") is None
    (flaw,) = tree.flaws("specs")
    assert flaw.startswith("specs: object ") and "cannot be read" in flaw
    broken_root = GitTree(pygit2.Repository(str(repo)), pygit2.Oid(hex=empty_name), "t")
    assert broken_root.kind("specs") is None and broken_root.flaws("")


ENCODING = ("is not encoded as git writes trees (a mode git never writes, such as 120755 "
            "or 644, or entries out of order): git may check out a symlink or a submodule "
            "where a file is read here")


@pytest.mark.parametrize("mode", ["120755", "160755", "644", "0", "170000", "100664"])
def test_a_mode_git_never_writes_is_a_flaw_of_its_folder(tmp_path: Path, mode: str) -> None:
    """libgit2 reads these as a file; git checks most of them out as no file at all."""
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"def test_leak():\n    pass\n")
    sub = raw_tree(repo, [("100644", "test_ok.py", blob), (mode, "test_pool.py", blob)])
    tree = tree_of(repo, [("40000", "tests", sub)])
    assert tree.kind("tests/test_pool.py") == "file"  # as libgit2 reads it
    assert tree.flaws("tests") == [f"tests {ENCODING}"]
    assert checkout_problem(tree, "tests/test_ok.py") == f"tests is malformed: tests {ENCODING}"


def test_a_big_folder_keeps_its_encoding_check_in_the_cache_and_stays_a_flaw(
        tmp_path: Path) -> None:
    """A thousand records' folder is re-encoded once, then read from the parse
    cache by its tree id: the flaw is named on every run, cold or warm, and a
    sound folder beside it stays sound."""
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"def test_leak():\n    pass\n")
    names = [f"test_{n:03d}.py" for n in range(70)]
    bad = raw_tree(repo, [("120755" if n == "test_042.py" else "100644", n, blob)
                          for n in names])
    good = raw_tree(repo, [("100644", n, blob) for n in names])
    root = raw_tree(repo, [("40000", "bad", bad), ("40000", "good", good)])
    store = str(tmp_path / "cache.pickle")
    for run in ("cold", "warm"):
        tree = GitTree(pygit2.Repository(str(repo)), pygit2.Oid(hex=root), run)
        tree.cache = ParseCache(store)
        assert tree.flaws("bad") == [f"bad {ENCODING}"], run
        assert tree.flaws("good") == [], run
        tree.cache.save()
    with open(store, "rb") as handle:
        assert pickle.load(handle)["encodings"] == {bad: False, good: True}


def test_entries_out_of_git_order_are_a_flaw(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    tree = GitTree(pygit2.Repository(str(repo)), pygit2.Oid(hex=raw_tree(
        repo, [("100644", "b.py", blob), ("100644", "a.py", blob)], git_order=False)), "t")
    assert tree.flaws("") == [f"the root tree {ENCODING}"]


@pytest.mark.parametrize("mode", ["100644", "100755", "120000", "160000"])
def test_modes_git_writes_are_sound(tmp_path: Path, mode: str) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    sub = raw_tree(repo, [("100644", "b", blob)])
    tree = tree_of(repo, [("100644", "a.py", blob), (mode, "a", blob), ("40000", "a-b", sub),
                          ("40000", "a0", sub)])
    assert tree.flaws("") == [] and checkout_problem(tree, "a.py") is None


def test_a_folder_that_expands_forever_is_judged_in_time(tmp_path: Path) -> None:
    """Forty folders, each the same tree of forty folders, eight deep: a few
    objects in a push, 40**8 paths to anything that walks them."""
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"def test_leak():\n    pass\n")
    bomb = raw_tree(repo, [("100644", "f", blob)])
    for _ in range(8):
        bomb = raw_tree(repo, [("40000", f"d{i:02d}", bomb) for i in range(40)])
    tree = tree_of(repo, [("40000", "tests", raw_tree(repo, [("40000", "bomb", bomb),
                                                            ("100644", "test_pool.py", blob)]))])
    assert checkout_problem(tree, "tests/test_pool.py") is None  # returns: nothing walked


def test_a_file_in_a_folder_with_a_repeated_name_is_not_what_git_checks_out(
        tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    first = hash_object(repo, "blob", b"def test_leak():\n    pass\n")
    last = hash_object(repo, "blob", b"# nothing\n")
    sub = raw_tree(repo, [("100644", "test_pool.py", first), ("100644", "test_pool.py", last)])
    tree = tree_of(repo, [("40000", "tests", sub)])
    assert checkout_problem(tree, "tests/test_pool.py") == (
        "tests is malformed: tests lists 'test_pool.py' twice")


def test_names_that_differ_only_in_case_are_twins(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    blob = hash_object(repo, "blob", b"x\n")
    tests = raw_tree(repo, [("100644", "TEST_POOL.py", blob),
                            ("100644", "test_pool.py", blob)])
    tree = tree_of(repo, [("40000", "Specs", raw_tree(repo, [("100644", "a", blob)])),
                          ("40000", "tests", tests), ("100644", "caf\u00e9", blob),
                          ("100644", "cafe\u0301", blob)])
    assert case_twins(tree, "specs") == ["Specs"]  # the name itself need not exist
    assert case_twins(tree, "Specs") == []
    assert case_twins(tree, "tests/test_pool.py") == ["tests/TEST_POOL.py"]
    assert case_twins(tree, "caf\u00e9") == ["cafe\u0301"]  # the same name once normalised
    assert checkout_problem(tree, "tests/test_pool.py") == (
        "tests/TEST_POOL.py differs from tests/test_pool.py only in case: a checkout on a "
        "case-insensitive file system (macOS, Windows) holds one of them, the gates read "
        "tests/test_pool.py")


def test_the_working_tree_names_twins_too(tmp_path: Path) -> None:
    (tmp_path / "Specs/hotfix").mkdir(parents=True)
    assert case_twins(FsTree(tmp_path), "specs") == ["Specs"]
    assert case_twins(FsTree(tmp_path), "specs/hotfix") == []
