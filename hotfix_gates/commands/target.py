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
        raise ToolError("which hotfix? pass --id hotfix-NNN, check out its hotfix/NNN-* branch, "
                        f"or set {ENV_ID}")
    return current


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
