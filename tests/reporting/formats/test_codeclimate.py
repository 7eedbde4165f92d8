"""GitLab Code Quality: checked against the structure GitLab documents."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from hotfix_gates.model.finding import Finding
from hotfix_gates.reporting.formats.codeclimate import render_codeclimate
from hotfix_gates.reporting.formats.fingerprint import fingerprints, stable_message
from testing.findings import FOLDER, sample
from testing.report_schemas import GITLAB_CODE_QUALITY, code_quality_issues


def issues(findings: list[Finding]) -> list[dict[str, Any]]:
    return code_quality_issues(render_codeclimate(findings))


@pytest.mark.parametrize("findings", [sample(), []])
def test_documented_structure(findings: list[Finding]) -> None:
    assert len(issues(findings)) == len(findings)


def test_the_structure_check_bites() -> None:
    issue = issues(sample())[0]
    for key, value in (("severity", "error"), ("location", {"path": "x", "lines": {}})):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate([{**issue, key: value}], GITLAB_CODE_QUALITY)


def test_fields_of_one_issue() -> None:
    first = issues(sample())[2]
    assert first["check_name"] == "HG201 post-mortem"
    assert first["description"].startswith("HG201 post-mortem: post-mortem section 'Timeline'")
    assert first["description"].endswith("; write the Timeline section")
    assert first["location"] == {"path": f"{FOLDER}/post-mortem.md", "lines": {"begin": 6}}


def test_severity_says_what_the_finding_does_to_the_merge() -> None:
    assert [i["severity"] for i in issues(sample())] == [
        "minor", "info", "blocker", "blocker", "blocker", "blocker", "blocker"]
    waived = issues(sample())[1]["description"]
    assert "[waived: staging replica is down" in waived and "by Ana Lima until" in waived


def test_unprintable_text_is_escaped() -> None:
    hostile = issues(sample())[4]
    assert "\x1b" not in hostile["description"] and "\n" not in hostile["description"]
    assert "\udcff" not in hostile["location"]["path"]
    json.dumps(hostile, ensure_ascii=False).encode("utf-8")  # no lone surrogate anywhere


def test_fingerprints_are_unique_and_stable_across_time() -> None:
    assert [i["fingerprint"] for i in issues(sample(1))] == [
        i["fingerprint"] for i in issues(sample(12))]
    assert len({i["fingerprint"] for i in issues(sample())}) == len(sample())


def test_stable_message_blanks_times_and_durations() -> None:
    assert stable_message("post-mortem is missing (no file; overdue by 2d 3h: due "
                          "2025-10-03T16:00:00Z, 48h after deployment)") == (
        "post-mortem is missing (no file; overdue by #: due #, # after deployment)")
    assert stable_message("open 9d 4h with no resolution recorded") == (
        "open # with no resolution recorded")
    assert stable_message("severity is not set") == "severity is not set"
    assert stable_message("test_2d is not defined in tests/x2h.py") == (
        "test_2d is not defined in tests/x2h.py")


def test_identical_findings_are_told_apart_by_order_not_line() -> None:
    twice = [Finding(f"{FOLDER}/hotfix.md", line, "HG202", "regression-test",
                     "regression test 'tests/x.py::t': t is not in tests/x.py", "name a test")
             for line in (14, 14)]
    moved = [Finding(f.path, f.line + 3, f.code, f.name, f.message, f.fix) for f in twice]
    assert len(set(fingerprints(twice))) == 2
    assert fingerprints(twice) == fingerprints(moved)
