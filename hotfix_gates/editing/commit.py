"""The commit step of an edit: the hooks judge commits, not the working tree.

With --commit, a command commits exactly the record files it changed
(`git commit --only -- PATHS`: whatever else is staged stays staged and out
of the commit) with a message naming the record and the change. Without it,
the command ends by printing the one git command that does the same, ready
to paste. `git` itself makes the commit, so the repository's own hooks run
as they would for a commit made by hand.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import TextIO

from hotfix_gates.model.errors import ToolError

# Variables git reads as paths relative to where it runs; a child that runs
# in the repository's root gets them made absolute.
_PATH_VARIABLES = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY")
_started_in: list[str] = []


def remember_start(folder: str) -> None:
    """Where the user ran the command, before `-C` moved us: the printed git
    command must work from there."""
    if not _started_in:
        _started_in.append(folder)


def forget_start() -> None:
    """A new command line begins (several run in one process in tests)."""
    _started_in.clear()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    for name in _PATH_VARIABLES:
        if env.get(name):
            env[name] = os.path.abspath(env[name])
    return env


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(["git", *args], cwd=root, env=_env(), capture_output=True,
                              text=True, errors="replace", check=False)
    except OSError as exc:
        raise ToolError(f"cannot run git: {exc.strerror}; install git or commit by "
                        "hand") from None


def pending(root: Path, paths: list[str]) -> tuple[list[str], list[str]]:
    """(paths that differ from HEAD, those of them git does not track yet)."""
    done = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all",
                "--no-renames", "--", *paths)
    if done.returncode != 0:
        raise ToolError(f"git status failed: {_last_line(done)}")
    changed: list[str] = []
    untracked: list[str] = []
    for entry in filter(None, done.stdout.split("\0")):
        state, path = entry[:2], entry[3:]
        changed.append(path)
        if state == "??":
            untracked.append(path)
    return changed, untracked


# What `git commit` would complete; git refuses to commit only some paths then.
_OPERATIONS = (("MERGE_HEAD", "merge"), ("CHERRY_PICK_HEAD", "cherry-pick"))


def operation_in_progress(root: Path) -> str | None:
    """"merge" or "cherry-pick" when `git commit` would complete one (as after
    a commit-msg refusal of `git merge --no-ff`), else None."""
    asked = [arg for name, _ in _OPERATIONS for arg in ("--git-path", name)]
    done = _git(root, "rev-parse", *asked)
    if done.returncode != 0:
        return None
    for (_, words), path in zip(_OPERATIONS, done.stdout.splitlines(), strict=False):
        if (root / path).is_file():
            return words
    return None


def _as_typed(root: Path, paths: list[str]) -> tuple[str, list[str]]:
    """(`git` or `git -C ...`, the paths) as the user can type them from where
    they are (relative to that folder when it is in the repository)."""
    start = Path(_started_in[0] if _started_in else os.getcwd())
    prefix = "git"
    shown = paths
    try:
        inside = os.path.relpath(root.resolve(), start.resolve())
    except ValueError:
        inside = str(root)
    if inside.split(os.sep)[0] == "..":
        if any(part != ".." for part in inside.split(os.sep)):
            prefix = f"git -C {shlex.quote(str(root))}"
        else:
            shown = [os.path.join(inside, path) for path in paths]
    elif inside != ".":  # the repository is below where the user is: a short -C if it is near
        near = len(inside.split(os.sep)) <= 2
        prefix = f"git -C {shlex.quote(inside if near else str(root))}"
    return prefix, shown


def _quoted(names: list[str]) -> str:
    return " ".join(shlex.quote(name) for name in names)


def command_line(root: Path, paths: list[str], untracked: list[str], message: str) -> str:
    """The git command that commits `paths` as --commit would, from where
    the user is (paths relative to that folder when it is in the repository,
    else `git -C ROOT`)."""
    prefix, shown = _as_typed(root, paths)
    mapping = dict(zip(paths, shown, strict=True))
    commit = f"{prefix} commit -m {shlex.quote(message)} -- {_quoted(shown)}"
    if untracked:
        return f"{prefix} add -- {_quoted([mapping[p] for p in untracked])} && {commit}"
    return commit


def _complete_operation(root: Path, paths: list[str], operation: str, commit: bool) -> None:
    """During a merge or cherry-pick, git commits the whole index or nothing:
    the edit is staged (--commit), and `git commit` completes the operation
    with it."""
    prefix, shown = _as_typed(root, paths)
    if not commit:
        print(f"hotfix-gate: a {operation} is in progress; `{prefix} add -- {_quoted(shown)} "
              f"&& {prefix} commit` completes it with this change", file=sys.stderr)
        return
    added = _git(root, "add", "--", *paths)
    if added.returncode != 0:
        raise ToolError(f"git add failed: {_last_line(added)}")
    print(f"hotfix-gate: a {operation} is in progress: staged {' '.join(shown)}; "
          f"`{prefix} commit` completes the {operation} with it", file=sys.stderr)


def commit_paths(root: Path, paths: list[str], untracked: list[str], message: str,
                 body: str = "") -> str:
    """Commit exactly `paths` (their working-tree content); the new commit's short id."""
    if untracked:
        added = _git(root, "add", "--", *untracked)
        if added.returncode != 0:
            raise ToolError(f"git add failed: {_last_line(added)}")
    args = ["commit", "--only", "-q", "-m", message]
    if body:
        args += ["-m", body]
    done = _git(root, *args, "--", *paths)
    # The repository's own hooks speak here (reminders, or why they refused).
    if done.stdout.strip() or done.stderr.strip():
        sys.stderr.write(done.stdout + done.stderr)
    if done.returncode != 0:
        raise ToolError(f"git commit failed ({_last_line(done)}); the edit is written but not "
                        f"committed: fix that, then run {command_line(root, paths, [], message)}")
    head = _git(root, "rev-parse", "--short", "HEAD")
    return head.stdout.strip()


