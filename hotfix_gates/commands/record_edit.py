"""What every command that edits a record shares: pick the record, read it
under the edit lock, refuse an invalid one, write through the one write path,
say what changed, and commit it (--commit) or print how.

A command is a plain function that works out its `Outcome` (the new bytes of
each file and a one-line summary) from the `Target` it is given; the
changing of lines itself is `hotfix_gates.editing.frontmatter`'s.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.model.constants import MILESTONES
from hotfix_gates.model.errors import EXIT_OK, ToolError
from hotfix_gates.model.finding import Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import format_timestamp

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.model.config import Config

MAX_TEXT = 64 * 1024  # a rollback plan or log message longer than this is a mistake


@dataclass
class Target:
    """The record a command acts on, as read under the edit lock."""

    repo: pygit2.Repository
    config: Config
    root: Path  # the working tree's root
    rel: str  # hotfix.md relative to the root
    data: bytes
    record: HotfixRecord

    @property
    def path(self) -> Path:
        return self.root / self.rel

    @property
    def folder(self) -> str:
        return self.rel.rpartition("/")[0]

    @property
    def label(self) -> str:
        """How commit messages name the record: its id, else hotfix-NNN."""
        if self.record.id:
            return self.record.id
        number = self.record.number
        return f"hotfix-{number:03d}" if number is not None else self.folder


@dataclass
class Change:
    """One file's edit: its bytes as read and as they are to be written."""

    rel: str
    old: bytes
    new: bytes
    summary: str  # `severity: null -> P1`


@dataclass
class Outcome:
    changes: list[Change]
    message: str  # the commit message after `hotfix-NNN: `
    notes: list[str] = field(default_factory=list)  # said on stderr after the change


def load(repo: pygit2.Repository, given_id: str | None) -> Target:
    """The record's hotfix.md, which must be a valid record with front matter."""
    from hotfix_gates.commands.target import find_folder, wanted_number
    from hotfix_gates.git.repository import work_tree
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.model.tree import read
    from hotfix_gates.parsing.config import load_config
    from hotfix_gates.parsing.hotfix import parse_hotfix

    tree = work_tree(repo)
    config = load_config(tree)
    number, source = wanted_number(repo, given_id)
    folder = find_folder(tree, config, number, source)
    rel = f"{folder}/hotfix.md"
    kind = tree.kind(rel)
    if kind != "file":
        what = "does not exist" if kind is None else f"is a {kind}, not a regular file"
        raise ToolError(f"{rel} {what}; a record's hotfix.md must be a file to be edited")
    try:
        data = read(tree, rel)
    except TreeError as exc:
        raise ToolError(f"cannot read {rel}: {exc}") from None
    record, findings = parse_hotfix(rel, folder, data)
    if record.format != "front-matter":
        raise ToolError(f"{rel} is in the older Markdown-only format; run `hotfix-gate migrate` "
                        "to give it front matter, then repeat this command")
    errors = [f for f in findings if f.level is Level.ERROR]
    if errors:
        for finding in errors:
            print(finding.text(), file=sys.stderr)
        raise ToolError(f"{rel} is not a valid record; fix the line(s) above first "
                        "(nothing was changed)")
    return Target(repo, config, Path(tree.root), rel, data, record)


def edit_record(record_id: str | None, commit: bool, work: Callable[[Target], Outcome]) -> int:
    """Load the record under the edit lock, apply `work`, write what changed,
    say so, then commit it or print the command that would."""
    from hotfix_gates.editing.commit import finish, pending
    from hotfix_gates.editing.write import edit_lock, replace_file
    from hotfix_gates.git.repository import open_repo

    repo = open_repo()
    with edit_lock(repo):
        target = load(repo, record_id)
        outcome = work(target)
        paths = [change.rel for change in outcome.changes]
        dirty: list[str] = []
        if commit:  # changes made before this command ride along in its commit: say so
            changed, untracked = pending(target.root, paths)
            dirty = [path for path in changed if path not in untracked]
        written = [replace_file(target.root / change.rel, change.rel, change.old, change.new)
                   for change in outcome.changes]
    for change, wrote in zip(outcome.changes, written, strict=True):
        print(f"{change.rel}: {change.summary}{'' if wrote else ' (unchanged)'}")
    for note in outcome.notes:
        print(f"hotfix-gate: note: {note}", file=sys.stderr)
    finish(target.root, paths, f"{target.label}: {outcome.message}", commit, dirty)
    return EXIT_OK


# The command that records each milestone, for the messages that name it.
COMMANDS = {"incident_start": "set incident-start", "detected_at": "detected",
            "deployed_at": "deployed", "resolved_at": "resolved"}


def check_order(record: HotfixRecord, key: str, when: datetime) -> None:
    """Refuse a time before an earlier milestone or after a later one."""
    position = MILESTONES.index(key)
    for index, other in enumerate(MILESTONES):
        then = getattr(record, other)
        if other == key or then is None:
            continue
        if (index < position and when < then) or (index > position and when > then):
            side = "before" if index < position else "after"
            raise ToolError(f"{key} {format_timestamp(when)} would be {side} {other} "
                            f"{format_timestamp(then)}; give the real time, or correct "
                            f"{other} (`hotfix-gate {COMMANDS[other]} ...`)")


def apply(target: Target, data: bytes, edit: Callable[[bytes], bytes], rel: str = "") -> bytes:
    """`edit(data)`, its refusal said as one line naming the file."""
    from hotfix_gates.model.errors import EditError

    try:
        return edit(data)
    except EditError as exc:
        raise ToolError(f"cannot edit {rel or target.rel}: {exc}") from None


def old_value(target: Target, key: str) -> object:
    """The value as written in the front matter (not as derived from the body)."""
    from hotfix_gates.editing.verify import front_matter_values
    from hotfix_gates.model.errors import EditError

    try:
        return front_matter_values(target.data).get(key)
    except EditError:
        return getattr(target.record, key, None)


def show(value: object) -> str:
    """A value as the one-line summary shows it."""
    if value is None:
        return "null"
    if isinstance(value, datetime):
        return format_timestamp(value)
    text = str(value)
    lines = text.splitlines() or [""]
    shown = lines[0] if len(lines[0]) <= 60 else lines[0][:57] + "..."
    if len(lines) > 1:
        shown += f" (+{len(lines) - 1} lines)"
    return shown


def text(what: str, value: str) -> str:
    """A command-line text that can be written as UTF-8 (argv may hold raw bytes)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ToolError(f"{what} is not valid UTF-8 text; check your terminal's encoding") from None
    return value


def moment(at: str | None) -> datetime:
    """--at, else $HOTFIX_GATE_NOW, else now; never in the future."""
    from hotfix_gates.editing.clock import edit_moment

    return edit_moment(at)
