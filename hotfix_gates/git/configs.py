"""The configuration that judges a merge target when the one at its tip does
not load: the last one that does in the target's first-parent history.

A broken configuration on the target must never mean "judge with the
defaults" (they may look in another specs folder and find nothing to
judge). The walk reads, per commit, only the root tree and the
configuration's blob (a blob seen broken is not parsed twice), and stops
after MAX_WALK commits: it runs only while the target's own is broken.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hotfix_gates.git.trees import GitTree
from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import CONFIG_FILE
from hotfix_gates.model.errors import ConfigError, TreeError
from hotfix_gates.parsing.config import load_config

if TYPE_CHECKING:
    import pygit2

MAX_WALK = 1000

FOUND, ROOT, LIMIT, SHALLOW = "found", "root", "limit", "shallow"


@dataclass(frozen=True)
class Fallback:
    """What serves instead of a broken configuration."""

    config: Config
    key: str  # names the configuration for caches: `blob:<id>` or `defaults`
    how: str  # FOUND, or why none was: ROOT, LIMIT, SHALLOW (history missing)
    words: str  # for a message: which configuration judges, or that the defaults do
    why: str = ""  # why none was found

    @property
    def found(self) -> bool:
        return self.how == FOUND


def last_valid(repo: pygit2.Repository, tip: pygit2.Commit, branch: str,
               path: str | None = None, limit: int = MAX_WALK) -> Fallback:
    """The configuration of the nearest first-parent ancestor of `tip` whose
    configuration loads. A commit with no configuration file (and no
    explicit `path`) was judged by the defaults, which then serve."""
    import pygit2

    name = path or CONFIG_FILE
    broken: set[str] = set()
    commit = tip
    for steps in range(1, limit + 1):
        parents = commit.parent_ids
        if not parents and repo.is_shallow:  # libgit2 shows a shallow boundary as a root
            return _defaults(SHALLOW, f"the history of {branch} is cut short here (a shallow "
                                      "clone)")
        if not parents:
            return _defaults(ROOT, f"no valid configuration in the history of {branch}")
        try:
            commit = repo[parents[0]].peel(pygit2.Commit)
            tree = GitTree(repo, commit.tree_id, label=f"{branch}~{steps}")
        except (KeyError, ValueError, pygit2.GitError):
            return _defaults(SHALLOW, f"the history of {branch} is cut short here (a shallow "
                                      "clone)")
        where = f"{str(commit.id)[:12]} ({branch}~{steps}, {_subject(commit)})"
        key = _blob_key(tree, name)
        if key is None and path is None:
            return Fallback(Config(), "defaults", FOUND,
                            f"the defaults judge, as at {where}, which has no {name}")
        if key is not None and key in broken:
            continue
        try:
            config = load_config(tree, path)
        except ConfigError:
            if key is not None:
                broken.add(key)
            continue
        return Fallback(config, key or f"tree:{tree.tree_id}", FOUND,
                        f"the configuration of {where} judges")
    return _defaults(LIMIT, f"no valid configuration in the last {limit} first-parent "
                            f"commits of {branch}")


def _defaults(how: str, why: str) -> Fallback:
    return Fallback(Config(), "defaults", how, f"{why}: the built-in defaults judge", why)


def _blob_key(tree: GitTree, name: str) -> str | None:
    """`blob:<id>` of the configuration file (a link: of what it leads to)."""
    from hotfix_gates.model.tree import resolve

    try:
        oid = tree.object_id(resolve(tree, name))
    except TreeError:
        return "unreadable" if tree.kind(name) is not None else None
    return f"blob:{oid}" if oid else None


def _subject(commit: pygit2.Commit) -> str:
    from hotfix_gates.model.finding import printable

    line = (commit.message or "").strip().splitlines()
    return repr(printable(line[0][:60])) if line else "no message"
