"""`hotfix-gate check` and `hotfix-gate gates`."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix_gates.gates.builtin import DUE, GATES, MERGE
from hotfix_gates.gates.engine import Judgement, judge
from hotfix_gates.model.constants import DONE_STATUSES
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.finding import Level
from hotfix_gates.model.timeutil import format_timestamp, resolve_now
from hotfix_gates.parsing.config import Config, load_config
from hotfix_gates.reporting.findings import render_github, render_json, render_text

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.model.record import HotfixRecord
    from hotfix_gates.reporting.formats.junit import RecordGates

FORMATS = ("text", "json", "github", "sarif", "codeclimate", "junit")


@dataclass
class Checked:
    """One run of `check`: the judgement and what it was judged with."""

    judgement: Judgement
    config: Config
    now: datetime
    extra: dict[str, object]  # what was judged: tree, now, base


def render(checked: Checked, fmt: str) -> str:
    judgement, extra = checked.judgement, checked.extra
    count = len(judgement.records)
    if fmt == "json":
        return render_json(judgement.findings, count, extra)
    if fmt == "github":
        return render_github(judgement.findings, count)
    if fmt == "sarif":
        from hotfix_gates import __url__, __version__
        from hotfix_gates.reporting.formats.sarif import render_sarif

        return render_sarif(judgement.findings, GATES, version=__version__,
                            information_uri=__url__, extra=extra)
    if fmt == "codeclimate":
        from hotfix_gates.reporting.formats.codeclimate import render_codeclimate

        return render_codeclimate(judgement.findings)
    if fmt == "junit":
        from hotfix_gates.reporting.formats.junit import render_junit

        return render_junit(judgement.findings, gates_in_force(checked))
    return render_text(judgement.findings, count)


def run_check(rev: str | None, base: str | None, now_text: str | None,
              config_path: str | None = None) -> Checked:
    """Judge every record in the tree at REV (default: the working tree; HEAD
    with --base) with the merge gates and the due post-incident gates."""
    from hotfix_gates.git.repository import cached, open_repo, rev_tree, work_tree
    from hotfix_gates.git.trees import GitTree

    now = resolve_now(now_text)
    repo = open_repo()
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    config = load_config(base_tree(repo, base) if base is not None else tree, config_path)
    judgement = judge(tree, config, now, frozenset({MERGE, DUE}))
    if cache is not None:
        cache.save()
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    if base is not None:
        extra["base"] = base
    if config_path is not None:
        extra["config"] = config_path
    return Checked(judgement, config, now, extra)


def check(rev: str | None, base: str | None, now_text: str | None, fmt: str,
          config_path: str | None = None) -> int:
    """Run every gate over every record: the merge gates, and each
    post-incident gate whose deadline has passed. Exit 1 when one blocks."""
    checked = run_check(rev, base, now_text, config_path)
    print(render(checked, fmt))
    blocked = checked.judgement.blocked
    if blocked and fmt == "text":
        print("fix the lines above, then rerun `hotfix-gate check`", file=sys.stderr)
    return EXIT_BLOCKED if blocked else EXIT_OK


def gates_in_force(checked: Checked) -> list[RecordGates]:
    """For the JUnit report: the gates `check` holds each record to, at the
    merge and once due. The engine knows this best; until it says so, this
    mirrors the gates' own conditions."""
    from hotfix_gates.reporting.formats.junit import RecordGates

    config, now = checked.config, checked.now

    def applies(code: str, name: str, record: HotfixRecord) -> bool:
        if code == "HG103":  # P1 and P2 only
            return record.severity in ("P1", "P2")
        if code in ("HG201", "HG202"):  # once the deadline has passed
            start = record.clock_start
            return start is not None and now >= start + config.deadline(name)
        if code == "HG203":
            return record.status in DONE_STATUSES
        return True

    return [RecordGates(record.folder, record.path,
                        tuple((g.code, g.name) for g in GATES
                              if config.level(g.code, g.level) is not Level.OFF
                              and applies(g.code, g.name, record)))
            for record in checked.judgement.records]


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
