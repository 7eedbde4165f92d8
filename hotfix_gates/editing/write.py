"""The one way an edit reaches a record file.

Every command that changes a record (the lifecycle commands, `migrate
--write`) reads it and writes it while holding the edit lock, so two of our
commands never interleave. The write itself refuses when the file no longer
holds what was read (an editor or another tool changed it meanwhile), goes
through a temporary file and a rename (an interruption leaves the old file or
the new one), and reads the result back: anything but the intended bytes is
a refusal, never a silent difference.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    import pygit2

BUSY = "another hotfix-gate command is editing a record"


@contextlib.contextmanager
def edit_lock(repo: pygit2.Repository) -> Iterator[None]:
    """Hold the edit lock (in the git dir all worktrees share) for the block."""
    from hotfix_gates.editing import locks

    with locks.held(locks.common_dir(repo) / locks.EDIT_LOCK, BUSY, locks.WAIT):
        yield


def replace_file(path: Path, rel: str, old: bytes, new: bytes) -> bool:
    """Write `new` over `path`, which must still hold `old` (as read under the
    edit lock, which the caller holds); True when the bytes changed."""
    from hotfix_gates.editing.atomic import write_atomic

    try:
        current = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {rel} again: {exc.strerror}") from None
    if current != old:
        raise ToolError(f"{rel} changed while it was being edited; run the command again")
    sweep_temporary_files(path)
    if new == old:
        return False
    try:
        write_atomic(path, new)
    except OSError as exc:
        raise ToolError(f"cannot write {rel}: {exc.strerror or exc}; the file was left as it "
                        "was") from None
    try:
        written = path.read_bytes()
    except OSError as exc:
        raise ToolError(f"cannot read {rel} back after writing it: {exc.strerror}") from None
    if written != new:
        raise ToolError(f"{rel} does not read back as written (another program wrote it at the "
                        "same moment?); check it with `git diff`, then run the command again")
    return True


def sweep_temporary_files(path: Path) -> None:
    """Remove the temporary copies of `path` an edit killed mid-write left
    (`.hotfix.md.XXXX.tmp`): under the edit lock, no other edit is writing one."""
    with contextlib.suppress(OSError):
        for leftover in path.parent.glob(f".{path.name}.*.tmp"):
            if leftover.is_file() and not leftover.is_symlink():
                leftover.unlink()
