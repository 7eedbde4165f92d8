"""`hotfix-gate ci github` and `hotfix-gate ci gitlab`: `check --base` as a
pull or merge request job runs it, in one step.

Each fetches the target branch (a shallow, single-branch checkout lacks it),
judges HEAD's records with the configuration in the target's tree, and
reports in the platform's own places: annotations, the job summary, step
outputs (and a SARIF file if asked) on GitHub; Code Quality and JUnit
reports on GitLab. Exit 1 when a gate blocks, 2 when the job could not be
done.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hotfix_gates.commands.check import Checked, render, run_check
from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK, ToolError
from hotfix_gates.reporting.findings import counts

REMOTE = "origin"


def base_branch(given: str | None, variable: str, hint: str) -> str:
    """The branch merged into: --base, else the platform's variable."""
    branch = (given or os.environ.get(variable, "")).strip().removeprefix("refs/heads/")
    if not branch:
        raise ToolError(f"which base branch? ${variable} is empty: {hint}")
    checked = subprocess.run(["git", "check-ref-format", "--branch", branch],
                             capture_output=True, text=True)
    if checked.returncode != 0:
        raise ToolError(f"--base {branch!r:.80} is not a branch name")
    return branch


def fetch_base(branch: str) -> str:
    """Fetch the branch's current tip into refs/remotes/origin/BRANCH (an
    explicit refspec: a single-branch clone maps no other branch) and return
    that ref. Depth 1 in a shallow clone; a full clone stays full."""
    ref = f"refs/remotes/{REMOTE}/{branch}"
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"],
                             capture_output=True, text=True)
    depth = ["--depth=1"] if shallow.stdout.strip() == "true" else []
    # Never a password prompt: a job that cannot fetch says so and stops.
    fetched = subprocess.run(["git", "fetch", "--quiet", "--no-tags", *depth, REMOTE,
                              f"+refs/heads/{branch}:{ref}"], capture_output=True, text=True,
                             env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})
    if fetched.returncode != 0:
        said = (fetched.stderr.strip().splitlines() or ["no message"])[-1]
        raise ToolError(f"cannot fetch the base branch {branch} from {REMOTE}: {said}")
    return ref


def _judge(base: str | None, variable: str, hint: str, config_path: str | None,
           now_text: str | None, default: str | None) -> tuple[str, Checked]:
    """Judge HEAD against the base branch; and, when the repository's default
    branch is another one, against its records' milestones (as the server)."""
    branch = base_branch(base, variable, hint)
    ref = fetch_base(branch)
    default = base_branch(default, variable, hint) if default else None
    reference = fetch_base(default) if default and default != branch else None
    return branch, run_check(None, ref, now_text, config_path or None, reference=reference)


def github_default_branch() -> str | None:
    """The repository's default branch, from the event GitHub hands the job."""
    import json

    path = os.environ.get("GITHUB_EVENT_PATH", "")
    try:
        with open(path, encoding="utf-8") as handle:
            event = json.load(handle)
    except (OSError, ValueError):
        return None
    repository = event.get("repository") if isinstance(event, dict) else None
    name = repository.get("default_branch") if isinstance(repository, dict) else None
    return name if isinstance(name, str) and name else None


def _append(variable: str, text: str) -> None:
    """Append to the file an environment variable names (if it names one)."""
    path = os.environ.get(variable)
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(text)


def _write(path: str, checked: Checked, fmt: str) -> None:
    try:
        Path(path).write_text(render(checked, fmt) + "\n", encoding="utf-8")
    except OSError as exc:
        raise ToolError(f"cannot write the {fmt} report {path}: {exc.strerror}") from None


def github(base: str | None, config_path: str | None, now_text: str | None,
           sarif: str | None = None) -> int:
    """Annotations on stdout, a table in the job summary, step outputs, and
    a SARIF file for code scanning if asked."""
    from hotfix_gates.reporting.formats.markdown import render_markdown

    try:
        branch, checked = _judge(base, "GITHUB_BASE_REF", "set the action's base input "
                                 "(--base BRANCH)", config_path, now_text,
                                 github_default_branch())
        if sarif:
            _write(sarif, checked, "sarif")
    except ToolError:
        _append("GITHUB_OUTPUT", "verdict=error\n")
        raise
    judgement = checked.judgement
    print(render(checked, "github"), flush=True)
    verdict = "blocked" if judgement.blocked else "passed"
    title = f"hotfix-gates: {verdict} (merging into {branch})"
    _append("GITHUB_STEP_SUMMARY",
            render_markdown(judgement.findings, len(judgement.records), title) + "\n")
    totals = counts(judgement.findings)
    _append("GITHUB_OUTPUT", f"verdict={verdict}\n" +
            "".join(f"{key}={value}\n" for key, value in totals.items()))
    return EXIT_BLOCKED if judgement.blocked else EXIT_OK


def gitlab(base: str | None, config_path: str | None, now_text: str | None,
           codequality: str, junit: str) -> int:
    """The findings in the job log; Code Quality and JUnit reports as files."""
    _, checked = _judge(base, "CI_MERGE_REQUEST_TARGET_BRANCH_NAME",
                        "run it in merge request pipelines, or pass --base BRANCH",
                        config_path, now_text, os.environ.get("CI_DEFAULT_BRANCH", "").strip())
    _write(codequality, checked, "codeclimate")
    _write(junit, checked, "junit")
    print(render(checked, "text"))
    return EXIT_BLOCKED if checked.judgement.blocked else EXIT_OK
