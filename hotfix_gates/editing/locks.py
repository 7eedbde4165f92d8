"""Locks between our own commands (two `new`, two edits of a record).

They are advisory `flock` locks on a file in the git directory all worktrees
share: the kernel lets go when the holder exits or is killed, so a crash
never leaves a lock behind that blocks the next command.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    import pygit2

WAIT = 5.0  # seconds; what a lock guards takes milliseconds
NEW_LOCK = "hotfix-gate-new.lock"
EDIT_LOCK = "hotfix-gate-edit.lock"


def common_dir(repo: pygit2.Repository) -> Path:
    """The git directory shared by every worktree (where the locks live)."""
    from hotfix_gates.git.command import GitFailed, common_dir_of

    try:
        return Path(common_dir_of(repo.path))
    except GitFailed:
        return Path(repo.path)


@contextlib.contextmanager
def held(path: Path, busy: str, wait: float = WAIT) -> Iterator[None]:
    """Hold the lock `path` for the block; wait up to `wait` seconds for
    another holder, then refuse with one line (`busy`, naming the file)."""
    import fcntl

    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(path, os.O_CREAT | os.O_RDWR | os.O_NOFOLLOW, 0o644)
        except OSError as exc:
            raise ToolError(f"cannot open the lock file {path}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            if time.monotonic() >= deadline:
                raise ToolError(f"{busy} (lock file {path}); try again in a moment") from None
            time.sleep(0.02)
            continue
        except OSError as exc:
            os.close(fd)
            raise ToolError(f"cannot lock {path}: {exc.strerror}") from None
        # The holder before us removes the file as it lets go: the lock only
        # counts on the file that is still there.
        try:
            current = os.stat(path, follow_symlinks=False)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(os.fstat(fd), current):
            break
        os.close(fd)
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)
