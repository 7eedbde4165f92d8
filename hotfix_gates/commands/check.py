"""`hotfix-gate check` and `hotfix-gate gates`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hotfix_gates.gates.builtin import DUE, MERGE
from hotfix_gates.gates.engine import Judgement, judge
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.timeutil import format_timestamp, resolve_now
from hotfix_gates.parsing.config import load_config
from hotfix_gates.reporting.findings import render_github, render_json, render_text

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import GitTree

FORMATS = ("text", "json", "github")


def render(judgement: Judgement, fmt: str, extra: dict[str, object]) -> str:
    count = len(judgement.records)
    if fmt == "json":
        return render_json(judgement.findings, count, extra)
    if fmt == "github":
        return render_github(judgement.findings, count)
    return render_text(judgement.findings, count)


def check(rev: str | None, base: str | None, now_text: str | None, fmt: str) -> int:
    """Run every gate over every record: the merge gates, and each
    post-incident gate whose deadline has passed. Exit 1 when one blocks."""
    from hotfix_gates.git.repository import cached, open_repo, rev_tree, work_tree
    from hotfix_gates.git.trees import GitTree

    now = resolve_now(now_text)
    repo = open_repo()
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    config = load_config(base_tree(repo, base) if base is not None else tree)
    judgement = judge(tree, config, now, frozenset({MERGE, DUE}))
    if cache is not None:
        cache.save()
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    if base is not None:
        extra["base"] = base
    print(render(judgement, fmt, extra))
    if judgement.blocked and fmt == "text":
        print("fix the lines above, then rerun `hotfix-gate check`", file=sys.stderr)
    return EXIT_BLOCKED if judgement.blocked else EXIT_OK


def base_tree(repo: pygit2.Repository, base: str) -> GitTree:
    """The merge target's tree, whose configuration judges (CI mode)."""
    from hotfix_gates.git.repository import rev_tree

    try:
        return rev_tree(repo, base)
    except ToolError as exc:
        # An explicit refspec: `git fetch origin BRANCH` creates no origin/BRANCH
        # in a single-branch clone (CI's usual checkout).
        branch = base.removeprefix("origin/")
        raise ToolError(f"--base: {exc}; in a shallow CI clone fetch it first: `git fetch "
                        f"--depth=1 origin +refs/heads/{branch}:refs/remotes/origin/{branch}`"
                        ) from None
