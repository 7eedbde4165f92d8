"""`hotfix-gate check`: every gate in force over every record of a tree.

By default the tree is judged as a merge into a protected branch would be
(merge gates and the post-incident gates that are due). `--branch NAME`
judges it as a push to NAME, exactly as the hooks do; `--base REF` (CI mode)
reads the configuration from REF, where a pull request cannot weaken it.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hotfix_gates.gates.engine import MERGE_CHECK, Judgement, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.timeutil import format_timestamp, resolve_now
from hotfix_gates.parsing.config import load_config
from hotfix_gates.reporting.findings import render_github, render_json, render_text

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import GitTree


def render(judgement: Judgement, fmt: str, extra: dict[str, object]) -> str:
    count = len(judgement.records)
    if fmt == "json":
        return render_json(judgement.findings, count, extra)
    if fmt == "github":
        return render_github(judgement.findings, count)
    return render_text(judgement.findings, count)


def check(rev: str | None, base: str | None, now_text: str | None, fmt: str,
          branch: str | None = None) -> int:
    from hotfix_gates.gates.branches import judge_branch
    from hotfix_gates.git.repository import cached, open_repo, rev_tree, work_tree
    from hotfix_gates.git.trees import GitTree

    now = resolve_now(now_text)
    repo = open_repo()
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    config = load_config(base_tree(repo, base) if base is not None else tree)
    run = Run(tree, config, now, cache)
    if branch is None:
        judgement: Judgement | None = judge(run, MERGE_CHECK)
    else:
        judgement = judge_branch(run, branch.removeprefix("refs/heads/"))
    if cache is not None:
        cache.save()
    if judgement is None:
        print(f"hotfix-gate: {branch} is neither a protected branch nor a hotfix/NNN-* "
              "branch: a push to it is not judged", file=sys.stderr)
        judgement = Judgement([], [])
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    if base is not None:
        extra["base"] = base
    if branch is not None:
        extra["branch"] = branch
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
        name = base.removeprefix("origin/")
        raise ToolError(f"--base: {exc}; in a shallow CI clone fetch it first: `git fetch "
                        f"--depth 1 origin +refs/heads/{name}:refs/remotes/origin/{name}`"
                        ) from None
