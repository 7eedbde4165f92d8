"""`hotfix-gate status`: every incident at a glance, and what needs a human."""

from __future__ import annotations

import json
import os
import sys
from datetime import datetime

from hotfix_gates.gates.subject import Run
from hotfix_gates.model.config import Config
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK
from hotfix_gates.model.finding import Finding
from hotfix_gates.model.timeutil import resolve_now
from hotfix_gates.model.tree import TreeView
from hotfix_gates.reporting.metrics import Facts


def clock(now_text: str | None) -> datetime:
    return resolve_now(now_text)


def open_tree(rev: str | None, path: str | None = None) -> tuple[TreeView, Config, str]:
    """The working tree (or the tree at REV) of the repository at `path` (else
    the current one), the configuration in it, and the repository's top
    folder (its git folder when bare)."""
    from hotfix_gates.git.repository import open_repo, rev_tree, work_tree
    from hotfix_gates.parsing.config import load_config

    repo = open_repo(path)
    tree: TreeView = rev_tree(repo, rev) if rev else work_tree(repo)
    return tree, load_config(tree), os.path.normpath(repo.workdir or repo.path)


def gather(tree: TreeView, config: Config, now: datetime | None = None
           ) -> tuple[list[tuple[Facts, list[Finding]]], list[Finding]]:
    """Every record with its facts and findings; the specs folder's problems."""
    from hotfix_gates.reporting.facts import gather as gather_run

    gathered, judgement = gather_run(Run(tree, config, now or resolve_now(None)))
    own = {id(f) for _, found in gathered for f in found}
    return gathered, [f for f in judgement.findings if id(f) not in own]


def show_problems(problems: list[Finding]) -> None:
    for finding in problems:
        print(f"hotfix-gate: warning: {finding.text()}", file=sys.stderr)


def status(overdue_only: bool, fmt: str, now_text: str | None, rev: str | None) -> int:
    from hotfix_gates.reporting.status import needs_attention, render_text, row

    now = clock(now_text)
    tree, config, _ = open_tree(rev)
    gathered, problems = gather(tree, config, now)
    show_problems(problems)
    rows = [row(facts, found, now) for facts, found in gathered]
    attention = [item for item in rows if needs_attention(item)]
    shown = attention if overdue_only else rows
    invalid = sum(1 for f in problems if f.blocking)
    if fmt == "json":
        print(json.dumps(shown, indent=2))
    else:
        print(render_text(shown, len(rows), overdue_only, invalid))
    if rev is None:
        from hotfix_gates.commands.check import not_committed

        note = not_committed([facts.record for facts, _ in gathered])
        if note:
            print(f"hotfix-gate: note: {note}", file=sys.stderr)
    return EXIT_BLOCKED if overdue_only and (attention or invalid) else EXIT_OK
