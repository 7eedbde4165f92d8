"""JUnit XML: parsed back with xml.etree; the counts in the attributes of
`testsuites` and each `testsuite` must match the cases."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from hotfix_gates.model.finding import Finding
from hotfix_gates.reporting.formats.junit import RecordGates, render_junit
from testing.findings import FOLDER, HOSTILE_FOLDER, OTHER, sample

MERGE_GATES = (("HG001", "record-valid"), ("HG101", "severity"), ("HG102", "rollback-plan"),
               ("HG301", "unique-id"))
IN_FORCE = [
    RecordGates(FOLDER, f"{FOLDER}/hotfix.md",
                (*MERGE_GATES[:3], ("HG103", "quick-review"), ("HG201", "post-mortem"),
                 ("HG202", "regression-test"), MERGE_GATES[3])),
    RecordGates(OTHER, f"{OTHER}/hotfix.md", MERGE_GATES),
    RecordGates(HOSTILE_FOLDER, f"{HOSTILE_FOLDER}/hotfix.md", MERGE_GATES),
    RecordGates("specs/hotfix/004-quiet", "specs/hotfix/004-quiet/hotfix.md", MERGE_GATES),
]


def parse(findings: list[Finding], in_force: list[RecordGates]) -> ET.Element:
    text = render_junit(findings, in_force)
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def counted(element: ET.Element) -> dict[str, str]:
    return {key: element.get(key, "?") for key in ("tests", "failures", "errors", "skipped")}


def actual(cases: list[ET.Element]) -> dict[str, str]:
    return {"tests": str(len(cases)),
            "failures": str(sum(c.find("failure") is not None for c in cases)),
            "errors": str(sum(c.find("error") is not None for c in cases)),
            "skipped": str(sum(c.find("skipped") is not None for c in cases))}


def test_counts_in_the_attributes_match_the_cases() -> None:
    root = parse(sample(), IN_FORCE)
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    for suite in suites:
        assert counted(suite) == actual(suite.findall("testcase"))
    assert counted(root) == actual(root.findall("testsuite/testcase"))
    # 7 + 4 + 4 + 4 gates in force, and the repository's layout check
    assert counted(root) == {"tests": "20", "failures": "4", "errors": "0", "skipped": "1"}


def test_one_suite_per_record_and_one_case_per_gate_in_force() -> None:
    root = parse(sample(), IN_FORCE)
    names = [s.get("name") for s in root.findall("testsuite")]
    assert names[:2] == [FOLDER, OTHER] and names[-1] == "repository"
    first = root.findall("testsuite")[0]
    assert [c.get("name") for c in first.findall("testcase")] == [
        "HG001 record-valid", "HG101 severity", "HG102 rollback-plan", "HG103 quick-review",
        "HG201 post-mortem", "HG202 regression-test", "HG301 unique-id"]
    assert {c.get("classname") for c in first.findall("testcase")} == {FOLDER}


def test_blocking_fails_waived_skips_warning_passes_with_output() -> None:
    first = parse(sample(), IN_FORCE).findall("testsuite")[0]
    case = {c.get("name"): c for c in first.findall("testcase")}
    failure = case["HG201 post-mortem"].find("failure")
    assert failure is not None and failure.get("type") == "HG201"
    assert (failure.text or "").count("\n") == 1  # both sections, one line each
    assert case["HG201 post-mortem"].get("file") == f"{FOLDER}/post-mortem.md"
    skipped = case["HG202 regression-test"].find("skipped")
    assert skipped is not None
    assert skipped.get("message", "").startswith("waived: staging replica is down | <b>vendor")
    warning = case["HG103 quick-review"]
    assert warning.find("failure") is None and warning.find("skipped") is None
    assert "[warning]" in (warning.findtext("system-out") or "")
    passed = case["HG101 severity"]
    assert list(passed) == [] and passed.get("file") == f"{FOLDER}/hotfix.md"


def test_findings_outside_records_are_in_the_repository_suite() -> None:
    repository = parse(sample(), IN_FORCE).findall("testsuite")[-1]
    (case,) = repository.findall("testcase")
    assert case.get("name") == "HG001 record-valid" and case.find("failure") is not None
    assert "specs/hotfix is a file" in (case.find("failure").text or "")  # type: ignore[union-attr]


def test_no_records_still_reports_the_layout_check() -> None:
    root = parse([], [])
    assert counted(root) == {"tests": "1", "failures": "0", "errors": "0", "skipped": "0"}


def test_a_finding_for_a_gate_not_listed_still_shows() -> None:
    """The list of gates in force is a prediction: a finding outside it is
    still a failing case, never dropped."""
    only_hg001 = [RecordGates(OTHER, f"{OTHER}/hotfix.md", (("HG001", "record-valid"),))]
    suite = parse(sample(), only_hg001).findall("testsuite")[0]
    assert [c.get("name") for c in suite.findall("testcase")] == [
        "HG001 record-valid", "HG101 severity"]


def test_hostile_text_stays_well_formed() -> None:
    root = parse(sample(), IN_FORCE)
    hostile = next(s for s in root.findall("testsuite") if s.get("name", "").startswith(
        "specs/hotfix/003-"))
    failure = hostile.find("testcase/failure")
    assert failure is not None
    text = failure.text or ""
    assert "\x1b" not in text and "\ufffe" not in text and "::error::" in text
    assert text.count("\n") == 0  # the message's line break is shown, not followed
