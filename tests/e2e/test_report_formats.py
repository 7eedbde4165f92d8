"""`check --format sarif|codeclimate|junit` and `check --config` on real
repositories, as a CI job runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from testing.pushes import make_pushing_clone
from testing.report_schemas import code_quality_issues, sarif_validator
from testing.repos import clean_env, commit_all, git, make_repo, run_gate, write_record

RESOLVED = {"severity": "P1", "rollback_plan": "git revert abc", "status": "resolved",
            "deployed_at": "2025-10-01T15:00:00Z", "resolved_at": "2025-10-01T16:00:00Z"}
DAY_3 = "2025-10-04T00:00:00Z"  # both post-incident gates are due (48h after 16:00 on day 1)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """001: resolved and overdue, HG201 waived; 002: no severity, no plan;
    003: a fresh P0 with a plan (passes)."""
    repo = make_repo(tmp_path_factory.mktemp("formats") / "service")
    waiver = {"gate": "post-mortem", "reason": "vendor review on Friday", "by": "Ana",
              "at": "2025-10-03T00:00:00Z", "until": "2025-10-10T00:00:00Z"}
    write_record(repo, 1, "database-pool", waivers=[waiver], **RESOLVED)
    write_record(repo, 2, "cache")
    write_record(repo, 3, "dns", severity="P0", rollback_plan="revert")
    commit_all(repo, "records")
    return repo


def check(repo: Path, *args: str, now: str = DAY_3) -> tuple[int, str, str]:
    result = run_gate(repo, "check", "--now", now, *args, env=clean_env())
    return result.returncode, result.stdout, result.stderr


def test_sarif_from_a_real_repository_is_valid(project: Path) -> None:
    code, out, err = check(project, "--format", "sarif")
    assert code == 1 and err == ""
    log = json.loads(out)
    sarif_validator().validate(log)
    results = log["runs"][0]["results"]
    assert {(r["ruleId"], r["level"]) for r in results} == {
        ("HG101", "error"), ("HG102", "error"), ("HG103", "warning"), ("HG201", "note"),
        ("HG202", "error")}
    assert all("suppressions" in r for r in results if r["ruleId"] == "HG201")
    assert log["runs"][0]["properties"] == {"tree": "working tree", "now": DAY_3}


def test_sarif_rules_describe_the_repository_s_own_deadlines(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "service")
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 24h}\n")
    write_record(repo, 1, "database-pool", **RESOLVED)
    commit_all(repo, "records")
    code, out, _ = check(repo, "--format", "sarif")
    rules = json.loads(out)["runs"][0]["tool"]["driver"]["rules"]
    described = {r["id"]: r["fullDescription"]["text"] for r in rules}
    assert code == 1
    assert described["HG201"].startswith("Applies: after the incident, from 24h after "
                                         "resolution (else deployment). Passes when")
    assert described["HG202"].startswith("Applies: after the incident, from 48h after ")


def test_codeclimate_fingerprints_survive_time_and_moved_lines(project: Path,
                                                               tmp_path: Path) -> None:
    def report(repo: Path, now: str) -> dict[tuple[str, str], str]:
        code, out, _ = check(repo, "--format", "codeclimate", now=now)
        assert code == 1
        issues = code_quality_issues(out)
        by_description = {(i["check_name"], i["location"]["path"]): i["fingerprint"]
                          for i in issues if not i["check_name"].startswith("HG201")}
        assert len(by_description) == len([i for i in issues
                                           if not i["check_name"].startswith("HG201")])
        return by_description

    before = report(project, DAY_3)
    later = report(project, "2025-10-20T00:00:00Z")  # "overdue by" has grown
    # Findings of both days keep their fingerprints (later days add open incidents).
    assert {key: later[key] for key in before} == before
    moved = tmp_path / "moved"
    git(tmp_path, "clone", "-q", str(project), str(moved))
    for hotfix in moved.glob("specs/hotfix/*/hotfix.md"):
        text = hotfix.read_text()
        hotfix.write_text(text.replace("---\n", "---\n# edited in review\n\n", 1))
    lines = {i["location"]["lines"]["begin"] for i in json.loads(
        check(moved, "--format", "codeclimate")[1])}
    assert lines != {i["location"]["lines"]["begin"] for i in json.loads(
        check(project, "--format", "codeclimate")[1])}
    assert report(moved, DAY_3) == before


def junit(repo: Path, *args: str, now: str = DAY_3) -> tuple[int, dict[str, dict[str, str]]]:
    """Exit code, and per suite: case name -> outcome."""
    code, out, _ = check(repo, "--format", "junit", *args, now=now)
    root = ET.fromstring(out)
    outcome = {}
    for suite in root.findall("testsuite"):
        cases = {}
        for case in suite.findall("testcase"):
            kinds = [child.tag for child in case if child.tag != "system-out"]
            cases[case.get("name", "")] = kinds[0] if kinds else (
                "warning" if case.find("system-out") is not None else "passed")
        outcome[suite.get("name", "")] = cases
    return code, outcome


def test_junit_cases_are_the_gates_in_force_per_record(project: Path) -> None:
    code, suites = junit(project)
    assert code == 1
    assert suites["specs/hotfix/001-database-pool"] == {
        "HG001 record-valid": "passed", "HG101 severity": "passed",
        "HG102 rollback-plan": "passed", "HG103 quick-review": "warning",
        "HG201 post-mortem": "skipped", "HG202 regression-test": "failure",
        "HG203 resolution-recorded": "passed", "HG301 unique-id": "passed"}
    assert suites["specs/hotfix/002-cache"] == {
        "HG001 record-valid": "passed", "HG101 severity": "failure",
        "HG102 rollback-plan": "failure", "HG301 unique-id": "passed"}
    assert list(suites["specs/hotfix/003-dns"].values()) == ["passed"] * 4  # P0: no review
    assert suites["repository"] == {"HG001 record-valid": "passed"}
    # Before the deadline, the post-incident gates are not in force yet.
    _, early = junit(project, now="2025-10-02T12:00:00Z")
    assert "HG201 post-mortem" not in early["specs/hotfix/001-database-pool"]
    assert "HG202 regression-test" not in early["specs/hotfix/001-database-pool"]


def test_junit_leaves_out_gates_turned_off(project: Path, tmp_path: Path) -> None:
    repo = tmp_path / "off"
    git(tmp_path, "clone", "-q", str(project), str(repo))
    (repo / ".hotfix-gates.yaml").write_text("gates: {quick-review: off, rollback-plan: warn}\n")
    _, suites = junit(repo)
    assert "HG103 quick-review" not in suites["specs/hotfix/001-database-pool"]
    assert suites["specs/hotfix/002-cache"]["HG102 rollback-plan"] == "warning"


def test_folder_level_problem_is_a_repository_case(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "odd")
    (repo / "specs").mkdir()
    (repo / "specs" / "hotfix").write_text("not a folder\n")
    code, suites = junit(repo)
    assert code == 1 and suites == {"repository": {"HG001 record-valid": "failure"}}


# -------------------------------------------------------------- --config


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """main keeps its rules in ci/gates.yaml (rollback-plan off); the branch
    under review rewrites that file to turn severity off too."""
    repo, _ = make_pushing_clone(tmp_path_factory.mktemp("config"), pre_push=False)
    (repo / "ci").mkdir()
    (repo / "ci" / "gates.yaml").write_text("gates: {rollback-plan: off}\n")
    commit_all(repo, "rules")
    git(repo, "checkout", "-q", "-b", "hotfix/001-cache")
    (repo / "ci" / "gates.yaml").write_text("gates: {rollback-plan: off, severity: off}\n")
    write_record(repo, 1, "cache")
    commit_all(repo, "record, and weaker rules")
    return repo


def test_config_path_is_read_from_the_base_tree(reviewed: Path) -> None:
    code, out, err = check(reviewed, "--base", "main", "--config", "ci/gates.yaml",
                           "--format", "json")
    assert (code, err) == (1, "")
    payload = json.loads(out)
    # Judged by main's copy, not the branch's; the branch's copy relaxes it (HG207).
    assert [f["code"] for f in payload["findings"]] == ["HG207", "HG101"]
    assert payload["findings"][0]["path"] == "ci/gates.yaml"
    assert payload["config"] == "ci/gates.yaml"
    # Without --base it comes from the judged tree, like .hotfix-gates.yaml.
    assert check(reviewed, "--config", "ci/gates.yaml")[0] == 0


def test_a_missing_config_path_is_one_line_not_the_defaults(reviewed: Path) -> None:
    code, out, err = check(reviewed, "--base", "main", "--config", "ci/other.yaml")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert err.startswith("hotfix-gate: error: ci/other.yaml (main): ")
    code, _, err = check(reviewed, "--config", "../outside.yaml")
    assert code == 2 and "leaves the repository" in err


def test_hooks_never_load_the_report_formats(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "hooked")
    write_record(repo, 1, "cache")  # blocks a push to main: the whole engine runs
    tip = commit_all(repo, "record")
    zero = "0" * 40
    probe = ("import sys\nfrom hotfix_gates.hooks import pre_push\n"
             "code = pre_push.main(['origin', 'x'])\n"
             "print(code, sorted(m for m in sys.modules if m.startswith("
             "'hotfix_gates.reporting')))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=repo, capture_output=True, text=True,
                         input=f"refs/heads/main {tip} refs/heads/main {zero}\n",
                         env=clean_env(HOTFIX_GATE_NOW=DAY_3), timeout=60)
    assert out.stdout.strip() == "1 ['hotfix_gates.reporting', 'hotfix_gates.reporting.findings']"
