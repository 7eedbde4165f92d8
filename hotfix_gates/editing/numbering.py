"""The next record number: one sequence shared by every `specs/` workflow and
every branch (design.md section 2)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import ToolError
from hotfix_gates.model.tree import TreeView

if TYPE_CHECKING:
    import pygit2

SPECS_ROOT = "specs"
# `NNN-*`, and the older `hotfix-NNN-*` folders.
_NUMBERED = re.compile(r"(?:hotfix-)?(\d+)-")
# `2025-10-01-notes` and `20251001-notes` are dates, not numbers 2025 or
# 20,251,001. Any other number of up to MAX_DIGITS digits counts; `new`
# refuses to hand out a number longer than that, which nothing could read back.
_DATE = re.compile(r"\d{4}-\d\d-\d\d(?:\D|$)")
_COMPACT_DATE = re.compile(r"(?:19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-")
MAX_DIGITS = 18  # past this a "number" is noise, not a sequence
_BRANCH_PREFIXES = ("refs/heads/", "refs/remotes/")


def number_of(name: str) -> int | None:
    """The sequence number a folder or branch name component starts with."""
    match = _NUMBERED.match(name)
    if match is None or len(match.group(1)) > MAX_DIGITS:
        return None
    if _DATE.match(name) or _COMPACT_DATE.fullmatch(match.group(1) + "-"):
        return None
    return int(match.group(1))


def format_number(number: int) -> str:
    """Three digits at least; 1000 stays 1000."""
    return f"{number:03d}"


def folder_numbers(tree: TreeView, specs_dir: str) -> set[int]:
    """Numbers of the folders `specs/NNN-*`, `specs/*/NNN-*`, `specs/hotfix-NNN-*`,
    and of the configured specs_dir (and its parent) when it lies elsewhere."""
    places = {SPECS_ROOT, specs_dir, posixpath.dirname(specs_dir)}
    for name, kind in (tree.listdir(SPECS_ROOT) or {}).items():
        if kind == "dir":
            places.add(f"{SPECS_ROOT}/{name}")
    found: set[int] = set()
    for place in places:
        if not place:
            continue  # the repository root is not a specs folder
        for name, kind in (tree.listdir(place) or {}).items():
            if kind in ("dir", "link"):
                number = number_of(name)
                if number is not None:
                    found.add(number)
    return found


def branch_names(repo: pygit2.Repository) -> list[str]:
    """Local and remote-tracking branches, as full reference names."""
    names = []
    for raw in repo.raw_listall_references():
        name = raw.decode("utf-8", "surrogateescape")
        if name.startswith(_BRANCH_PREFIXES):
            names.append(name)
    return names


def branch_numbers(names: Iterable[str]) -> set[int]:
    """Numbers of branches named `*/NNN-*` or `NNN-*` (the last path component)."""
    found: set[int] = set()
    for name in names:
        for prefix in _BRANCH_PREFIXES:
            if name.startswith(prefix):
                name = name[len(prefix):]
                break
        number = number_of(name.rsplit("/", 1)[-1])
        if number is not None:
            found.add(number)
    return found


def next_number(tree: TreeView, specs_dir: str, branches: Iterable[str]) -> int:
    """One more than the highest number in use, 1 when none is."""
    used = folder_numbers(tree, specs_dir) | branch_numbers(branches)
    number = max(used, default=0) + 1
    if len(str(number)) > MAX_DIGITS:
        raise ToolError(f"the highest record number in use is {number - 1}; a number of more "
                        f"than {MAX_DIGITS} digits cannot be read back, so none is handed out: "
                        "renumber that record (or branch) and try again")
    return number
