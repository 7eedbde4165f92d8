"""`hotfix-gate migrate`: give Markdown-only (spec-kit) records front matter.

The front matter is derived from the Markdown and put in front of it; the
Markdown itself is kept byte for byte, so the record reads the same to a
person and the gates reach the same verdicts. Without --write it only shows
the change as a unified diff (stdout holds nothing else, so it can be piped
to `git apply`); notes and problems go to stderr.
"""

from __future__ import annotations

import difflib
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.constants import MILESTONES
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError, TreeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.tree import read, resolve

if TYPE_CHECKING:
    import pygit2

# Same keys, same order as the records `hotfix-gate new` writes.
KEYS = ("id", "title", "branch", "severity", "status", *MILESTONES, "rollback_plan",
        "reviewed_by", "regression_tests")
# What must read the same once the front matter is there.
_SAME = ("severity", "status", *MILESTONES, "rollback_plan", "reviewed_by",
         "regression_tests")
_BOM = b"\xef\xbb\xbf"
SECTION_NOTE = "read from the '## Rollback Plan' section below"


@dataclass
class Change:
    path: str  # the file written (a symlink's target, inside the tree)
    old: bytes
    new: bytes


@dataclass
class Plan:
    folder: str
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)


def front_matter(values: dict[str, object], comments: dict[str, str], newline: str) -> bytes:
    from hotfix_gates.editing.yamlemit import front_matter_block

    return front_matter_block(values, comments, newline)


def _prepend(data: bytes, block_for: dict[str, object], comments: dict[str, str]) -> bytes:
    """`data` with front matter in front: after a BOM, in the file's own line endings."""
    bom = _BOM if data.startswith(_BOM) else b""
    newline = "\r\n" if b"\r\n" in data else "\n"
    return bom + front_matter(block_for, comments, newline) + data[len(bom):]


def record_values(record: HotfixRecord) -> tuple[dict[str, object], dict[str, str]]:
    """The front matter a Markdown-only record reads as: the same id (from
    the folder's number when no line names it) and the title of its
    `# Hotfix:` heading (null while that is a placeholder), so the record is
    shown the same before and after. A branch left as a placeholder is the
    folder's name, as the workflow names branches."""
    from hotfix_gates.model.timeutil import format_timestamp

    name = record.folder.rsplit("/", 1)[-1]
    name = name[len("hotfix-"):] if name.startswith("hotfix-") else name
    number = record.number
    values: dict[str, object] = {
        "id": record.id or (f"hotfix-{number:03d}" if number is not None else None),
        "title": record.title,
        "branch": record.branch or f"hotfix/{name}",
        "severity": record.severity,
        "status": record.status,
    }
    for key in MILESTONES:
        moment = getattr(record, key)
        values[key] = format_timestamp(moment) if moment is not None else None
    # The plan stays in its section (one place to edit); the gates read it there.
    values["rollback_plan"] = None
    values["reviewed_by"] = record.reviewed_by
    values["regression_tests"] = list(record.regression_tests)
    comments = {"rollback_plan": SECTION_NOTE} if record.rollback_plan else {}
    return {key: values[key] for key in KEYS}, comments


def plan_folder(tree: FsTree, folder: str) -> Plan:
    """What migrating one record folder would change (nothing is written here)."""
    from hotfix_gates.parsing.frontmatter import (
        NoFrontMatter,
        UnclosedFrontMatter,
        decode,
        split_front_matter,
    )
    from hotfix_gates.parsing.hotfix import parse_hotfix
    from hotfix_gates.parsing.speckit_values import UNUSED_TIME

    plan = Plan(folder)
    path = f"{folder}/hotfix.md"
    try:
        real = resolve(tree, path)
        data = read(tree, path)
        text = decode(data)
    except (TreeError, UnicodeDecodeError) as exc:
        plan.problems.append(_problem(path, f"cannot read the record: {exc}",
                                      "fix hotfix.md, then migrate again"))
        return plan
    try:
        split_front_matter(text)
    except NoFrontMatter:
        pass
    except UnclosedFrontMatter:
        plan.notes.append(f"{path}: its front matter is never closed; skipped "
                          "(`hotfix-gate check` says where)")
        return plan
    else:
        plan.notes.append(f"{path}: already has front matter; nothing to do")
        return plan
    record, findings = parse_hotfix(path, folder, data)
    errors = [f for f in findings if f.level is Level.ERROR]
    if errors or record.format != "legacy":
        # Never guess: the person fixes these lines first (a file that is no
        # record at all gets the words `check` uses for it).
        plan.problems.extend(errors or findings)
        return plan
    for finding in findings:
        if finding.message.endswith(UNUSED_TIME):
            plan.notes.append(f"{path}:{finding.line}: {finding.message}, nor written into "
                              "the front matter")
    values, comments = record_values(record)
    new = _prepend(data, values, comments)
    _same_reading(record, parse_hotfix(path, folder, new)[0], path)
    post = _post_mortem_change(tree, folder, record, plan)
    if post is not None:
        plan.changes.append(post)  # written first: a rerun then finds hotfix.md still to do
    plan.changes.append(Change(real, data, new))
    return plan


