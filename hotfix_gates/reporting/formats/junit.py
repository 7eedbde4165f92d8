"""JUnit XML, the test report GitLab, Jenkins and Azure DevOps all read: one
test suite per record, one test case per gate in force for it.

- a blocking finding fails its case (the job fails too: exit 1);
- a waived finding skips its case, with the waiver as the reason;
- a warning passes its case, with the warning in `system-out`. A failure or
  an error would mark a merge that goes ahead as failed (Jenkins turns the
  build unstable, GitLab lists it as a newly failed test); a skip would hide
  it among the waivers. Jenkins and Azure show a passed case's output; the
  Code Quality report is where GitLab shows warnings.

Findings outside any record (a records folder that is not a folder) are
cases of the suite `repository`, which is always there so that the list of
tests stays the same from one run to the next.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from hotfix_gates.model.finding import Finding, printable

REPOSITORY = "repository"
# The layout check (the records folder can be read) that the repository suite
# always holds.
LAYOUT_GATE = ("HG001", "record-valid")


@dataclass(frozen=True, slots=True)
class RecordGates:
    """One record and the gates in force for it (code, name), in gate order."""

    record: str  # the record's folder: the suite's name
    path: str  # its hotfix.md: where a case without findings points
    gates: tuple[tuple[str, str], ...]


@dataclass
class _Suite:
    name: str
    path: str
    cases: dict[str, tuple[str, list[Finding]]]  # code -> (case name, findings)


def _xml(text: str) -> str:
    """Text XML 1.0 can hold: controls, lone surrogates and U+FFFE/U+FFFF escaped."""
    return printable(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")


def _suites(findings: Sequence[Finding], in_force: Sequence[RecordGates]) -> list[_Suite]:
    suites = [_Suite(r.record, r.path, {code: (f"{code} {name}", []) for code, name in r.gates})
              for r in in_force]
    repository = _Suite(REPOSITORY, "", {LAYOUT_GATE[0]: (" ".join(LAYOUT_GATE), [])})
    by_folder = {suite.name: suite for suite in suites}
    for finding in findings:
        folder = posixpath.dirname(finding.path)
        while folder and folder not in by_folder:
            folder = posixpath.dirname(folder)
        suite = by_folder.get(folder, repository)
        _, found = suite.cases.setdefault(finding.code, (f"{finding.code} {finding.name}", []))
        found.append(finding)
    return [*suites, repository]


def _case(suite: _Suite, name: str, findings: list[Finding]) -> ET.Element:
    path = findings[0].path if findings else suite.path
    case = ET.Element("testcase", {"classname": _xml(suite.name), "name": _xml(name),
                                   "time": "0"})
    if path:
        case.set("file", _xml(path))
    lines = "\n".join(_xml(f.text()) for f in findings)
    blocking = [f for f in findings if f.blocking]
    waiver = next((f.waiver for f in findings if f.waiver is not None), None)
    if blocking:
        failure = ET.SubElement(case, "failure", {"message": _xml(blocking[0].message),
                                                  "type": blocking[0].code})
        failure.text = lines
    elif waiver is not None:
        ET.SubElement(case, "skipped", {"message": _xml(f"waived: {waiver.describe()}")})
    if findings and not blocking:
        ET.SubElement(case, "system-out").text = lines
    return case


def _count(element: ET.Element, cases: list[ET.Element]) -> tuple[int, int, int]:
    failures = sum(c.find("failure") is not None for c in cases)
    skipped = sum(c.find("skipped") is not None for c in cases)
    element.attrib.update({"tests": str(len(cases)), "failures": str(failures), "errors": "0",
                           "skipped": str(skipped), "time": "0"})
    return len(cases), failures, skipped


def render_junit(findings: Sequence[Finding], in_force: Sequence[RecordGates]) -> str:
    root = ET.Element("testsuites", {"name": "hotfix-gates"})
    every: list[ET.Element] = []
    for suite in _suites(findings, in_force):
        element = ET.SubElement(root, "testsuite", {"name": _xml(suite.name)})
        cases = [_case(suite, name, found) for name, found in suite.cases.values()]
        _count(element, cases)
        element.extend(cases)
        every.extend(cases)
    _count(root, every)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
