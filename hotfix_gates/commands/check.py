"""`hotfix-gate check` and `hotfix-gate gates`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from hotfix_gates.gates.builtin import DUE, GATES, MERGE
from hotfix_gates.gates.engine import Judgement, judge
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.finding import render_github, render_json, render_text
from hotfix_gates.model.timeutil import TimeError, format_timestamp, resolve_now
from hotfix_gates.parsing.config import ConfigError, load_config

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


@click.command("check")
@click.option("--rev", metavar="REV", help="Judge the tree of this commit (no checkout) "
              "instead of the working tree.")
@click.option("--base", metavar="REF", help="CI mode: judge what merging REV (default HEAD) "
              "into REF would bring, with the configuration read from REF's tree. Reads "
              "trees, not history: a shallow clone is enough.")
@click.option("--now", "now_text", metavar="TIMESTAMP",
              help="Judge deadlines as of this time (default: $HOTFIX_GATE_NOW, else now).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
def check_command(rev: str | None, base: str | None, now_text: str | None, fmt: str) -> int:
    """Run every gate over every record: the merge gates, and each
    post-incident gate whose deadline has passed. Exit 1 when one blocks."""
    from hotfix_gates.git.repository import cached, open_repo, rev_tree, work_tree
    from hotfix_gates.git.trees import GitTree

    try:
        now = resolve_now(now_text)
    except TimeError as exc:
        raise ToolError(str(exc)) from None
    repo = open_repo()
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    try:
        config = load_config(base_tree(repo, base) if base is not None else tree)
    except ConfigError as exc:
        raise ToolError(str(exc)) from None
    judgement = judge(tree, config, now, frozenset({MERGE, DUE}))
    if cache is not None:
        cache.save()
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    if base is not None:
        extra["base"] = base
    click.echo(render(judgement, fmt, extra))
    if judgement.blocked and fmt == "text":
        click.echo("fix the lines above, then rerun `hotfix-gate check`", err=True)
    return EXIT_BLOCKED if judgement.blocked else EXIT_OK


def base_tree(repo: pygit2.Repository, base: str) -> GitTree:
    """The merge target's tree, whose configuration judges (CI mode)."""
    from hotfix_gates.git.repository import rev_tree

    try:
        return rev_tree(repo, base)
    except ToolError as exc:
        raise ToolError(f"--base: {exc}; in a shallow CI clone fetch it first, e.g. "
                        f"`git fetch --depth 1 origin {base.removeprefix('origin/')}`") from None


@click.command("gates")
def gates_command() -> int:
    """List the gates: code, name, default level, when each applies."""
    for unit in GATES:
        click.echo(f"{unit.code}  {unit.name:<20} {unit.level.value:<5}  applies: {unit.applies}; "
                   f"passes when {unit.passes}")
    return EXIT_OK