def _post_mortem_change(tree: FsTree, folder: str, record: HotfixRecord,
                        plan: Plan) -> Change | None:
    from hotfix_gates.parsing.hotfix import parse_post_mortem
    from hotfix_gates.parsing.speckit import legacy_declared_complete

    path = f"{folder}/post-mortem.md"
    if tree.kind(path) is None:
        return None
    try:
        real = resolve(tree, path)
        data = read(tree, path)
    except TreeError as exc:
        plan.notes.append(f"{path}: left as it is ({exc})")
        return None
    post, problem, _ = parse_post_mortem(path, data)
    if post is None:
        plan.notes.append(f"{path}: left as it is ({problem})")
        return None
    if _has_front_matter(data):
        return None
    filled = not post.unwritten()
    declared = post.status == "complete" or legacy_declared_complete(post, record)
    status = "complete" if filled and declared else "draft"
    return Change(real, data, _prepend(data, {"status": status}, {}))


def _has_front_matter(data: bytes) -> bool:
    from hotfix_gates.parsing.frontmatter import decode, has_front_matter

    try:
        return has_front_matter(decode(data))
    except UnicodeDecodeError:
        return True  # not ours to touch


def _same_reading(before: HotfixRecord, after: HotfixRecord, path: str) -> None:
    changed = [key for key in _SAME if getattr(before, key) != getattr(after, key)]
    if changed or after.invalid:
        raise ToolError(f"{path}: the front matter would read differently from the Markdown "
                        f"({', '.join(changed or sorted(after.invalid))}); nothing was written. "
                        "Please report this with the record attached")


def _problem(path: str, message: str, fix: str) -> Finding:
    return Finding(path, 1, "HG001", "record-valid", message, fix, Level.ERROR)


def unified_diff(change: Change) -> str:
    old = change.old.decode("utf-8", "replace").splitlines(keepends=True)
    new = change.new.decode("utf-8", "replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}"))


def apply(tree: FsTree, change: Change) -> None:
    """Write one change through the one write path (the caller holds the edit lock)."""
    from pathlib import Path

    from hotfix_gates.editing.write import replace_file

    replace_file(Path(tree.root, change.path), change.path, change.old, change.new)


def select_folders(repo: pygit2.Repository, tree: FsTree, given_id: str | None,
                   every: bool) -> list[str]:
    from hotfix_gates.commands.target import find_folder, wanted_number
    from hotfix_gates.parsing.config import load_config
    from hotfix_gates.parsing.records import record_folders

    config = load_config(tree)
    if every:
        return record_folders(tree, config)[0]
    try:
        number, source = wanted_number(repo, given_id)
    except ToolError as exc:
        if given_id:
            raise
        raise ToolError(f"{exc}, or pass --all to migrate every record") from None
    return [find_folder(tree, config, number, source)]


def migrate(given_id: str | None, every: bool, write: bool, commit: bool = False) -> int:
    """Give spec-kit records (Markdown only, no front matter) the front matter
    the gates read, derived from their Markdown, which is kept byte for byte.
    Shows a unified diff; writes only with --write. Records that already have
    front matter are left alone, so running it twice changes nothing. Exit 1
    when a record has lines to fix first (two options checked, a time that
    cannot be read): they are listed, and nothing is guessed."""
    from hotfix_gates.git.repository import open_repo, work_tree

    if given_id and every:
        raise ToolError("--id and --all cannot be combined; pass one of them")
    if commit and not write:
        raise ToolError("--commit commits what --write writes; pass both")
    repo = open_repo()
    tree = work_tree(repo)
    plans = [plan_folder(tree, folder) for folder in select_folders(repo, tree, given_id, every)]
    for plan in plans:
        for change in plan.changes:
            print(unified_diff(change), end="")
    for plan in plans:
        for note in plan.notes:
            print(f"hotfix-gate: {note}", file=sys.stderr)
        for finding in plan.problems:
            print(finding.text(), file=sys.stderr)
    if write:
        from hotfix_gates.editing.write import edit_lock

        with edit_lock(repo):
            for plan in plans:
                for change in plan.changes:
                    apply(tree, change)
    moved = [plan for plan in plans if plan.changes]
    refused = [plan for plan in plans if plan.problems]
    files = sum(len(plan.changes) for plan in moved)
    noun = "record" if len(moved) == 1 else "records"
    if not moved:
        summary = "nothing to migrate"
    elif write:
        summary = f"migrated {len(moved)} {noun} ({files} files)"
    else:
        summary = (f"{len(moved)} {noun} would get front matter ({files} files); nothing "
                   "written: rerun with --write")
    if refused:
        summary += (f"; {len(refused)} not migrated until the lines above are fixed")
    print(f"hotfix-gate: migrate: {summary}", file=sys.stderr)
    if write and moved:
        _commit_step(tree, moved, commit)
    return EXIT_BLOCKED if refused else EXIT_OK


def _commit_step(tree: FsTree, moved: list[Plan], commit: bool) -> None:
    from pathlib import Path

    from hotfix_gates.editing.commit import finish
    from hotfix_gates.model.constants import folder_number

    paths = [change.path for plan in moved for change in plan.changes]
    if len(moved) == 1:
        number = folder_number(moved[0].folder)
        name = f"hotfix-{number:03d}" if number is not None else moved[0].folder
        message = f"{name}: front matter derived from its Markdown (migrate)"
    else:
        message = f"migrate {len(moved)} hotfix records to front matter"
    finish(Path(tree.root), paths, message, commit)
