"""Writing files so that an interruption leaves the old file or the new one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def _place(target: Path, data: bytes, mode: int, put: Callable[[str, Path], None]) -> None:
    """Write `data` to a synced temporary file beside `target`, then `put` it
    in place; the temporary file never outlives the call."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        put(tmp, target)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # already renamed away after os.replace


def write_atomic(path: str | os.PathLike[str], data: bytes, *, mode: int | None = None) -> None:
    """Replace `path` with `data`: temporary file in the same folder, fsync, rename.

    The file's permission bits are kept (or set to `mode` for a new file).
    """
    target = Path(path)
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            mode = 0o644
    _place(target, data, mode, os.replace)


def create_exclusive(path: str | os.PathLike[str], data: bytes, *, mode: int = 0o644) -> None:
    """Create a new file; FileExistsError if anything is already there.

    The content is written to a temporary file first and linked into place,
    so the file never exists half-written and an existing file is never touched.
    """
    _place(Path(path), data, mode, os.link)  # link fails instead of replacing
