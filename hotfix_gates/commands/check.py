"""`hotfix-gate check`: every gate in force over every record of a tree.

By default the tree is judged as a merge into a protected branch would be
(merge gates and the post-incident gates that are due). `--branch NAME`
judges it as a push to NAME, exactly as the hooks do; `--base REF` (CI mode)
judges it as the server judges a push to REF: with REF's configuration,
where a pull request cannot weaken it, and against REF's records;
`--id`/`--current` judge one record, with the verdict a full check gives it.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix_gates.commands.target import ENV_ID
from hotfix_gates.gates.builtin import GATES
from hotfix_gates.gates.engine import MERGE_CHECK, Judgement, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import CONFIG_FILE
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.model.timeutil import format_timestamp, resolve_now
from hotfix_gates.parsing.config import load_config
from hotfix_gates.reporting.findings import render_github, render_json, render_text

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.model.record import HotfixRecord
    from hotfix_gates.model.tree import TreeView
    from hotfix_gates.reporting.formats.junit import RecordGates


@dataclass
class Checked:
    """One run of `check`: the judgement and what it was judged with."""

    judgement: Judgement
    config: Config
    now: datetime
    extra: dict[str, object]  # what was judged: tree, now, base, branch


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
                            information_uri=__url__, extra=extra, config=checked.config)
    if fmt == "codeclimate":
        from hotfix_gates.reporting.formats.codeclimate import render_codeclimate

        return render_codeclimate(judgement.findings)
    if fmt == "junit":
        from hotfix_gates.reporting.formats.junit import render_junit

        return render_junit(judgement.findings, gates_in_force(judgement))
    return render_text(judgement.findings, count)


def run_check(rev: str | None, base: str | None, now_text: str | None,
              config_path: str | None = None, *, branch: str | None = None,
              record_id: str | None = None, current: bool = False,
              reference: str | None = None) -> Checked:
    """Judge the tree at REV (default: the working tree; HEAD with --base).
    With --base, `reference` (else origin/HEAD, when it names another
    branch) is the default branch whose milestones no record may move later."""
    from hotfix_gates.gates.branches import judge_branch
    from hotfix_gates.git.repository import (
        accepted_rules,
        cached,
        open_repo,
        rev_tree,
        work_tree,
    )
    from hotfix_gates.git.trees import GitTree

    if record_id is not None and current:
        raise ToolError("choose one of --id and --current")
    if branch is not None and (record_id is not None or current):
        raise ToolError("--branch judges what a push to the branch needs; leave out --id "
                        "and --current")
    now = resolve_now(now_text)
    repo = open_repo()
    wanted = _wanted(repo, record_id, current)
    if base is not None and not rev:
        rev = "HEAD"
    tree = rev_tree(repo, rev) if rev else work_tree(repo)
    cache = cached(tree, repo) if isinstance(tree, GitTree) else None
    extra: dict[str, object] = {"tree": tree.label, "now": format_timestamp(now)}
    for key, value in (("base", base), ("config", config_path), ("branch", branch)):
        if value is not None:
            extra[key] = value
    if base is None:
        run = Run(tree, load_config(tree, config_path), now, cache)
    else:
        # As the server judges a push: the target's configuration, and the
        # target's records to keep.
        target = base_tree(repo, base)
        target.cache = cache
        config, fell_back = base_config(repo, base, target, config_path)
        run = Run(tree, config, now, cache, baseline=target,
                  config_file=config_path or CONFIG_FILE,
                  accepted_rules=accepted_rules(repo, os.environ))
        if fell_back:  # as the server: only then can a kept file hand judging on
            run.next_config = next_config(repo, rev or "HEAD", tree, config_path)
        reference = reference or default_branch(repo, base)
        if reference is not None:
            run.reference = rev_tree(repo, reference)
            run.reference.cache = cache
            run.reference_name = reference.removeprefix("refs/remotes/").removeprefix(
                "origin/")
            extra["reference"] = reference
    config = run.config
    if current and wanted is None:
        print("hotfix-gate: no hotfix in progress (the branch is not hotfix/NNN-*, and "
              f"${ENV_ID} is not set); nothing to judge", file=sys.stderr)
        judgement = Judgement([], [])
    elif branch is not None:
        judged = judge_branch(run, branch.removeprefix("refs/heads/"))
        if judged is None and base is not None:
            from hotfix_gates.gates.engine import judge_rules

            print(f"hotfix-gate: {branch} is neither a protected branch nor a hotfix/NNN-* "
                  "branch: judged as the server judges its default branch, for what it does "
                  "to the rules only (HG002, HG207)", file=sys.stderr)
            judged = judge_rules(run)
        elif judged is None:
            print(f"hotfix-gate: {branch} is neither a protected branch nor a hotfix/NNN-* "
                  "branch: a push to it is not judged", file=sys.stderr)
        judgement = judged or Judgement([], [])
    else:
        folders = None if wanted is None else _folders(tree, config, *wanted)
        judgement = judge(run, MERGE_CHECK, folders)
    if cache is not None:
        cache.save()
    return Checked(judgement, config, now, extra)


def check(rev: str | None, base: str | None, now_text: str | None, fmt: str,
          config_path: str | None = None, branch: str | None = None,
          record_id: str | None = None, current: bool = False,
          from_pre_commit: bool = False) -> int:
    if from_pre_commit:
        rev, base = pre_commit_refs(os.environ, rev, base)
    checked = run_check(rev, base, now_text, config_path, branch=branch,
                        record_id=record_id, current=current)
    print(render(checked, fmt))
    if rev is None and base is None:
        note = not_committed(checked.judgement.records)
        if note:
            print(f"hotfix-gate: note: {note}", file=sys.stderr)
    blocked = checked.judgement.blocked
    if blocked and fmt == "text":
        again = (" --current" if current else f" --id {record_id}" if record_id is not None
                 else f" --branch {branch}" if branch is not None else "")
        if base is not None:  # judged as a merge into it, with its configuration
            again = f" --base {base}{again}"
        print(f"fix the lines above, then rerun `hotfix-gate check{again}`", file=sys.stderr)
    return EXIT_BLOCKED if blocked else EXIT_OK


SHOWN = 3  # uncommitted files named; the rest are counted


def not_committed(records: Sequence[HotfixRecord]) -> str:
    """What was read from the working tree that HEAD does not hold: the
    records and the regression tests they list. The hooks judge commits, so
    a check that passes on these has not unblocked a push yet."""
    from hotfix_gates.git import command
    from hotfix_gates.git.repository import open_repo

    repo = open_repo()
    if repo.is_bare or not repo.workdir or not records:
        return ""
    folders = tuple(f"{record.folder}/" for record in records)
    tests = set()
    for record in records:
        for entry in record.regression_tests:
            path = entry.split("::", 1)[0].strip()
            if path and not path.startswith("/") and ".." not in path.split("/"):
                tests.add(path)
    # One pathspec per top folder: git matches each file against every
    # pathspec, and a thousand records would list two thousand.
    tops = sorted({path.split("/", 1)[0] for path in (*folders, *tests)})
    try:
        out = command.run_git(["-C", repo.workdir, "--literal-pathspecs", "status",
                               "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
                               "--", *tops])
    except command.GitFailed:
        return ""
    changed = [path for path in (entry[3:].decode("utf-8", "replace")
                                 for entry in out.split(b"\0") if entry)
               if path in tests or path.startswith(folders)]
    if not changed:
        return ""
    named = ", ".join(changed[:SHOWN]) + (f" and {len(changed) - SHOWN} more"
                                          if len(changed) > SHOWN else "")
    return (f"not committed yet, and the hooks judge commits: {named}; commit them "
            "(`hotfix-gate check --rev HEAD` judges what a push would)")


def pre_commit_refs(environ: Mapping[str, str], rev: str | None,
                    base: str | None) -> tuple[str | None, str | None]:
    """--rev and --base (unless given) from the refs of `pre-commit run
    --from-ref BASE --to-ref REV`. A CI job that gives none would judge the
    change with its own configuration, which it may have weakened: refused."""
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "").strip()
    to_ref = environ.get("PRE_COMMIT_TO_REF", "").strip()
    base = base or from_ref or None
    rev = rev or to_ref or None
    if base is None and environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        raise ToolError("in CI, judge with the target's configuration: `pre-commit run "
                        "--hook-stage manual --from-ref origin/BASE --to-ref HEAD "
                        "hotfix-gate-check` (or `hotfix-gate check --base origin/BASE`)")
    return rev, base


def gates_in_force(judgement: Judgement) -> list[RecordGates]:
    """For the JUnit report: each record with the gates the engine held it to."""
    from hotfix_gates.reporting.formats.junit import RecordGates

    return [RecordGates(v.record.folder, v.record.path,
                        tuple((g.code, g.name) for g in v.gates))
            for v in judgement.verdicts]


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
    from hotfix_gates.model.constants import folder_number
    from hotfix_gates.parsing.records import record_folders

    folders = [f for f in record_folders(tree, config)[0] if folder_number(f) == number]
    if not folders:
        raise ToolError(f"no hotfix record numbered {number:03d} under {config.specs_dir} in "
                        f"{tree.label} (from {source}); `hotfix-gate status` lists the records")
    return folders


def base_config(repo: pygit2.Repository, base: str, target: GitTree,
                config_path: str | None) -> tuple[Config, bool]:
    """The configuration at the base, and whether it fell back: when it does
    not load, the last one that does in the base's first-parent history (as
    the server does), with a warning. A shallow clone that lacks that history
    cannot judge."""
    import pygit2

    from hotfix_gates.git.configs import SHALLOW, last_valid
    from hotfix_gates.model.errors import ConfigError

    try:
        return load_config(target, config_path), False
    except ConfigError as exc:
        problem = exc
    fallback = last_valid(repo, repo.revparse_single(base).peel(pygit2.Commit), base,
                          config_path)
    if fallback.how == SHALLOW:
        name = base.removeprefix("origin/")
        raise ToolError(f"{problem}; {fallback.why}, so the last valid configuration is not "
                        f"found: fetch more (`git fetch --deepen=1000 origin {name}`), or fix it "
                        f"on {name}") from None
    if not fallback.found and config_path is not None:
        raise problem  # an explicit file never falls back to the defaults
    print(f"hotfix-gate: warning: {problem}; {fallback.words} until it is fixed",
          file=sys.stderr)
    return fallback.config, True


def next_config(repo: pygit2.Repository, rev: str, tree: TreeView, config_path: str | None
                ) -> tuple[Config, str] | None:
    """When the judged commit's configuration does not load: the last valid
    one in its first-parent history, which would judge the next push as the
    base's does this one (HG207 compares them); None when it loads, or the
    history is cut short (a shallow clone: the server still judges)."""
    import pygit2

    from hotfix_gates.git.configs import SHALLOW, last_valid
    from hotfix_gates.model.errors import ConfigError

    try:
        load_config(tree, config_path)
    except ConfigError:
        fallback = last_valid(repo, repo.revparse_single(rev).peel(pygit2.Commit), rev,
                              config_path)
        return None if fallback.how == SHALLOW else (fallback.config, fallback.key)
    return None


def default_branch(repo: pygit2.Repository, base: str) -> str | None:
    """origin/HEAD's branch (`git clone` sets it) when it is not `base`: the
    branch a record lands on first, which a pull request into another
    protected branch must not move a milestone later than (as the server)."""
    import pygit2

    try:
        head = repo.references.get("refs/remotes/origin/HEAD")
        target = head.target if head is not None else None
        if not isinstance(target, str) or target not in repo.references:
            return None
        if repo.revparse_single(base).id == repo.revparse_single(target).id:
            return None
    except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
        return None
    return target


def base_tree(repo: pygit2.Repository, base: str) -> GitTree:
    """The merge target's tree, whose configuration judges (CI mode)."""
    from hotfix_gates.git.repository import rev_tree

    try:
        return rev_tree(repo, base)
    except ToolError as exc:
        # An explicit refspec: `git fetch origin BRANCH` creates no origin/BRANCH
        # in a single-branch clone (CI's usual checkout).
        name = base.removeprefix("origin/")
        raise ToolError(f"--base: {exc}; in a shallow CI clone fetch it first: `git fetch "
                        f"--depth=1 origin +refs/heads/{name}:refs/remotes/origin/{name}`"
                        ) from None
