"""Finding the records in a tree and reading each into a typed record.

Record folders are `<specs_dir>/NNN-slug`, and the older `specs/hotfix-NNN-slug`
beside a `specs/hotfix` folder. A folder the reader will not read must never
be silent: a file where a record folder should be, a specs folder hidden
behind a symlink, or a folder that holds a hotfix.md under a name that is not
a record's (`001`, `001_pool`, a `.bak` copy) is an HG001 finding. So is a
hand-made git tree on the way to the records (the root, the specs folder and
the folders above it, a record folder) that other tools read differently: an
entry name with a `/` or an empty one, a name listed twice, a tree that
cannot be parsed.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import (
    LEGACY_FOLDER,
    POST_MORTEM_FILE,
    RECORD_FILE,
    RECORD_FOLDER,
    folder_number,
)
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.tree import TreeView, case_twins, case_words, read

if TYPE_CHECKING:
    from hotfix_gates.git.cache import ParseCache

CODE, NAME = "HG001", "record-valid"
Loaded = tuple[HotfixRecord, list[Finding]]
_NUMBERED = re.compile(r"(?:hotfix-)?\d+")


def problem(path: str, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, 1, CODE, NAME, message, fix, level)


FLAWED_FIX = ("git never writes such a tree: rewrite the commit with plain git commands "
              "(`git fsck` names the tree); a server with receive.fsckObjects refuses it")


def flawed(tree: TreeView, folder: str) -> list[Finding]:
    """HG001 for each flaw of the folder's listing (see TreeView.flaws)."""
    return [problem(folder or ".", flaw, FLAWED_FIX) for flaw in tree.flaws(folder)]


def record_folders(tree: TreeView, config: Config) -> tuple[list[str], list[Finding]]:
    """The record folders in `tree`, and HG001 findings for what hides records."""
    folders: list[str] = []
    specs = config.specs_dir
    parts = specs.split("/")
    problems = [finding for depth in range(len(parts) + 1)
                for finding in flawed(tree, "/".join(parts[:depth]))]
    problems += [finding for depth in range(1, len(parts) + 1)
                 for finding in _twins(tree, "/".join(parts[:depth]))]
    kind = tree.kind(specs)
    if kind == "dir":
        listing = tree.listdir(specs)
        if listing is None and not tree.flaws(specs):
            problems.append(problem(specs, f"{specs} cannot be listed (a missing or corrupt "
                                           "tree object)",
                                    "repair the repository (`git fsck`) and push again"))
        for name, entry_kind in sorted((listing or {}).items()):
            path = f"{specs}/{name}"
            if RECORD_FOLDER.fullmatch(name) and not name.endswith(".bak"):
                if entry_kind == "dir":
                    folders.append(path)
                else:
                    problems.append(problem(path, f"{path} is a {entry_kind}, not a folder",
                                            "a hotfix record is a folder holding hotfix.md"))
            elif (entry_kind == "dir" and not name.endswith(".bak") and name[:1] != "."
                  and tree.kind(f"{path}/{RECORD_FILE}") is not None):
                # Hidden folders are `new`'s staging (a killed `new` leaves one
                # for the next to sweep) and `.bak` copies the spec-kit scripts'
                # leftovers. A record renamed away is refused where it matters:
                # the protected branch compares with its own records (HG206).
                problems.append(_misnamed(path, name))
    elif kind is not None:
        problems.append(problem(specs, f"{specs} is a {kind}, not a folder",
                                f"make {specs} a real folder in the repository (or set "
                                "specs_dir)"))
    else:
        problems.extend(_hidden_parent(tree, specs))
    parent = posixpath.dirname(specs) or "."  # "." is the root of the tree
    if posixpath.basename(specs) == "hotfix" and tree.kind(parent) == "dir":
        for name, entry_kind in sorted((tree.listdir(parent) or {}).items()):
            if entry_kind == "dir" and LEGACY_FOLDER.fullmatch(name) and not name.endswith(".bak"):
                folders.append(f"{parent}/{name}" if parent != "." else name)
    return folders, problems


def _twins(tree: TreeView, path: str) -> list[Finding]:
    """A name on the way to the records, or a record file, that another entry
    matches but for case (`Specs/hotfix`): where the file system ignores
    case, a checkout reads them as one, and `check` there judges what the
    server never reads."""
    return [problem(twin, case_words(twin, path), f"rename {twin} to {path}, or merge them")
            for twin in case_twins(tree, path)]


def _misnamed(path: str, name: str) -> Finding:
    if _NUMBERED.match(name):
        return problem(path, f"{path} holds a hotfix.md but its name is not NNN-slug, so it "
                             "is not read as a record",
                       "rename it NNN-slug (digits, a dash, a short name)")
    return problem(path, f"{path} holds a hotfix.md but is not named NNN-slug: not judged",
                   "rename it NNN-slug, or move it out of the specs folder", Level.WARN)


def _hidden_parent(tree: TreeView, specs: str) -> list[Finding]:
    """A symlinked or file parent hides the records: say so, never pass silently."""
    parts = specs.split("/")
    for depth in range(1, len(parts)):
        above = "/".join(parts[:depth])
        above_kind = tree.kind(above)
        if above_kind is None:
            return []
        if above_kind != "dir":
            return [problem(above, f"{above} is a {above_kind}, not a folder, so {specs} is "
                                   "not read",
                            f"make {above} a real folder in the repository (or set specs_dir)")]
    return []


def load_record(tree: TreeView, folder: str, cache: ParseCache | None = None) -> Loaded:
    path = f"{folder}/{RECORD_FILE}"

    def parse() -> Loaded:
        from hotfix_gates.parsing.hotfix import parse_hotfix

        flaws = flawed(tree, folder)
        try:
            data = read(tree, path)
        except TreeError as exc:
            record = HotfixRecord(path=path, folder=folder, number=folder_number(folder))
            record.invalid.add("*")
            return record, [*flaws, problem(path, f"cannot read the record: {exc}",
                                            f"every record folder needs a {RECORD_FILE}")]
        record, found = parse_hotfix(path, folder, data)
        twins = [f for name in (RECORD_FILE, POST_MORTEM_FILE)
                 for f in _twins(tree, f"{folder}/{name}")]
        return record, [*flaws, *twins, *found]

    key = folder_key(tree, folder) if cache is not None else None
    if cache is None or key is None:
        return parse()
    # A symlinked hotfix.md reads outside its folder: its folder id does not pin it.
    return cache.record(key, parse, store=lambda: tree.kind(path) == "file")


def folder_key(tree: TreeView, folder: str) -> str | None:
    """`folder:tree-id`: pins a folder's content in a commit or a pushed tree."""
    try:
        oid = tree.object_id(folder)
    except TreeError:
        return None
    return f"{folder}:{oid}" if oid else None


def load_records(tree: TreeView, config: Config, folders: Iterable[str] | None = None,
                 cache: ParseCache | None = None) -> tuple[list[Loaded], list[Finding]]:
    """Every record in the tree (or only `folders`), with the findings of its
    parse; and the problems of the specs folder itself."""
    found, problems = record_folders(tree, config)
    if folders is not None:
        wanted = set(folders)
        found = [f for f in found if f in wanted]
    return [load_record(tree, folder, cache) for folder in found], problems
