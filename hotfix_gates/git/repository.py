"""Opening repositories and choosing the tree to judge (pygit2 lives here)."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from hotfix_gates.git.trees import FsTree, GitTree, IndexTree
from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    from collections.abc import Mapping

    import pygit2

    from hotfix_gates.git.cache import ParseCache


def open_repo(path: str | os.PathLike[str] | None = None) -> pygit2.Repository:
    import pygit2

    start = os.fspath(path) if path is not None else os.getcwd()
    git_dir = os.environ.get("GIT_DIR") if path is None else None
    found: str | None
    if git_dir:
        # As git does: $GIT_DIR names the repository (no search upwards) and
        # $GIT_WORK_TREE its working tree.
        found = os.path.abspath(git_dir)
        if not os.path.isdir(found):
            raise ToolError(f"GIT_DIR={git_dir} is not a folder; unset it or point it at a "
                            "repository's git directory")
    else:
        try:
            found = pygit2.discover_repository(start)
        except pygit2.GitError as exc:
            raise ToolError(f"cannot open a repository at {start}: {exc}") from None
        if found is None:
            raise ToolError(f"not a git repository (or any parent up to /): {start}; "
                            "run this inside a repository, or `git init` one first")
    try:
        repo = pygit2.Repository(found)
        work_tree = os.environ.get("GIT_WORK_TREE") if git_dir else None
        if work_tree:
            repo.workdir = os.path.abspath(work_tree)
        return repo
    except pygit2.GitError as exc:
        message = str(exc)
        if "owner" in message or "safe.directory" in message or "not owned" in message:
            # git and libgit2 match safe.directory against the working tree, not .git.
            trusted = found.rstrip("/")
            if trusted.endswith("/.git"):
                trusted = trusted[: -len("/.git")]
            raise ToolError(f"{trusted}: repository is owned by another user; trust it with "
                            f"`git config --global --add safe.directory {trusted}`") from None
        if "object format" in message:
            raise ToolError(f"cannot open the repository at {found}: {message} (this build of "
                            "pygit2/libgit2 reads SHA-1 repositories only)") from None
        raise ToolError(f"cannot open the repository at {found}: {message}") from None


def work_tree(repo: pygit2.Repository) -> FsTree:
    if repo.is_bare or not repo.workdir:
        raise ToolError(f"{repo.path} is a bare repository with no working tree; "
                        "name a commit with --rev")
    return FsTree(repo.workdir)


def rev_tree(repo: pygit2.Repository, rev: str) -> GitTree:
    import pygit2

    try:
        obj = repo.revparse_single(rev)
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError) as exc:
        detail = " ".join(str(exc).split()).strip("\"'")
        if not detail or detail == rev:
            detail = "unknown revision"
        raise ToolError(f"cannot read revision {rev!r}: {detail}; name a branch, tag or commit "
                        "that exists here") from None
    try:
        # A commit (or a tag of one): a bare tree such as HEAD:specs would be
        # judged as if it were the whole repository, and pass with no records.
        commit = obj.peel(pygit2.Commit)
    except (ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        raise ToolError(f"revision {rev!r} names a {obj.type_str}, not a commit; name a branch, "
                        "tag or commit") from None
    # By id: a root tree that does not parse is a finding of the judgement.
    return GitTree(repo, commit.tree_id, label=rev)


def cached(tree: GitTree, repo: pygit2.Repository) -> ParseCache:
    """Attach the repository's parse cache to a tree; call .save() when done."""
    from hotfix_gates.git.cache import for_git_dir

    cache = for_git_dir(repo.path)
    tree.cache = cache
    return cache


def index_tree(repo: pygit2.Repository) -> IndexTree:
    import pygit2

    try:
        index = repo.index
    except pygit2.GitError as exc:
        raise ToolError(f"cannot read the index: {exc}") from None
    return IndexTree(repo, index)


def current_branch(repo: pygit2.Repository) -> str | None:
    """The checked-out branch's short name, also when it has no commits yet;
    None for a detached HEAD."""
    try:
        if repo.head_is_detached:
            return None
    except Exception:  # noqa: BLE001 - an unreadable HEAD is treated as detached
        return None
    try:
        target = repo.references["HEAD"].target
    except (KeyError, Exception):  # noqa: BLE001
        return None
    if isinstance(target, str) and target.startswith("refs/heads/"):
        return target[len("refs/heads/") :]
    return None


def accepted_rules(repo: pygit2.Repository, environ: Mapping[str, str] | None = None
                   ) -> frozenset[str]:
    """The configurations (blob ids) the judging side accepts although they
    relax the rules in force (HG207): `hotfix-gates.accept-rules` in the
    repository's own config file (never a user's: on a file-system remote
    that is the pusher's), and, given `environ`, $HOTFIX_GATE_ACCEPT_RULES."""
    import pygit2

    from hotfix_gates.model.constants import ACCEPT_RULES_CONFIG, ENV_ACCEPT_RULES

    ids: set[str] = set()
    try:
        config = pygit2.Config(os.path.join(repo.path, "config"))
        ids.update(str(v) for v in config.get_multivar(ACCEPT_RULES_CONFIG))
    except (pygit2.GitError, ValueError) as exc:
        raise ToolError(f"cannot read {ACCEPT_RULES_CONFIG} from the git config: {exc}") from None
    if environ is not None:
        ids.update(environ.get(ENV_ACCEPT_RULES, "").replace(",", " ").split())
    return frozenset(i.strip().lower() for i in ids if i.strip())
