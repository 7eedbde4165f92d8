"""Finding records in a tree: what a hand-made tree does to hide one is an
HG001 finding on the folder that hides it."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from hotfix_gates.git.trees import GitTree
from hotfix_gates.model.config import Config
from hotfix_gates.parsing.records import load_records
from testing.hostile import hash_object, raw_tree
from testing.repos import front_matter, make_repo, record_fields

T = "40000"
F = "100644"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "r")


def record_blob(repo: Path) -> str:
    return hash_object(repo, "blob", front_matter(record_fields(1, "pool")).encode())


def judged(repo: Path, root: str) -> tuple[list[str], list[tuple[str, str]]]:
    tree = GitTree(pygit2.Repository(str(repo)), pygit2.Oid(hex=root), "t")
    loaded, problems = load_records(tree, Config())
    found = problems + [f for _, parsed in loaded for f in parsed]
    return ([r.folder for r, _ in loaded],
            [(f.path, f.message) for f in found if f.code == "HG001"])


def nest(repo: Path, *names: str, leaf: str) -> str:
    """Trees for `names` (outermost first) around the tree `leaf`."""
    tree = leaf
    for name in reversed(names):
        tree = raw_tree(repo, [(T, name, tree)])
    return tree


def test_a_whole_path_as_one_name_at_the_root(repo: Path) -> None:
    root = raw_tree(repo, [(F, "specs/hotfix/001-pool/hotfix.md", record_blob(repo))])
    folders, problems = judged(repo, root)
    assert folders == []
    assert problems == [(".", "the root tree has an entry named "
                              "'specs/hotfix/001-pool/hotfix.md', which git would check out "
                              "as a path of its own")]


def test_a_slashed_name_inside_the_specs_folder(repo: Path) -> None:
    record = raw_tree(repo, [(F, "hotfix.md", record_blob(repo))])
    specs = raw_tree(repo, [(T, "hotfix/001-pool", record)])
    folders, problems = judged(repo, raw_tree(repo, [(T, "specs", specs)]))
    assert folders == [] and [p for p, _ in problems] == ["specs"]


def test_a_record_file_listed_twice(repo: Path) -> None:
    blank = hash_object(repo, "blob", b"")
    record = raw_tree(repo, [(F, "hotfix.md", record_blob(repo)), (F, "hotfix.md", blank)])
    folders, problems = judged(repo, nest(repo, "specs", "hotfix", "001-pool", leaf=record))
    assert folders == ["specs/hotfix/001-pool"]
    assert ("specs/hotfix/001-pool", "specs/hotfix/001-pool lists 'hotfix.md' twice") in problems


def test_a_record_file_git_checks_out_as_a_symlink(repo: Path) -> None:
    record = raw_tree(repo, [("120755", "hotfix.md", record_blob(repo))])
    folders, problems = judged(repo, nest(repo, "specs", "hotfix", "001-pool", leaf=record))
    assert folders == ["specs/hotfix/001-pool"]
    assert [p for p, _ in problems] == ["specs/hotfix/001-pool"]
    assert "is not encoded as git writes trees" in problems[0][1]


def test_a_specs_folder_spelled_in_another_case(repo: Path) -> None:
    """The server reads none of it; a checkout on macOS or Windows reads it as specs/hotfix."""
    record = raw_tree(repo, [(F, "hotfix.md", record_blob(repo))])
    folders, problems = judged(repo, nest(repo, "specs", "Hotfix", "001-pool", leaf=record))
    assert folders == []
    assert problems == [("specs/Hotfix", "specs/Hotfix differs from specs/hotfix only in case: "
                         "a checkout on a case-insensitive file system (macOS, Windows) holds "
                         "one of them, the gates read specs/hotfix")]


def test_a_record_file_with_a_twin_in_another_case(repo: Path) -> None:
    blank = hash_object(repo, "blob", b"")
    record = raw_tree(repo, [(F, "HOTFIX.md", blank), (F, "hotfix.md", record_blob(repo))])
    folders, problems = judged(repo, nest(repo, "specs", "hotfix", "001-pool", leaf=record))
    assert folders == ["specs/hotfix/001-pool"]
    assert [p for p, _ in problems] == ["specs/hotfix/001-pool/HOTFIX.md"]


def test_a_record_folder_listed_twice(repo: Path) -> None:
    record = raw_tree(repo, [(F, "hotfix.md", record_blob(repo))])
    hotfix = raw_tree(repo, [(T, "001-pool", record), (T, "001-pool", record)])
    folders, problems = judged(repo, nest(repo, "specs", "hotfix", leaf=hotfix))
    assert folders == ["specs/hotfix/001-pool"]
    assert problems == [("specs/hotfix", "specs/hotfix lists '001-pool' twice")]


def test_a_parent_that_does_not_parse(repo: Path) -> None:
    unparsable = raw_tree(repo, [(F, "", record_blob(repo))])
    folders, problems = judged(repo, raw_tree(repo, [(T, "specs", unparsable)]))
    assert folders == [] and [p for p, _ in problems] == ["specs"]
    assert "cannot be read" in problems[0][1]


def test_flaws_off_the_records_path_are_not_judged(repo: Path) -> None:
    blob = record_blob(repo)
    record = raw_tree(repo, [(F, "hotfix.md", blob)])
    elsewhere = raw_tree(repo, [(F, "a", blob), (F, "a", blob)])
    root = raw_tree(repo, [(T, "docs", elsewhere),
                           (T, "specs", nest(repo, "hotfix", "001-pool", leaf=record))])
    folders, problems = judged(repo, root)
    assert folders == ["specs/hotfix/001-pool"] and problems == []
