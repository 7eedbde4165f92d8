"""`hotfix-gate check` and `hotfix-gate gates`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hotfix_gates.commands.target import ENV_ID
from hotfix_gates.gates.builtin import DUE, MERGE
from hotfix_gates.gates.engine import Judgement, judge
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.timeutil import format_timestamp, resolve_now
from hotfix_gates.parsing.config import load_config
from hotfix_gates.reporting.findings import render_github, render_json, render_text

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import GitTree, TreeView
    from hotfix_gates.parsing.config import Config

FORMATS = ("text", "json", "github")


def render(judgement: Judgement, fmt: str, extra: dict[str, object]) -> str:
    count = len(judgement.records)
    if fmt == "json":
        return render_json(judgement.findings, count, extra)
    if fmt == "github":
        return render_github(judgement.findings, count)
    return render_text(judgement.findings, count)


def check(rev: str | None, base: str | None, now_text: str | None, fmt: str,
          record_id: str | None = None, current: bool = False) -> int:
    """Run every gate over every record (or only the one named by --id, or
    the hotfix in progress with --current): the merge gates, and each
    post-incident gate whose deadline has passed. Exit 1 when one blocks."""
    from hotfix_gates.git.repository import cached, open_repo, rev_tree, work_tree
    from hotfix_gates.git.trees import GitTree

    if record_id is not None and current:
        raise ToolError("choose one of --id and --current")
    now = resolve_now(now_text)
    repo = open_repo()
    wanted = _wanted(repo, record_id, current)
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    config = load_config(base_tree(repo, base) if base is not None else tree)
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    if base is not None:
        extra["base"] = base
    if current and wanted is None:
        print("hotfix-gate: no hotfix in progress (the branch is not hotfix/NNN-*, and "
              f"${ENV_ID} is not set); nothing to judge", file=sys.stderr)
        print(render(Judgement([], []), fmt, extra))
        return EXIT_OK
    folders = None if wanted is None else _folders(tree, config, *wanted)
    judgement = judge(tree, config, now, frozenset({MERGE, DUE}), folders)
    if cache is not None:
        cache.save()
    print(render(judgement, fmt, extra))
    if judgement.blocked and fmt == "text":
        again = (" --current" if current else f" --id {record_id}" if record_id is not None
                 else "")
        print(f"fix the lines above, then rerun `hotfix-gate check{again}`", file=sys.stderr)
    return EXIT_BLOCKED if judgement.blocked else EXIT_OK


def _wanted(repo: pygit2.Repository, record_id: str | None,
            current: bool) -> tuple[int, str] | None:
    """(number, where it came from) of the one record to judge; None for all
    of them, or, with --current, when no hotfix is in progress."""
    from hotfix_gates.commands.target import current_number, parse_id

    if record_id is not None:
        return parse_id(record_id), f"--id {record_id}"
    return current_number(repo) if current else None


def _folders(tree: TreeView, config: Config, number: int, source: str) -> list[str]:
    """The folders numbered `number`: the records judged instead of all of
    them. All of them, so that a number used twice is still reported."""
    from hotfix_gates.gates.engine import record_folders
    from hotfix_gates.model.constants import folder_number

    folders = [f for f in record_folders(tree, config)[0] if folder_number(f) == number]
    if not folders:
        raise ToolError(f"no hotfix record numbered {number:03d} under {config.specs_dir} in "
                        f"{tree.label} (from {source}); `hotfix-gate status` lists the records")
    return folders


def base_tree(repo: pygit2.Repository, base: str) -> GitTree:
    """The merge target's tree, whose configuration judges (CI mode)."""
    from hotfix_gates.git.repository import rev_tree

    try:
        return rev_tree(repo, base)
    except ToolError as exc:
        raise ToolError(f"--base: {exc}; in a shallow CI clone fetch it first, e.g. "
                        f"`git fetch --depth 1 origin {base.removeprefix('origin/')}`") from None
