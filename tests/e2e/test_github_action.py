"""The GitHub Action (action.yml), its steps run locally in order, in a
shallow single-branch clone of a pull request branch, with the environment
GitHub sets. Also the scheduled `status --overdue` workflow of the README."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from testing.ci_runners import (
    NOW,
    PASSING,
    PR,
    ROOT,
    VENV_BIN,
    ActionRun,
    make_review_origin,
    run_action,
    shallow_checkout,
)
from testing.pushes import make_pushing_clone
from testing.report_schemas import sarif_validator
from testing.repos import clean_env, commit_all, git, write_record

_ANNOTATION = re.compile(r"::(\w+) file=([^,]*),line=(\d+),title=([^:]*)::(.*)")


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_review_origin(tmp_path_factory.mktemp("action"))


def github_env(**changes: str) -> dict[str, str]:
    env = {"GITHUB_EVENT_NAME": "pull_request", "GITHUB_BASE_REF": "main",
           "GITHUB_HEAD_REF": PR, "GITHUB_REF": "refs/pull/7/merge",
           "GITHUB_REPOSITORY": "acme/service", "HOTFIX_GATE_NOW": NOW}
    env.update(changes)
    return env


def action(origin: Path, tmp_path: Path, branch: str = PR, env: dict[str, str] | None = None,
           **inputs: str) -> tuple[Path, ActionRun]:
    workspace = shallow_checkout(origin, tmp_path / "workspace", branch)
    runner_temp = tmp_path / "runner"
    runner_temp.mkdir()
    return workspace, run_action(workspace, runner_temp, env or github_env(), inputs)


def workflow_commands(stdout: str) -> list[tuple[str, str, int, str]]:
    found = [_ANNOTATION.fullmatch(line) for line in stdout.splitlines() if line.startswith("::")]
    assert all(found), stdout
    return [(m.group(1), m.group(2), int(m.group(3)), m.group(4)) for m in found if m]


def test_blocked_pull_request(origin: Path, tmp_path: Path) -> None:
    workspace, run = action(origin, tmp_path)
    check = run.failed
    assert check is not None and check.id == "check" and check.returncode == 1, check
    assert workflow_commands(check.stdout) == [
        ("error", ".hotfix-gates.yaml", 1, "HG207 rules-kept"),
        ("notice", "specs/hotfix/001-database-pool/hotfix.md", 13,
         "HG202 regression-test (waived)"),
        ("error", "specs/hotfix/002-cache/hotfix.md", 5, "HG101 severity"),
        ("warning", "specs/hotfix/002-cache/hotfix.md", 11, "HG102 rollback-plan"),
    ]  # HG101 blocks although the pull request turned it off, and turning it off is HG207
    assert check.stdout.splitlines()[-1] == (
        "hotfix-gate: blocked: 2 blocking, 1 warning, 1 waived in 2 records")
    assert run.outputs == {"verdict": "blocked", "blocking": "2", "warnings": "1", "waived": "1"}
    summary = check.summary.splitlines()
    assert summary[0] == r"### hotfix\-gates\: blocked \(merging into main\)"
    rows = [line for line in summary if line.startswith("| ") and "---" not in line]
    assert [row.split(" | ")[0] for row in rows] == [
        "|", "| **blocking**", "| waived", "| **blocking**", "| warning"]
    assert r"HG207 rules\-kept | relaxes the rules in force" in rows[1]
    assert r"HG101 severity | severity is not set |" in rows[3]
    # The base was fetched into origin/main, and the clone is still shallow.
    tip = git(origin, "rev-parse", "main").stdout
    assert git(workspace, "rev-parse", "refs/remotes/origin/main").stdout == tip
    assert git(workspace, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"


def test_accept_rules_input_lets_a_relaxed_configuration_through(origin: Path,
                                                                   tmp_path: Path) -> None:
    """The pull request turns severity off (HG207); the maintainers' variable,
    passed as the input, accepts that very file, and only HG101 blocks."""
    blob = git(origin, "rev-parse", f"{PR}:.hotfix-gates.yaml").stdout.strip()
    workspace = shallow_checkout(origin, tmp_path / "workspace", PR)
    (tmp_path / "runner").mkdir()
    run = run_action(workspace, tmp_path / "runner", github_env(),
                     {"accept-rules": f"{'0' * 40} {blob}"})
    check = run.failed
    assert check is not None and check.returncode == 1
    assert [c[3] for c in workflow_commands(check.stdout) if c[0] == "error"] == [
        "HG101 severity"]


def test_config_and_sarif_inputs(origin: Path, tmp_path: Path) -> None:
    workspace, run = action(origin, tmp_path, config="ci/strict.yaml", sarif="gates.sarif")
    assert run.outputs == {"verdict": "blocked", "blocking": "2", "warnings": "0", "waived": "1"}
    log = json.loads((workspace / "gates.sarif").read_text(encoding="utf-8"))
    sarif_validator().validate(log)
    assert [(r["ruleId"], r["level"]) for r in log["runs"][0]["results"]] == [
        ("HG202", "note"), ("HG101", "error"), ("HG102", "error")]


def test_passing_pull_request(origin: Path, tmp_path: Path) -> None:
    _, run = action(origin, tmp_path, PASSING, github_env(GITHUB_HEAD_REF=PASSING))
    assert run.failed is None and [s.id for s in run.steps] == ["check"]
    assert run.outputs == {"verdict": "passed", "blocking": "0", "warnings": "0", "waived": "1"}
    assert "hotfix\\-gates\\: passed" in run.step("check").summary


@pytest.mark.parametrize(("env", "inputs", "said"), [
    ({"GITHUB_EVENT_NAME": "push", "GITHUB_BASE_REF": ""}, {},
     "hotfix-gate: error: which base branch? $GITHUB_BASE_REF is empty"),
    ({}, {"base": "release/9"},
     "hotfix-gate: error: cannot fetch the base branch release/9 from origin: "),
])
def test_a_check_that_cannot_be_done_is_verdict_error(
        origin: Path, tmp_path: Path, env: dict[str, str], inputs: dict[str, str],
        said: str) -> None:
    _, run = action(origin, tmp_path, env=github_env(**env), **inputs)
    check = run.failed
    assert check is not None and check.returncode == 2
    assert check.stderr.startswith(said) and check.stderr.count("\n") == 1, check.stderr
    assert run.outputs["verdict"] == "error"


def test_action_metadata() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert {"base", "config", "python-version", "sarif"} <= set(action["inputs"])
    assert set(action["outputs"]) == {"verdict", "blocking", "warnings", "waived"}
    for step in action["runs"]["steps"]:
        # Inputs reach the scripts through the environment, never pasted into them.
        assert "${{" not in step.get("run", ""), step


def test_scheduled_overdue_workflow(tmp_path: Path) -> None:
    workflow = yaml.safe_load(
        (ROOT / "examples" / "github" / "hotfix-gates-overdue.yml").read_text(encoding="utf-8"))
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["schedule"][0]["cron"]
    (job,) = workflow["jobs"].values()
    runs = [s["run"] for s in job["steps"] if "run" in s and "pip install" not in s["run"]]
    assert runs == ["hotfix-gate status --overdue"]
    repo, _ = make_pushing_clone(tmp_path, pre_push=False)
    write_record(repo, 1, "database-pool", severity="P1", rollback_plan="revert",
                 status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z")
    commit_all(repo, "an incident whose post-mortem is late")
    env = clean_env(HOTFIX_GATE_NOW=NOW, PATH=f"{VENV_BIN}:/usr/bin:/bin")
    result = subprocess.run(["bash", "-e", "-c", runs[0]], cwd=repo, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1 and "001" in result.stdout, result


def test_readme_shows_the_example_workflow_as_it_is() -> None:
    example = (ROOT / "examples" / "github" / "hotfix-gates-overdue.yml").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    body = example[example.index("name: "):]
    assert f"# .github/workflows/hotfix-gates-overdue.yml\n{body}```" in readme
