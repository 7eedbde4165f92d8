"""`hotfix-gate install` and `hotfix-gate uninstall`: the raw git hooks.

A hook already in place is never replaced: it is kept as
`<hook>.hotfix-gates-chained` and ours runs it first, with the same arguments
and input; its failure fails the hook. The steps are ordered so the user's
hook always exists under one of the two names: install hard-links it to the
chained name, then renames our hook over the original; uninstall renames it
back. `--force` only replaces a hotfix-gates hook that differs from what this
copy would write (another Python, another version); it never touches
anyone else's hook.
"""

from __future__ import annotations

import errno
import os
import shlex
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from hotfix_gates.editing.atomic import create_exclusive, write_atomic
from hotfix_gates.model.errors import EXIT_OK, ToolError

HOOKS = ("pre-push", "commit-msg", "pre-receive")
STDIN_HOOKS = frozenset({"pre-push", "pre-receive"})
MARKER = "# hotfix-gates hook:"
CHAINED = ".hotfix-gates-chained"
MODULES = {
    "pre-push": "hotfix_gates.hooks.pre_push",
    "commit-msg": "hotfix_gates.hooks.commit_msg",
    "pre-receive": "hotfix_gates.hooks.pre_receive",
}
_READ_LIMIT = 64 * 1024

if TYPE_CHECKING:
    import pygit2


def render(hook: str, python: str | None = None) -> str:
    """The hook script. With `python`, it runs the package with that
    interpreter (what `install` writes); without, the `hotfix-gate-<hook>`
    console script found on PATH (the templates in `hooks/`)."""
    lines = ["#!/bin/sh", f"{MARKER} {hook}"]
    if python is None:
        lines += [
            f"# Copy to .git/hooks/{hook} (needs hotfix-gate-{hook} on PATH), or let",
            "# `hotfix-gate install` write it. A hook that was there before can be kept",
            f"# as {hook}{CHAINED}: it runs first, and its failure fails this hook.",
        ]
        command = f"hotfix-gate-{hook}"
    else:
        lines += [
            "# Written by `hotfix-gate install`; `hotfix-gate uninstall` removes it and puts back",
            f"# the hook that was here before (kept as {hook}{CHAINED}, which runs first).",
            f"python={shlex.quote(python)}",
            'if [ ! -x "$python" ]; then',
            f'    echo "hotfix-gates: $python is gone; run \\`hotfix-gate install --force\\` '
            f'with the Python that has hotfix-gates, or move {hook}{CHAINED} back to {hook}" >&2',
            "    exit 2",
            "fi",
        ]
        code = f"import sys; from {MODULES[hook]} import main; sys.exit(main())"
        command = f'"$python" -c {shlex.quote(code)}'
    lines += [
        "case $0 in */*) here=${0%/*} ;; *) here=. ;; esac",
        f"chained=$here/{hook}{CHAINED}",
        'if [ -x "$chained" ]; then',
    ]
    if hook in STDIN_HOOKS:
        lines += [
            "    # git writes the refs to stdin once: keep them for both hooks",
            "    input=$(cat; echo .)",
            "    input=${input%.}",
            '    printf \'%s\' "$input" | "$chained" "$@" || exit',
            f'    printf \'%s\' "$input" | {command} "$@"',
            "    exit",
        ]
    else:
        lines.append('    "$chained" "$@" || exit')
    lines += ["fi", f'exec {command} "$@"', ""]
    return "\n".join(lines)


def hooks_folder(repo: pygit2.Repository) -> Path:
    """Where git looks for this repository's hooks: core.hooksPath (relative to
    the working tree's root, or the git dir of a bare repository), else the
    `hooks` folder of the git dir all worktrees share."""
    import pygit2

    from hotfix_gates.git.command import GitFailed, common_dir_of

    try:
        configured = repo.config["core.hooksPath"]
    except KeyError:
        configured = None
    except pygit2.GitError as exc:
        raise ToolError(f"cannot read core.hooksPath: {exc}") from None
    if configured:
        path = os.path.expanduser(str(configured))
        base = repo.path if repo.is_bare or not repo.workdir else repo.workdir
        return Path(base, path)
    try:
        return Path(common_dir_of(repo.path), "hooks")
    except GitFailed as exc:
        raise ToolError(f"cannot find the hooks folder of {repo.path}: {exc}") from None


def is_ours(path: Path) -> bool:
    """A hook written by hotfix-gates (it carries our marker line near the top)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_READ_LIMIT)
    except OSError:
        return False
    lines = head.decode("utf-8", "replace").splitlines()[:6]
    return bool(lines) and lines[0].startswith("#!") and any(
        line.startswith(MARKER) for line in lines)


def is_as_written(path: Path, hook: str) -> bool:
    """Our hook exactly as `install` (with whatever Python) or `hooks/` writes
    it: one nobody has edited since, so replacing or removing it loses nothing."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_READ_LIMIT)
    except OSError:
        return False
    text = data.decode("utf-8", "replace")
    python = next((line.removeprefix("python=") for line in text.splitlines()
                   if line.startswith("python=")), None)
    if python is not None:
        try:
            words = shlex.split(python)
        except ValueError:
            return False
        if len(words) != 1:
            return False
        return data == render(hook, words[0]).encode("utf-8")
    return data == render(hook).encode("utf-8")


def _edited(target: Path) -> ToolError:
    return ToolError(f"{target} is a hotfix-gates hook with changes of its own (or from another "
                     "version of hotfix-gates); it was left as it is: move it away (your "
                     "changes with it), then run this again")


