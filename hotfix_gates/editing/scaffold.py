"""Writing a new record folder: whole or not at all, never over anything.

The files are written in a hidden folder beside their place and the folder
is renamed into place, so a killed `new` leaves no half record (the next one
sweeps what it left), and nothing that exists is ever replaced. Runs under
the `new` lock.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.editing.templates import TEMPLATE_FILES
from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    from hotfix_gates.git.trees import FsTree

# A record is written here (inside specs_dir) and renamed into place whole.
STAGING_PREFIX = ".hotfix-gate-new-"


def prepare_folder(workdir: Path, tree: FsTree, specs_dir: str) -> list[Path]:
    """Make sure specs_dir is a real folder, never a file or symlink; return
    the folders created for it (so a failed command can take them back)."""
    parts = specs_dir.split("/")
    missing: list[Path] = []
    for depth in range(1, len(parts) + 1):
        here = "/".join(parts[:depth])
        kind = tree.kind(here)
        if kind is None:
            missing.extend(workdir.joinpath(*parts[:d]) for d in range(depth, len(parts) + 1))
            break
        if kind != "dir":
            what = {"link": "symlink", "file": "file"}.get(kind, kind)
            raise ToolError(f"{here} is a {what}, not a folder; hotfix records live in real "
                            "folders (move it, or set specs_dir in .hotfix-gates.yaml)")
    made: list[Path] = []
    for folder in missing:
        try:
            os.mkdir(folder)
            made.append(folder)
        except FileExistsError:
            continue  # made by someone else meanwhile: theirs, not ours to remove
        except OSError as exc:
            undo([], made)
            raise ToolError(f"cannot create {specs_dir}: {exc.strerror}") from None
    return made


def verify_rendered(text: str, source: str, folder: str, expected: Mapping[str, object]) -> None:
    """The rendered hotfix.md must read back cleanly as the record intended."""
    from hotfix_gates.parsing.hotfix import parse_hotfix

    rel = f"{folder}/hotfix.md"
    record, findings = parse_hotfix(rel, folder, text.encode("utf-8"))
    if findings:
        first = findings[0]
        raise ToolError(f"{source} does not give a valid hotfix.md (line {first.line}: "
                        f"{first.message}); fix the template, nothing was written")
    if record.format != "front-matter":
        raise ToolError(f"{source} has no front matter; start it with the keys of the record "
                        "between `---` lines (nothing was written)")
    for key, want in expected.items():
        got = getattr(record, key)
        if got != want:
            raise ToolError(f"{source} gives {key} {got!r:.80} instead of {want!r:.80}; write "
                            f"`{key}: {{{{{key}}}}}` in its front matter (nothing was written)")


def write_folder(workdir: Path, tree: FsTree, specs_dir: str, folder: str,
                  rendered: Mapping[str, str]) -> tuple[list[Path], list[Path]]:
    """Write the record in a hidden folder beside its place, then rename it
    into place, so it appears whole or not at all (a killed `new` leaves no
    half record) and nothing is ever replaced; return (files, folders)
    written, for `_undo`. Runs under the `new` lock."""
    from hotfix_gates.editing.atomic import create_exclusive

    made = prepare_folder(workdir, tree, specs_dir)
    parent = workdir / specs_dir
    sweep_staging(parent)
    target = workdir / folder
    if os.path.lexists(target):
        undo([], made)
        raise ToolError(f"{folder} already exists; it was left as it was (nothing was "
                        "written)")
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=parent))
    except OSError as exc:
        undo([], made)
        raise ToolError(f"cannot create a folder in {specs_dir}: {exc.strerror}") from None
    files: list[Path] = []
    try:
        for name, text in rendered.items():
            create_exclusive(staging / name, text.encode("utf-8"))
            files.append(staging / name)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(staging, 0o777 & ~umask)  # mkdtemp's folder is private
        if os.path.lexists(target):
            raise FileExistsError(errno.EEXIST, "exists")
        os.rename(staging, target)
    except OSError as exc:
        undo(files, [*made, staging])
        if isinstance(exc, FileExistsError):  # the folder appeared meanwhile
            raise ToolError(f"{folder} already exists; it was left as it was (nothing was "
                            "written)") from None
        raise ToolError(f"cannot write {folder}: {exc.strerror or exc}; nothing was "
                        "kept") from None
    return [target / name for name in rendered], [*made, target]


def sweep_staging(parent: Path) -> None:
    """Remove what a killed `new` left in its hidden folder: under the lock,
    no other `new` is writing one."""
    try:
        leftovers = [p for p in parent.iterdir() if p.name.startswith(STAGING_PREFIX)]
    except OSError:
        return
    for folder in leftovers:
        if folder.is_symlink() or not folder.is_dir():
            continue
        with contextlib.suppress(OSError):
            for item in folder.iterdir():
                if item.is_file() and not item.is_symlink() and (
                        item.name in TEMPLATE_FILES or item.name.endswith(".tmp")):
                    item.unlink()
            folder.rmdir()


def undo(files: list[Path], folders: list[Path]) -> None:
    """Take back a half-made record: only the files and folders this command
    made (a folder is removed only while empty)."""
    for path in files:
        with contextlib.suppress(OSError):
            os.unlink(path)
    for folder in reversed(folders):
        with contextlib.suppress(OSError):
            os.rmdir(folder)
