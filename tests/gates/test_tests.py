"""HG202's reading of the regression tests a record lists: each way a listed
"test" could count without guarding anything."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotfix_gates.gates import tests as test_files
from hotfix_gates.gates.tests import Scans, check_entry, problems
from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config
from hotfix_gates.model.record import HotfixRecord

POOL = '''"""Tests of the pool.

def test_in_a_docstring():
    pass
"""


class TestPool:
    def test_release(self):
        pass

    if True:
        def test_conditional(self):
            pass


def test_checkout():
    # def test_in_a_comment(): ...
    pass
'''


@pytest.fixture
def tree(tmp_path: Path) -> FsTree:
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests/test_pool.py").write_text(POOL)
    (tmp_path / "tests/empty_test.py").write_text("\n \n")
    (tmp_path / "tests/helpers.py").write_text("def make_pool():\n    pass\n")
    (tmp_path / "tests/broken_test.py").write_text("def test_x(:\n")
    (tmp_path / "README.md").write_text("test_release\n")
    (tmp_path / "web").mkdir()
    (tmp_path / "web/pool.test.js").write_text('it("returns the connection", () => {})\n')
    record = tmp_path / "specs/hotfix/001-pool"
    record.mkdir(parents=True)
    (record / "hotfix.md").write_text("def test_release(): pass\n")
    legacy = tmp_path / "specs/hotfix-002-cache"  # a record of spec-kit's older layout
    legacy.mkdir()
    (legacy / "test_cache.py").write_text("def test_evict():\n    pass\n")
    os.symlink("../specs/hotfix/001-pool/hotfix.md", tmp_path / "tests/test_link.py")
    return FsTree(tmp_path)


def problem(tree: FsTree, entry: str) -> str | None:
    found = check_entry(tree, Config(), entry)
    return None if found is None else found.message


@pytest.mark.parametrize("entry", [
    "tests/test_pool.py",
    "tests/test_pool.py::test_checkout",
    "tests/test_pool.py::TestPool",
    "tests/test_pool.py::TestPool::test_release",
    "tests/test_pool.py::TestPool::test_release[slow]",
    "tests/test_pool.py::TestPool::test_conditional",
    "web/pool.test.js::returns the connection",
    "web/pool.test.js",
])
def test_real_tests_count(tree: FsTree, entry: str) -> None:
    assert problem(tree, entry) is None


@pytest.mark.parametrize(("entry", "message"), [
    ("tests/test_pool.py::test_in_a_docstring",
     "test_in_a_docstring is not defined in tests/test_pool.py"),
    ("tests/test_pool.py::test_in_a_comment",
     "test_in_a_comment is not defined in tests/test_pool.py"),
    ("tests/test_pool.py::test_release", "test_release is not defined in tests/test_pool.py"),
    ("tests/test_pool.py::TestPool::test_checkout",
     "test_checkout is not defined in tests/test_pool.py"),
    ("tests/test_link.py::test_release",
     "specs/hotfix/001-pool/hotfix.md is part of the hotfix records, not a test"),
    ("specs/hotfix/001-pool/hotfix.md",
     "specs/hotfix/001-pool/hotfix.md is part of the hotfix records, not a test"),
    ("specs/hotfix-002-cache/test_cache.py::test_evict",
     "specs/hotfix-002-cache/test_cache.py is part of the hotfix records, not a test"),
    ("README.md", "README.md does not look like a test file"),
    ("README.md::test_release", "README.md does not look like a test file"),
    ("tests/empty_test.py", "tests/empty_test.py is empty"),
    ("tests/helpers.py", "tests/helpers.py is not a test module (test runners collect "
                         "test*.py and *_test.py)"),
    ("tests/broken_test.py", "tests/broken_test.py does not parse as Python (line 1)"),
    ("tests/test_pool.py::", "an empty test name"),
    ("tests/gone.py", "tests/gone.py does not exist"),
    ("web/pool.test.js::never written", "never written is not in web/pool.test.js"),
])
def test_what_does_not_count(tree: FsTree, entry: str, message: str | None) -> None:
    assert problem(tree, entry) == message


def test_a_file_is_scanned_once_per_run_for_every_record(tree: FsTree,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    scanned: list[str] = []
    real = test_files._scan_python

    def counting(path: str, text: str) -> test_files.Scanned:
        scanned.append(path)
        return real(path, text)

    monkeypatch.setattr(test_files, "_scan_python", counting)
    scans = Scans()
    for number in range(20):
        record = HotfixRecord(path=f"specs/hotfix/{number:03d}-x/hotfix.md",
                              folder=f"specs/hotfix/{number:03d}-x", number=number,
                              regression_tests=["tests/test_pool.py::test_checkout"])
        assert list(problems(tree, record, Config(), scans)) == []
    assert scanned == ["tests/test_pool.py"]


def test_phrase_lookups_are_bounded(tree: FsTree, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_files, "MAX_PHRASE_LOOKUPS", 3)
    record = HotfixRecord(path="specs/hotfix/001-x/hotfix.md", folder="specs/hotfix/001-x",
                          number=1, regression_tests=[
                              f"web/pool.test.js::phrase number {n}" for n in range(5)])
    found = list(problems(tree, record, Config(), Scans()))
    assert [p.message for p in found][-1] == ("web/pool.test.js was not searched: more than 3 "
                                               "test titles to look up in one run")


def test_too_many_entries_are_one_finding(tree: FsTree) -> None:
    record = HotfixRecord(path="specs/hotfix/001-x/hotfix.md", folder="specs/hotfix/001-x",
                          number=1, regression_tests=["tests/test_pool.py"] * 201)
    [too_many] = problems(tree, record, Config(), Scans())
    assert too_many.message == "201 regression tests listed; only the first 200 were checked"



def test_python_parsing_is_bounded_and_the_rest_read_by_the_next_run(
        tmp_path: Path) -> None:
    """Python's parser reads a few MB a second: a run stops parsing at its
    limit, and what it left unread is not cached as a verdict on the file."""
    import pygit2

    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.git.trees import GitTree
    from testing.repos import commit_all, make_repo

    repo = make_repo(tmp_path / "r")
    (repo / "tests").mkdir()
    for name in "abc":
        (repo / f"tests/test_{name}.py").write_text(f"def test_{name}():\n    pass\n" + "#" * 900)
    commit_all(repo, "tests")
    opened = pygit2.Repository(str(repo))
    record = HotfixRecord(path="specs/hotfix/001-x/hotfix.md", folder="specs/hotfix/001-x",
                          number=1, regression_tests=[f"tests/test_{n}.py::test_{n}"
                                                      for n in "abc"])
    cache = ParseCache(str(tmp_path / "cache.pickle"))
    seen = []
    for _ in range(3):
        tree = GitTree(opened, opened.head.peel(pygit2.Commit).tree_id, "HEAD")
        found = list(problems(tree, record, Config(), Scans(parse_limit=2000), cache))
        cache.save()
        cache = ParseCache(str(tmp_path / "cache.pickle"))
        seen.append([p.message for p in found])
    limit = "was not read: more than 0 MiB of Python test code in one run"
    assert seen[0] == [f"tests/test_c.py {limit}"]  # two files fit, the third does not
    assert seen[1] == seen[2] == []  # the next run reads it: nothing unread was cached


def test_runs_over_several_trees_share_scans_by_blob(tmp_path: Path) -> None:
    """The hooks give every ref of a push one Scans (one budget): a path that
    holds other content in another tree is scanned again."""
    import pygit2

    from hotfix_gates.git.trees import GitTree
    from testing.repos import commit_all, make_repo

    repo = make_repo(tmp_path / "r")
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_leak():\n    pass\n")
    first = commit_all(repo, "a real test")
    (repo / "tests/test_pool.py").write_text("def helper():\n    pass\n")
    second = commit_all(repo, "the test gone")
    opened = pygit2.Repository(str(repo))
    scans = Scans()
    for commit, expected in ((first, None), (second, "test_leak is not defined in "
                                                     "tests/test_pool.py")):
        tree = GitTree(opened, opened.revparse_single(commit).peel(pygit2.Commit).tree_id, "t")
        found = check_entry_with(tree, scans, "tests/test_pool.py::test_leak")
        assert found == expected


def check_entry_with(tree: object, scans: Scans, entry: str) -> str | None:
    record = HotfixRecord(path="specs/hotfix/001-x/hotfix.md", folder="specs/hotfix/001-x",
                          number=1, regression_tests=[entry])
    found = list(problems(tree, record, Config(), scans))  # type: ignore[arg-type]
    return found[0].message if found else None
