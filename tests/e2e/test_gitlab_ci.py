"""The GitLab include (ci/gitlab/hotfix-gates.gitlab-ci.yml): parsed with
its inputs, its script run in a shallow clone of a merge request branch
with the variables GitLab sets, its report files checked."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from testing.ci_runners import (
    NOW,
    PASSING,
    PR,
    gitlab_job,
    make_review_origin,
    run_gitlab_script,
    shallow_checkout,
)
from testing.report_schemas import code_quality_issues
from testing.repos import git

PACKAGE = "git+https://gitlab.example.com/acme/hotfix-gates.git@v0.1.0"


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_review_origin(tmp_path_factory.mktemp("gitlab"))


def merge_request(origin: Path, tmp_path: Path, branch: str = PR, **inputs: str
                  ) -> tuple[int, str, dict[str, Any]]:
    """Run the job on a merge request of BRANCH into main: (exit code, log, job)."""
    _, job = gitlab_job({"package": PACKAGE, **inputs})
    project = shallow_checkout(origin, tmp_path / "project", branch)
    variables = {"CI_PIPELINE_SOURCE": "merge_request_event", "CI_MERGE_REQUEST_IID": "7",
                 "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main",
                 "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": branch,
                 "CI_COMMIT_SHA": git(project, "rev-parse", "HEAD").stdout.strip(),
                 "HOTFIX_GATE_NOW": NOW}
    result = run_gitlab_script(job, project, variables)
    return result.returncode, result.stdout + result.stderr, job


def reports(tmp_path: Path, job: dict[str, Any]) -> tuple[list[dict[str, Any]], ET.Element]:
    """The two report files the job hands GitLab, parsed and checked."""
    project = tmp_path / "project"
    declared = job["artifacts"]["reports"]
    issues = code_quality_issues((project / declared["codequality"]).read_text("utf-8"))
    return issues, ET.fromstring((project / declared["junit"]).read_bytes())


def test_the_job_runs_on_merge_requests_and_keeps_both_reports() -> None:
    name, job = gitlab_job({"package": PACKAGE})
    assert name == "hotfix-gates" and job["stage"] == "test" and job["image"] == "python:3.12"
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "merge_request_event"'}]
    artifacts = job["artifacts"]
    assert artifacts["when"] == "always"  # the reports matter most when the job fails
    assert set(artifacts["reports"]) == {"codequality", "junit"}
    assert job["variables"]["HOTFIX_GATES_PACKAGE"] == PACKAGE
    with pytest.raises(AssertionError, match="required inputs not given: \\['package'\\]"):
        gitlab_job({})


def test_blocking_merge_request_fails_with_both_reports(origin: Path, tmp_path: Path) -> None:
    code, log, job = merge_request(origin, tmp_path)
    assert code == 1, log
    assert "specs/hotfix/002-cache/hotfix.md:5: HG101 severity: severity is not set" in log
    assert ".hotfix-gates.yaml:1: HG207 rules-kept: relaxes the rules in force: HG101" in log
    assert log.rstrip().endswith("hotfix-gate: blocked: 2 blocking, 1 warning, 1 waived in "
                                 "2 records")
    issues, junit = reports(tmp_path, job)
    assert [(i["check_name"], i["severity"], i["location"]["lines"]["begin"]) for i in issues] == [
        ("HG207 rules-kept", "blocker", 1), ("HG202 regression-test", "info", 13),
        ("HG101 severity", "blocker", 5), ("HG102 rollback-plan", "minor", 11)]
    assert {k: junit.get(k) for k in ("tests", "failures", "errors", "skipped")} == {
        "tests": "15", "failures": "2", "errors": "0", "skipped": "1"}  # 9 + 4 + 2 not records
    failed = junit.find("testsuite[@name='specs/hotfix/002-cache']/testcase/failure/..")
    assert failed is not None and failed.get("name") == "HG101 severity"


def test_config_input_is_read_from_the_target_branch(origin: Path, tmp_path: Path) -> None:
    code, _, job = merge_request(origin, tmp_path, config="ci/strict.yaml")
    issues, junit = reports(tmp_path, job)
    assert code == 1 and [i["severity"] for i in issues] == ["info", "blocker", "blocker"]
    assert junit.get("failures") == "2"


def test_passing_merge_request(origin: Path, tmp_path: Path) -> None:
    code, log, job = merge_request(origin, tmp_path, PASSING)
    assert code == 0, log
    issues, junit = reports(tmp_path, job)
    assert [i["severity"] for i in issues] == ["info"]
    assert (junit.get("failures"), junit.get("skipped")) == ("0", "1")
