"""Run this repository's CI integrations the way the platforms do, locally:
the GitHub composite action's `run:` steps and the GitLab include's script,
in a real repository with the environment each platform sets.

Only what the tests cannot do here is left out: `uses:` steps (setting up
Python) and the step that pip-installs hotfix-gates, whose place is taken
by this virtual environment, which has it installed already.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testing.pushes import make_pushing_clone
from testing.repos import COMPLETE_POST_MORTEM, clean_env, commit_all, git, write_record

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = str(Path(sys.executable).parent)
NOW = "2025-10-08T12:00:00Z"
PR = "hotfix/002-cache"  # a request that blocks
PASSING = "hotfix/003-dns"  # a request that passes
_GITHUB_EXPRESSION = re.compile(r"\$\{\{\s*([\w.-]+)\s*\}\}")
_GITLAB_INPUT = re.compile(r"\$\[\[\s*inputs\.([\w-]+)\s*\]\]")


def make_review_origin(root: Path) -> Path:
    """A bare origin with branches to review. main: rollback-plan is a
    warning; ci/strict.yaml keeps it an error; record 001 is resolved with
    its missing regression test waived. hotfix/002-cache: a record with no
    severity and no plan, and a configuration that turns severity off.
    hotfix/003-dns: a ready P0."""
    repo, remote = make_pushing_clone(root, pre_push=False)
    (repo / ".hotfix-gates.yaml").write_text("gates: {rollback-plan: warn}\n")
    (repo / "ci").mkdir()
    (repo / "ci" / "strict.yaml").write_text("gates: {rollback-plan: error}\n")
    waiver = {"gate": "HG202", "reason": "test needs the staging replica", "by": "Ana",
              "at": "2025-10-02T00:00:00Z", "until": "2025-12-01T00:00:00Z"}
    write_record(repo, 1, "database-pool", post_mortem=COMPLETE_POST_MORTEM, severity="P0",
                 rollback_plan="revert", status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z", waivers=[waiver])
    commit_all(repo, "rules and a resolved incident")
    git(repo, "checkout", "-q", "-b", PR)
    write_record(repo, 2, "cache", incident_start="2025-10-08T09:00:00Z")
    (repo / ".hotfix-gates.yaml").write_text("gates: {rollback-plan: warn, severity: off}\n")
    commit_all(repo, "record, and weaker rules")
    git(repo, "checkout", "-q", "-b", PASSING, "main")
    write_record(repo, 3, "dns", severity="P0", rollback_plan="flip the resolver back",
                 incident_start="2025-10-08T09:00:00Z")
    commit_all(repo, "a ready record")
    git(repo, "push", "-q", "origin", "main", PR, PASSING)
    return remote


def shallow_checkout(origin: Path, workspace: Path, branch: str) -> Path:
    """What CI checkouts leave: depth 1, this branch only."""
    git(workspace.parent, "clone", "-q", "--depth", "1", "--single-branch", "--branch", branch,
        f"file://{origin}", str(workspace))
    assert git(workspace, "branch", "-r").stdout.split() == [f"origin/{branch}"]
    return workspace


@dataclass
class StepRun:
    id: str
    returncode: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


@dataclass
class ActionRun:
    steps: list[StepRun] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def failed(self) -> StepRun | None:
        return next((step for step in self.steps if step.returncode != 0), None)

    def step(self, step_id: str) -> StepRun:
        return next(step for step in self.steps if step.id == step_id)


def read_outputs(path: Path) -> dict[str, str]:
    """`name=value` lines and `name<<DELIMITER` blocks, as the runner reads them."""
    outputs: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            outputs[name] = "\n".join(lines[index + 1:end])
            index = end + 1
            continue
        name, _, value = line.partition("=")
        outputs[name] = value
        index += 1
    return outputs


def run_action(workspace: Path, runner_temp: Path, env: dict[str, str],
               inputs: dict[str, str] | None = None) -> ActionRun:
    """Run action.yml's steps in order, as a composite action runs them,
    stopping at the first step that fails."""
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    given = inputs or {}
    values = {name: given.get(name, spec.get("default", ""))
              for name, spec in action["inputs"].items()}
    assert set(given) <= set(values), f"unknown inputs {set(given) - set(values)}"
    steps: dict[str, dict[str, str]] = {}
    run = ActionRun()

    def expand(text: str) -> str:
        def value(match: re.Match[str]) -> str:
            scope, _, rest = match.group(1).partition(".")
            if scope == "inputs":
                return str(values[rest])
            if scope == "github" and rest == "action_path":
                return str(ROOT)
            if scope == "steps":
                step_id, _, output = rest.partition(".outputs.")
                return steps.get(step_id, {}).get(output, "")
            raise AssertionError(f"the test runner does not know ${{{{ {match.group(1)} }}}}")
        return _GITHUB_EXPRESSION.sub(value, text)

    base = clean_env(**env, GITHUB_ACTION_PATH=str(ROOT), GITHUB_WORKSPACE=str(workspace),
                     RUNNER_TEMP=str(runner_temp), GITHUB_ACTIONS="true", CI="true")
    for number, step in enumerate(action["runs"]["steps"]):
        step_id = step.get("id", f"step{number}")
        if "uses" in step:
            continue  # actions/setup-python: this interpreter stands in
        if step_id == "install":
            steps[step_id] = {"bin": VENV_BIN}  # installed already: this venv
            continue
        assert step["shell"] == "bash"
        output, summary = runner_temp / f"{step_id}.output", runner_temp / f"{step_id}.summary"
        step_env = {**base, **{k: expand(str(v)) for k, v in step.get("env", {}).items()},
                    "GITHUB_OUTPUT": str(output), "GITHUB_STEP_SUMMARY": str(summary)}
        cwd = workspace / expand(step.get("working-directory", "."))
        # The runner's own bash invocation for `shell: bash`.
        result = subprocess.run(["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c",
                                 expand(step["run"])], cwd=cwd, env=step_env,
                                capture_output=True, text=True, timeout=120)
        steps[step_id] = read_outputs(output)
        run.steps.append(StepRun(step_id, result.returncode, result.stdout, result.stderr,
                                 steps[step_id], summary.read_text(encoding="utf-8")
                                 if summary.exists() else ""))
        if result.returncode != 0:
            break
    run.outputs = {name: expand(spec["value"]) for name, spec in action["outputs"].items()}
    return run


GITLAB_INCLUDE = ROOT / "ci" / "gitlab" / "hotfix-gates.gitlab-ci.yml"


def gitlab_job(inputs: dict[str, str]) -> tuple[str, dict[str, Any]]:
    """The include's job after `spec:inputs` interpolation: (name, job)."""
    text = GITLAB_INCLUDE.read_text(encoding="utf-8")
    header, body = text.split("\n---\n", 1)
    specs = yaml.safe_load(header)["spec"]["inputs"]
    missing = [name for name, spec in specs.items()
               if name not in inputs and "default" not in (spec or {})]
    assert not missing, f"required inputs not given: {missing}"
    values = {name: inputs.get(name, (spec or {}).get("default")) for name, spec in specs.items()}
    jobs: dict[str, Any] = yaml.safe_load(_GITLAB_INPUT.sub(
        lambda m: str(values[m.group(1)]), body))
    (name, job), = jobs.items()
    return name, job


def run_gitlab_script(job: dict[str, Any], project_dir: Path,
                      env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """The job's script lines in one shell, stopping at the first failure, as
    the runner does; the pip install line is left out (this venv has it)."""
    lines = [line for line in job["script"] if "pip install" not in line]
    variables = {k: str(v) for k, v in job.get("variables", {}).items()}
    full = clean_env(**variables, **env, CI="true", GITLAB_CI="true",
                     CI_PROJECT_DIR=str(project_dir),
                     PATH=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    return subprocess.run(["bash", "-e", "-o", "pipefail", "-c", "\n".join(lines)],
                          cwd=project_dir, env=full, capture_output=True, text=True, timeout=120)
