"""The record's branch: created at HEAD and checked out without touching the
index or the working tree, so uncommitted work survives the switch."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    import pygit2


def branch_conflict(ref: str, existing: list[str]) -> str | None:
    """Why `ref` cannot be created, if it cannot."""
    short = ref.removeprefix("refs/heads/")
    for name in existing:
        if not name.startswith("refs/heads/"):
            continue
        other = name.removeprefix("refs/heads/")
        if name == ref:
            return f"branch {short} already exists"
        if ref.startswith(name + "/") or name.startswith(ref + "/"):
            return (f"branch {other} exists, and git cannot have both {other} and {short}; "
                    "rename it, or pass --no-branch")
    return None


def switch_to_new_branch(repo: pygit2.Repository, ref: str) -> None:
    """Create `ref` at HEAD's commit (or leave it unborn) and point HEAD at it.
    The index and the working tree are not touched."""
    import pygit2

    short = ref.removeprefix("refs/heads/")
    created = None
    try:
        if not repo.head_is_unborn:
            commit = repo.head.peel(pygit2.Commit)
            created = repo.create_branch(short, commit)
        # With no commit yet, HEAD simply names the new, unborn branch.
        repo.set_head(ref)
    except pygit2.AlreadyExistsError:
        raise ToolError(f"branch {short} already exists; it was left as it was") from None
    except (pygit2.GitError, ValueError, KeyError) as exc:
        detail = " ".join(str(exc).split()).rstrip(": ")
        if created is not None:
            # HEAD could not be moved (git busy?): take back the branch just made.
            with contextlib.suppress(pygit2.GitError, KeyError, ValueError):
                created.delete()
            raise ToolError(f"cannot switch to branch {short}: {detail}; nothing was "
                            "kept, run the command again") from None
        raise ToolError(f"cannot create branch {short}: {detail}") from None


# repository states (pygit2's names) in the words git uses; REBASE_MERGE is a rebase
_OPERATIONS = (("REBASE", "rebase"), ("MAILBOX", "`git am`"), ("CHERRYPICK", "cherry-pick"),
               ("REVERT", "revert"), ("BISECT", "bisect"), ("MERGE", "merge"))


def refuse_mid_operation(repo: pygit2.Repository) -> None:
    """Switching branches in the middle of a merge, rebase, cherry-pick,
    revert or bisect would carry that operation onto the hotfix branch."""
    import pygit2

    try:
        state = repo.state()
    except pygit2.GitError:
        return
    if state != pygit2.enums.RepositoryState.NONE:
        name = state.name
        what = next((words for key, words in _OPERATIONS if key in name), "git operation")
        raise ToolError(f"a {what} is in progress; finish or abort it first, or open the hotfix "
                        "without switching branches: `hotfix-gate new --no-branch ...`")
