"""Which ref a pre-receive update really moves.

git updates a symbolic ref's target: with `refs/heads/trunk -> refs/heads/main`
in the server's repository, a push to trunk moves main, and so does a push to
any ref made an alias of main (a tag, `refs/misc/x`); deleting trunk deletes
main. git hands the hook the name that was pushed, so each update is turned
into an update of the ref it really moves before anything is decided.

Standard library and the `git` command only (a push of tags must not load
pygit2): `git for-each-ref` resolves every existing alias in one call. An
alias whose target does not exist yet is skipped by for-each-ref; it is a
created ref with a file of its own in the git directory, and only those are
asked about one by one (`git symbolic-ref`).
"""

from __future__ import annotations

import os
import subprocess

from hotfix_gates.hooks.refs import Update
from hotfix_gates.model.errors import ToolError

TYPE_CHECKING = False  # `typing` costs the quick path a few milliseconds
if TYPE_CHECKING:
    from collections.abc import Mapping

MAX_HOPS = 5  # an alias of an alias of ...: git itself stops at a few
CHUNK = 1000  # ref names per for-each-ref call (argument lists are bounded)


def resolve(updates: list[Update], environ: Mapping[str, str]) -> list[Update]:
    """`updates`, each naming the ref it moves; an update made through an
    alias keeps the pushed name in `source`."""
    names = list(dict.fromkeys(u.ref for u in updates if u.ref is not None))
    if not names:
        return updates
    targets = _existing(names, environ)
    git_dir = environ.get("GIT_DIR") or "."
    for update in updates:
        name = update.ref
        if (name is not None and update.old is None and name not in targets
                and os.path.lexists(os.path.join(git_dir, name))):
            target = _dangling(name, environ)
            if target != name:
                targets[name] = target
    out = []
    for update in updates:
        moved = targets.get(update.ref or "")
        if moved is None or moved == update.ref:
            out.append(update)
        else:
            out.append(Update(moved, update.old, update.new, source=update.ref or ""))
    return out


def _git(args: list[str], environ: Mapping[str, str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", *args], capture_output=True, env=dict(environ),
                              timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ToolError(f"cannot run git to read the server's symbolic refs: {exc}") from None


def _existing(names: list[str], environ: Mapping[str, str]) -> dict[str, str]:
    """name -> the ref it finally names, for the names that are symbolic refs
    with an existing target."""
    found: dict[str, str] = {}
    wanted = set(names)
    for start in range(0, len(names), CHUNK):
        done = _git(["for-each-ref", "--format=%(refname)%00%(symref)",
                     *names[start:start + CHUNK]], environ)
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"]
            raise ToolError(f"cannot read the server's symbolic refs: {said[-1][:200]}")
        for line in done.stdout.split(b"\n"):
            name, _, target = os.fsdecode(line).partition("\0")
            if target and name in wanted:  # patterns also match below a name
                found[name] = target
    return found


def _dangling(name: str, environ: Mapping[str, str]) -> str:
    """Where an alias whose target does not exist leads (that target is what
    the push creates)."""
    current = name
    for _ in range(MAX_HOPS):
        done = _git(["symbolic-ref", "-q", current], environ)
        target = os.fsdecode(done.stdout).strip()
        if done.returncode != 0 or not target:
            return current
        current = target
    raise ToolError(f"{name} is a chain of more than {MAX_HOPS} symbolic refs; the server's "
                    "admin should point it straight at its branch")