def current_branch_name(root: Path) -> str:
    done = _git(root, "symbolic-ref", "-q", "--short", "HEAD")
    return done.stdout.strip() or "a detached HEAD"


def _last_line(done: subprocess.CompletedProcess[str]) -> str:
    lines = [line.strip() for line in (done.stderr + done.stdout).splitlines() if line.strip()]
    return lines[-1] if lines else f"exit {done.returncode}"


def _covers(path: str, changed: str) -> bool:
    """`path` names `changed`: the same file, or a folder (`dir/`) holding it."""
    return changed == path or (path.endswith("/") and changed.startswith(path))


def finish(root: Path, paths: list[str], message: str, commit: bool,
           dirty_before: list[str] | None = None, report: TextIO | None = None) -> None:
    """After an edit of `paths` (files, or folders written `dir/`): commit
    them (--commit) or print the command that would. Nothing when they
    hold no change to commit."""
    changed, untracked = pending(root, paths)
    targets = [path for path in paths if any(_covers(path, c) for c in changed)]
    if not targets:
        return
    operation = operation_in_progress(root)
    if operation is not None:
        _complete_operation(root, targets, operation, commit)
        return
    new = [path for path in targets if any(_covers(path, u) for u in untracked)]
    if not commit:
        print("hotfix-gate: the hooks judge commits, not files; commit the change "
              "(or pass --commit):", file=sys.stderr)
        print(f"  {command_line(root, targets, new, message)}", file=sys.stderr)
        return
    body = ""
    earlier = [path for path in (dirty_before or []) if path in targets]
    if earlier:
        body = ("This commit also carries earlier uncommitted changes to "
                f"{', '.join(earlier)}.")
        print(f"hotfix-gate: note: the commit also carries earlier uncommitted changes to "
              f"{', '.join(earlier)}", file=sys.stderr)
    short = commit_paths(root, targets, new, message, body)
    print(f"committed {short} on {current_branch_name(root)}: {message}",
          file=report or sys.stdout)
