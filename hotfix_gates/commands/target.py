"""Choosing the record a lifecycle command acts on: --id, else the current
`hotfix/NNN-*` branch, else $SPECIFY_HOTFIX."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING

from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import RECORD_ENV, folder_number
from hotfix_gates.model.errors import ToolError
from hotfix_gates.parsing.records import record_folders

if TYPE_CHECKING:
    import pygit2

ENV_ID = RECORD_ENV
# At most 18 digits: int() refuses thousands of them.
_ID = re.compile(r"(?:hotfix-)?0*(\d{1,18})")
_BRANCH = re.compile(r"hotfix/0*(\d{1,18})-")


def parse_id(text: str) -> int:
    """`hotfix-007`, `007` or `7` -> 7."""
    match = _ID.fullmatch(text.strip())
    if not match:
        raise ToolError(f"{text!r:.40} is not a hotfix id; write hotfix-007, 007 or 7")
    return int(match.group(1))


def wanted_number(repo: pygit2.Repository, given: str | None) -> tuple[int, str]:
    """The record number asked for, and where it came from (for messages)."""
    if given:
        return parse_id(given), f"--id {given}"
    current = current_number(repo)
    if current is None:
        raise ToolError(f"which hotfix? pass --id hotfix-NNN{_not_closed(repo)}, check out its "
                        f"hotfix/NNN-* branch, or set {ENV_ID}")
    return current


SHOWN = 3  # records named when the command does not say which


def _not_closed(repo: pygit2.Repository) -> str:
    """` (not closed here: hotfix-002, hotfix-003)`: the records a command on
    main most likely means (the newest few), or nothing when none can be read."""
    from hotfix_gates.git.repository import work_tree
    from hotfix_gates.parsing.config import load_config
    from hotfix_gates.parsing.records import load_records

    try:
        tree = work_tree(repo)
        loaded, _ = load_records(tree, load_config(tree))
    except ToolError:
        return ""
    numbers = sorted({record.number for record, _ in loaded
                      if record.number is not None and record.status != "closed"})
    if not numbers:
        return ""
    named = ", ".join(f"hotfix-{n:03d}" for n in numbers[-SHOWN:])
    more = f" and {len(numbers) - SHOWN} older" if len(numbers) > SHOWN else ""
    return f" (not closed here: {named}{more})"


def current_number(repo: pygit2.Repository) -> tuple[int, str] | None:
    """The hotfix in progress: the checked-out `hotfix/NNN-*` branch, else
    $SPECIFY_HOTFIX; None when there is neither."""
    from hotfix_gates.git.repository import current_branch

    branch = current_branch(repo)
    if branch:
        match = _BRANCH.match(branch)
        if match:
            return int(match.group(1)), f"branch {branch}"
    env = os.environ.get(ENV_ID, "").strip()
    if env:
        return parse_id(env), f"${ENV_ID}={env}"
    return None


def find_folder(tree: FsTree, config: Config, number: int, source: str) -> str:
    """The folder (relative to the repository root) of record `number`."""
    folders, _ = record_folders(tree, config)
    matches = [f for f in folders if folder_number(f) == number]
    if not matches:
        raise ToolError(f"no hotfix record numbered {number:03d} under {config.specs_dir} "
                        f"(from {source}); `hotfix-gate status` lists the records")
    if len(matches) > 1:
        raise ToolError(f"hotfix number {number:03d} is used by {len(matches)} records "
                        f"({', '.join(matches)}); renumber them first")
    return matches[0]
