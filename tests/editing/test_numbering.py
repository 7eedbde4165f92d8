"""One number sequence across every specs/ workflow and every branch."""

from __future__ import annotations

from pathlib import Path

import pygit2
import pytest

from hotfix_gates.editing.numbering import (
    branch_names,
    branch_numbers,
    folder_numbers,
    format_number,
    next_number,
    number_of,
)
from hotfix_gates.git.trees import FsTree
from testing.repos import git, make_repo, run_gate


@pytest.mark.parametrize(("name", "number"), [
    ("001-feature", 1),
    ("007-y", 7),
    ("hotfix-012-old-layout", 12),
    ("1000-big", 1000),
    ("0042-padded", 42),
    ("999999-max", 999999),
    ("1234567-ticket", 1234567),  # the sequence keeps growing past six digits
    ("20251001-notes", None),  # a compact date, not number 20,251,001
    ("20251001-notes", None),
    ("2025-10-01-notes", None),  # a date
    ("007", None),  # no dash, no slug
    ("feature-007-x", None),
    ("v1-2", None),
    ("", None),
])
def test_number_of(name: str, number: int | None) -> None:
    assert number_of(name) == number


def test_format_number_keeps_growing() -> None:
    assert [format_number(n) for n in (1, 42, 999, 1000, 12345)] == [
        "001", "042", "999", "1000", "12345"]


def _mkdirs(root: Path, *paths: str) -> None:
    for path in paths:
        (root / path).mkdir(parents=True)


def test_folders_of_every_workflow_count(tmp_path: Path) -> None:
    _mkdirs(tmp_path, "specs/001-feature", "specs/bugfix/004-x", "specs/hotfix/003-y",
            "specs/hotfix-009-old", "specs/001-feature/contracts", "docs/050-not-specs")
    (tmp_path / "specs/020-overview.md").write_text("a numbered file, not a folder\n")
    (tmp_path / "specs/bugfix/030-notes.txt").write_text("a file\n")
    tree = FsTree(tmp_path)
    assert folder_numbers(tree, "specs/hotfix") == {1, 3, 4, 9}
    assert next_number(tree, "specs/hotfix", []) == 10


def test_a_specs_dir_outside_specs_counts_too(tmp_path: Path) -> None:
    _mkdirs(tmp_path, "ops/incidents/015-x", "ops/hotfix-016-old", "specs/002-feature")
    assert folder_numbers(FsTree(tmp_path), "ops/incidents") == {2, 15, 16}


def test_no_specs_at_all_starts_at_one(tmp_path: Path) -> None:
    assert next_number(FsTree(tmp_path), "specs/hotfix", []) == 1


def test_specs_that_is_a_file_is_no_folder(tmp_path: Path) -> None:
    (tmp_path / "specs").write_text("not a folder\n")
    assert folder_numbers(FsTree(tmp_path), "specs/hotfix") == set()


def test_branch_numbers_use_the_last_component() -> None:
    names = [
        "refs/heads/main",
        "refs/heads/feature/007-y",
        "refs/heads/012-top-level",
        "refs/heads/hotfix/1000-big",
        "refs/heads/release/2025-10-01",
        "refs/heads/team/a/b/031-deep",
        "refs/remotes/origin/HEAD",
        "refs/remotes/origin/feature/044-remote",
        "refs/remotes/origin/055-remote-top",
    ]
    assert branch_numbers(names) == {7, 12, 1000, 31, 44, 55}


def test_branches_of_a_real_repository(repo: Path) -> None:
    git(repo, "branch", "feature/005-a")
    git(repo, "branch", "bugfix/003-b")
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    git(repo, "update-ref", "refs/remotes/origin/feature/007-y", head)
    git(repo, "update-ref", "refs/tags/900-a-tag", head)  # tags are not branches
    git(repo, "update-ref", "refs/notes/800-notes", head)
    names = branch_names(pygit2.Repository(str(repo)))
    assert "refs/remotes/origin/feature/007-y" in names
    assert not any(n.startswith(("refs/tags/", "refs/notes/")) for n in names)
    assert next_number(FsTree(repo), "specs/hotfix", names) == 8
    # packed references are read the same way
    git(repo, "pack-refs", "--all")
    assert next_number(FsTree(repo), "specs/hotfix",
                       branch_names(pygit2.Repository(str(repo)))) == 8


def test_folders_and_branches_together(repo: Path) -> None:
    _mkdirs(repo, "specs/hotfix/011-z")
    git(repo, "branch", "hotfix/010-y")
    names = branch_names(pygit2.Repository(str(repo)))
    assert next_number(FsTree(repo), "specs/hotfix", names) == 12


def test_new_refuses_a_number_nothing_could_read_back(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "service")
    (repo / "specs/hotfix/999999999999999999-last").mkdir(parents=True)
    result = run_gate(repo, "new", "--no-branch", "big number")
    assert result.returncode == 2, result
    assert result.stderr.startswith("hotfix-gate: error: the highest record number in use is "
                                    "999999999999999999; a number of more than 18 digits")
    assert sorted(p.name for p in (repo / "specs/hotfix").iterdir()) == [
        "999999999999999999-last"]