def _mentions(path: Path, word: bytes) -> bool:
    try:
        with open(path, "rb") as handle:
            return word in handle.read(_READ_LIMIT)
    except OSError:
        return False


def _exists(path: Path) -> bool:
    return os.path.lexists(path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samestat(os.lstat(a), os.lstat(b))
    except OSError:
        return False


def _keep_aside(target: Path, chained: Path) -> None:
    """Give the user's hook its second name, without ever removing the first."""
    try:
        os.link(target, chained, follow_symlinks=False)
        return
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK, errno.ENOSYS):
            raise
    # a file system without hard links: an exact copy instead
    if os.path.islink(target):
        os.symlink(os.readlink(target), chained)
    else:
        create_exclusive(chained, target.read_bytes(), mode=stat.S_IMODE(os.stat(target).st_mode))


def install_hook(folder: Path, hook: str, content: str, force: bool) -> str:
    """Put our hook in place; returns what was done, in words."""
    target = folder / hook
    chained = folder / f"{hook}{CHAINED}"
    data = content.encode("utf-8")
    if not _exists(target):
        create_exclusive(target, data, mode=0o755)
        if _exists(chained):
            return (f"installed {target}; it runs {chained.name} first (left from an earlier "
                    "install: delete it if that hook is no longer wanted)")
        return f"installed {target}"
    if is_ours(target):
        if target.read_bytes() == data:
            return f"already installed: {target}"
        if not is_as_written(target, hook):
            raise _edited(target)
        if not force:
            raise ToolError(f"{target} is a hotfix-gates hook written by another install "
                            "(another Python or version); rerun with --force to replace it "
                            "(the hook it chains is kept)")
        write_atomic(target, data, mode=0o755)
        return f"replaced {target} (--force)"
    mode = os.lstat(target).st_mode
    if not (stat.S_ISREG(mode) or stat.S_ISLNK(mode)):
        raise ToolError(f"{target} is not a file; move it away, then install again")
    if _exists(chained) and not _same_file(target, chained):
        raise ToolError(f"{target} and {chained} both exist and differ; keep one of them "
                        "(merge them by hand), then install again")
    if not _exists(chained):
        try:
            _keep_aside(target, chained)
        except OSError as exc:
            raise ToolError(f"cannot keep {target} as {chained.name}: {exc.strerror}") from None
    write_atomic(target, data, mode=0o755)  # an atomic rename: the old name is never empty
    note = f"installed {target}; the hook that was there runs first (kept as {chained.name})"
    if _mentions(chained, b"pre-commit"):
        note += ("\n  that hook was written by pre-commit: with pre-commit, add the hotfix-gate "
                 "hooks to .pre-commit-config.yaml instead (see the README)")
    return note


def uninstall_hook(folder: Path, hook: str) -> str | None:
    """Remove our hook and put back the one it chained; None if nothing to do."""
    target = folder / hook
    chained = folder / f"{hook}{CHAINED}"
    if _exists(target) and is_ours(target):
        if not is_as_written(target, hook):
            raise _edited(target)
        if _exists(chained):
            os.replace(chained, target)  # atomic: the user's hook is back in one step
            return f"removed the hotfix-gates hook; restored the previous {target}"
        os.unlink(target)
        return f"removed {target}"
    if _exists(chained):
        if _exists(target) and _same_file(target, chained):
            os.unlink(chained)  # an install stopped half-way: the hook was never replaced
            return f"{target} was never replaced; removed its extra name {chained.name}"
        if not _exists(target):
            os.link(chained, target, follow_symlinks=False)
            os.unlink(chained)
            return f"restored the previous {target}"
        return (f"{target} is not a hotfix-gates hook (pre-commit or another tool replaced "
                f"it); {chained.name} is left for you to merge by hand")
    return None


def _open() -> tuple[pygit2.Repository, Path]:
    from hotfix_gates.git.repository import open_repo

    repo = open_repo()
    return repo, hooks_folder(repo)


def install(hooks: tuple[str, ...], force: bool) -> int:
    """Install the raw git hooks; an existing hook is kept and runs first."""
    repo, folder = _open()
    names = hooks or (("pre-receive",) if repo.is_bare else ("pre-push", "commit-msg"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ToolError(f"cannot create the hooks folder {folder}: {exc.strerror}") from None
    python = sys.executable
    for name in dict.fromkeys(names):
        try:
            print(f"{name}: {install_hook(folder, name, render(name, python), force)}")
        except OSError as exc:
            raise ToolError(f"cannot install {folder / name}: {exc.strerror or exc}") from None
    return EXIT_OK


def uninstall(hooks: tuple[str, ...]) -> int:
    """Remove the hooks `install` wrote and put back the ones they chained."""
    _, folder = _open()
    done = False
    refused: list[ToolError] = []  # one hook left as it is does not stop the others
    for name in dict.fromkeys(hooks or HOOKS):
        try:
            result = uninstall_hook(folder, name)
        except ToolError as exc:
            refused.append(exc)
            continue
        except OSError as exc:
            raise ToolError(f"cannot uninstall {folder / name}: {exc.strerror or exc}") from None
        if result is not None:
            done = True
            print(f"{name}: {result}")
    if refused:
        raise refused[0]
    if not done:
        print(f"no hotfix-gates hook in {folder}")
    return EXIT_OK

