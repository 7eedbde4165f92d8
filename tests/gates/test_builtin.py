"""Every gate, both sides of every deadline, judged on real repositories."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotfix_gates.gates import tests as test_files
from hotfix_gates.gates.builtin import GATES
from hotfix_gates.gates.engine import HOTFIX_PUSH, MERGE_CHECK, judge
from hotfix_gates.gates.registry import Moment
from hotfix_gates.gates.subject import Run
from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.parsing.config import parse_config
from testing.repos import COMPLETE_POST_MORTEM, write_record

CHECK = MERGE_CHECK
RESOLVED = "2025-10-01T16:00:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def codes(findings: list[Finding], *, blocking_only: bool = True) -> list[str]:
    return sorted(f.code for f in findings if f.blocking or not blocking_only)


def run(repo: Path, now: str = "2025-10-02T00:00:00Z", moments: frozenset[Moment] = CHECK,
        config: Config | None = None) -> list[Finding]:
    return judge(Run(FsTree(repo), config or Config(), at(now)), moments).findings


def ready(repo: Path, number: int = 1, **fields: Any) -> None:
    """A record that passes every merge gate."""
    base: dict[str, Any] = {"severity": "P1", "rollback_plan": "git revert the fix",
                               "reviewed_by": "alice"}
    base.update(fields)
    write_record(repo, number, **base)


def resolved(repo: Path, post_mortem: str = COMPLETE_POST_MORTEM, tests: list[str] | None = None,
             **fields: Any) -> None:
    ready(repo, status="resolved", deployed_at="2025-10-01T15:00:00Z", resolved_at=RESOLVED,
          post_mortem=post_mortem, regression_tests=tests or [], **fields)


def write_test(repo: Path) -> None:
    (repo / "tests").mkdir(exist_ok=True)
    (repo / "tests/test_pool.py").write_text("def test_release():\n    pass\n")


def test_registry_has_the_documented_codes() -> None:
    assert [(g.code, g.name) for g in GATES] == [
        ("HG001", "record-valid"), ("HG002", "config-valid"), ("HG101", "severity"),
        ("HG102", "rollback-plan"), ("HG103", "quick-review"), ("HG201", "post-mortem"),
        ("HG202", "regression-test"), ("HG203", "resolution-recorded"),
        ("HG204", "open-incident"), ("HG205", "milestones-kept"), ("HG206", "record-kept"),
        ("HG207", "rules-kept"), ("HG301", "unique-id"),
    ]


def test_fresh_record_blocks_on_severity_and_rollback(repo: Path) -> None:
    write_record(repo, 1)
    findings = run(repo)
    assert codes(findings) == ["HG101", "HG102"]
    severity = next(f for f in findings if f.code == "HG101")
    assert severity.path == "specs/hotfix/001-database-connection-pool/hotfix.md"
    assert severity.line == 5  # the `severity:` line
    assert "`hotfix-gate set severity P0|P1|P2 --id hotfix-001`" in severity.text()


def test_assessed_record_passes(repo: Path) -> None:
    ready(repo)
    assert run(repo) == []


def test_hotfix_push_asks_only_for_severity(repo: Path) -> None:
    write_record(repo, 1)
    assert codes(run(repo, moments=HOTFIX_PUSH)) == ["HG101"]
    ready(repo)
    assert run(repo, moments=HOTFIX_PUSH) == []


def test_rollback_plan_from_the_body_section(repo: Path) -> None:
    body = "\n## Rollback Plan\n<!-- how to undo -->\n[ROLLBACK STEPS]\n"
    write_record(repo, 1, severity="P0", body=body)
    assert codes(run(repo)) == ["HG102"]
    write_record(repo, 1, severity="P0", body=body + "Revert commit abc123 and redeploy.\n")
    assert run(repo) == []


def test_quick_review_warns_for_p1_and_p2_only(repo: Path) -> None:
    write_record(repo, 1, severity="P2", rollback_plan="revert")
    findings = run(repo)
    assert [(f.code, f.level) for f in findings] == [("HG103", Level.WARN)]
    assert not findings[0].blocking
    write_record(repo, 1, severity="P0", rollback_plan="revert")
    assert run(repo) == []


def test_quick_review_level_from_configuration(repo: Path) -> None:
    write_record(repo, 1, severity="P1", rollback_plan="revert")
    strict = parse_config("gates: {quick-review: error}")
    assert codes(run(repo, config=strict)) == ["HG103"]
    off = parse_config("gates: {HG103: off}")
    assert run(repo, config=off) == []


@pytest.mark.parametrize(("now", "due"), [
    ("2025-10-03T15:00:00Z", False),  # 47 hours after resolution
    ("2025-10-03T16:00:00Z", True),  # exactly 48 hours
    ("2025-10-03T17:00:00Z", True),  # 49 hours
])
def test_post_incident_gates_start_at_the_deadline(repo: Path, now: str, due: bool) -> None:
    resolved(repo, post_mortem="---\nstatus: draft\n---\n")
    expected = ["HG201", "HG202"] if due else []
    assert sorted(set(codes(run(repo, now)))) == expected


def test_deadline_clock_falls_back_to_deployment(repo: Path) -> None:
    ready(repo, deployed_at="2025-10-01T15:00:00Z", status="fix-deployed")
    assert run(repo, "2025-10-03T14:59:00Z") == []
    assert "HG202" in codes(run(repo, "2025-10-03T15:01:00Z"))


def test_nothing_asks_for_tests_before_deployment(repo: Path) -> None:
    ready(repo)
    assert run(repo, "2025-10-03T00:00:00Z") == []
    # Years later, only the open incident itself is held against it.
    assert codes(run(repo, "2030-01-01T00:00:00Z")) == ["HG204"]


def test_deadline_from_configuration(repo: Path) -> None:
    resolved(repo, tests=["tests/test_pool.py"])
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    config = parse_config("deadlines: {post-mortem: 2h, regression-test: 1d}")
    assert run(repo, "2025-10-01T17:00:00Z", config=config) == []
    assert codes(run(repo, "2025-10-01T18:00:00Z", config=config)) == []  # complete
    late = parse_config("deadlines: {regression-test: 1h}")
    (repo / "tests/test_pool.py").unlink()
    assert codes(run(repo, "2025-10-01T17:30:00Z", config=late)) == ["HG202"]


def test_complete_post_mortem_and_named_test_pass(repo: Path) -> None:
    resolved(repo, tests=["tests/test_pool.py::test_release_on_early_return"])
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(
        "import pytest\n\n\ndef test_release_on_early_return():\n    assert True\n")
    assert run(repo, "2025-10-10T00:00:00Z") == []


def test_named_test_must_be_defined_in_the_file(repo: Path) -> None:
    resolved(repo, tests=["tests/test_pool.py::test_missing",
                          "tests/test_pool.py::TestPool::test_release[slow]"])
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(
        "# test_missing is mentioned only in a comment\n"
        "class TestPool:\n    def test_release(self):\n        pass\n")
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG202"]
    assert "test_missing is not defined in tests/test_pool.py" in findings[0].message


def test_a_test_file_named_by_many_records_is_scanned_once(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Rescanning the shared file for every record made a run quadratic.
    for number in range(1, 6):
        resolved(repo, number=number, slug=f"incident-{number}",
                 tests=[f"tests/test_pool.py::test_fix_{number}"])
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(
        "".join(f"def test_fix_{n}():\n    pass\n" for n in (1, 2, 4, 5)))
    scans: list[str] = []
    real_scan = test_files._scan_python

    def counted_scan(path: str, text: str) -> test_files.Scanned:
        scans.append(path)
        return real_scan(path, text)

    monkeypatch.setattr(test_files, "_scan_python", counted_scan)
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert scans == ["tests/test_pool.py"]
    assert [(f.code, f.path) for f in findings if f.blocking] == [
        ("HG202", "specs/hotfix/003-incident-3/hotfix.md")]


def test_regression_test_path_must_exist(repo: Path) -> None:
    resolved(repo, tests=["tests/test_gone.py", "/etc/passwd", "../outside.py"])
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG202", "HG202", "HG202"]
    text = "\n".join(f.message for f in findings)
    assert "does not exist" in text and "absolute" in text and "leaves the repository" in text


def test_complete_post_mortem_with_an_empty_section_blocks(repo: Path) -> None:
    empty_lessons = COMPLETE_POST_MORTEM.replace(
        "Pool metrics were not on the dashboard.", "<!-- what went well, what did not -->")
    resolved(repo, post_mortem=empty_lessons, tests=["tests/test_pool.py"])
    write_test(repo)
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG201"]
    assert "sections not written: Lessons Learned" in findings[0].message
    assert findings[0].path.endswith("post-mortem.md")


def test_draft_post_mortem_blocks_even_when_filled(repo: Path) -> None:
    resolved(repo, post_mortem=COMPLETE_POST_MORTEM.replace("complete", "draft"),
             tests=["tests/test_pool.py"])
    write_test(repo)
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG201"]
    assert "status is draft" in findings[0].message


def test_missing_post_mortem_blocks_once_due(repo: Path) -> None:
    resolved(repo, tests=["tests/test_pool.py"])
    write_test(repo)
    (repo / "specs/hotfix/001-database-connection-pool/post-mortem.md").unlink()
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG201"]
    assert findings[0].path.endswith("hotfix.md")


def test_resolution_must_be_recorded(repo: Path) -> None:
    ready(repo, status="resolved")
    findings = run(repo)
    assert codes(findings) == ["HG203"]
    assert findings[0].line == 6  # the status line


def test_duplicate_numbers_block_the_newer_record(repo: Path) -> None:
    ready(repo, 3)
    write_record(repo, 3, "cache-stampede", severity="P0", rollback_plan="revert",
                 incident_start="2025-10-01T15:00:00Z")
    findings = run(repo)
    assert codes(findings) == ["HG301"]
    assert findings[0].path == "specs/hotfix/003-cache-stampede/hotfix.md"
    assert "also used by specs/hotfix/003-database-connection-pool" in findings[0].message
    assert "renumber this record" in findings[0].fix


@pytest.mark.parametrize(("front_matter", "message"), [
    ("severity: [P0]\n", "severity must be P0, P1 or P2, not a list"),
    ("severity: P7\n", "unknown severity 'P7'"),
    ("incident_start: soon\n", "not an ISO 8601 timestamp"),
    ("regression_tests: tests/x.py\n", "must be a list of paths"),
    ("status: done\n", "unknown status 'done'"),
    ("title: [unclosed\n", "invalid YAML"),
])
def test_invalid_front_matter_is_a_record_finding(repo: Path, front_matter: str,
                                                  message: str) -> None:
    folder = repo / "specs/hotfix/001-x"
    folder.mkdir(parents=True)
    rest = "".join(line for line in ("status: investigating\n",
                                     "incident_start: 2025-10-01T14:00:00Z\n")
                   if line.split(":")[0] not in front_matter)
    (folder / "hotfix.md").write_text(f"---\nid: hotfix-001\n{rest}{front_matter}---\nbody\n")
    findings = run(repo)
    record = [f for f in findings if f.code == "HG001"]
    assert len(record) == 1 and message in record[0].message
    assert record[0].line == 3 + rest.count("\n")
    assert all(f.code != "HG101" or "severity" not in front_matter for f in findings)


def test_naive_timestamp_is_a_warning(repo: Path) -> None:
    ready(repo, incident_start="2025-10-01 14:00:00")
    findings = run(repo)
    assert [(f.code, f.level) for f in findings] == [("HG001", Level.WARN)]
    assert "read as UTC" in findings[0].message


def test_missing_front_matter(repo: Path) -> None:
    folder = repo / "specs/hotfix/001-x"
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_text("# just notes\n")
    findings = run(repo)
    assert codes(findings) == ["HG001"]
    assert "no front matter" in findings[0].message


def test_waiver_turns_a_block_into_a_waived_finding(repo: Path) -> None:
    waiver = {"gate": "HG202", "reason": "test needs prod data", "by": "alice",
              "at": "2025-10-03T00:00:00Z", "until": "2025-10-06T00:00:00Z"}
    resolved(repo, waivers=[waiver])
    findings = run(repo, "2025-10-05T00:00:00Z")
    assert codes(findings) == []
    assert [f.code for f in findings if f.waiver] == ["HG202"]
    assert codes(run(repo, "2025-10-07T00:00:00Z")) == ["HG202"]
    strict = parse_config("gates: {regression-test: {waivable: false}}")
    assert codes(run(repo, "2025-10-05T00:00:00Z", config=strict)) == ["HG202"]


def test_hand_written_waivers_match_any_case_and_unknown_gates_are_named(repo: Path) -> None:
    at = "2025-10-03T00:00:00Z"
    waiver = {"gate": "regression-TEST".lower(), "reason": "staging only", "by": "bo", "at": at}
    resolved(repo, waivers=[waiver, {"gate": "hg201", "reason": "vendor review", "by": "bo",
                                     "at": at}])
    assert codes(run(repo, "2025-10-05T00:00:00Z")) == []
    resolved(repo, waivers=[{"gate": "post-mortme", "reason": "typo", "by": "bo", "at": at}])
    findings = run(repo, "2025-10-05T00:00:00Z")
    assert "HG001" in codes(findings)
    assert any("unknown gate 'post-mortme'" in f.message for f in findings)


def test_test_names_in_other_languages(repo: Path) -> None:
    resolved(repo, tests=["web/pool.test.js::returns the connection",
                          "web/pool.test.js::testPool", "web/pool.test.js::never written"])
    (repo / "web").mkdir()
    (repo / "web/pool.test.js").write_text(
        'it("returns the connection", () => {})\nfunction testPool() {}\n')
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert [f.message for f in findings] == [
        "regression test 'web/pool.test.js::never written': never written is not in "
        "web/pool.test.js"]


@pytest.mark.parametrize("body", [
    "<!--\n" + "".join(f"## {name}\nWritten at length.\n" for name in (
        "Executive Summary", "Timeline", "Root Cause Analysis", "Action Items",
        "Lessons Learned")) + "-->\n",
    COMPLETE_POST_MORTEM.split("---\n", 2)[2].replace(
        "Pool metrics were not on the dashboard.", "### Details\n<details></details>"),
])
def test_commented_out_or_hollow_sections_are_not_content(repo: Path, body: str) -> None:
    resolved(repo, post_mortem="---\nstatus: complete\n---\n" + body,
             tests=["tests/test_pool.py"])
    write_test(repo)
    findings = run(repo, "2025-10-10T00:00:00Z")
    assert codes(findings) == ["HG201"]
    unwritten = "Executive Summary, Timeline" if body.startswith("<!--") else "Lessons Learned"
    assert unwritten in findings[0].message


def test_an_id_that_disagrees_with_its_folder_is_a_warning(repo: Path) -> None:
    ready(repo, 1)
    ready(repo, 2, slug="copied-record", id="hotfix-001")  # a folder copied to start a record
    findings = run(repo)
    assert [(f.code, f.path, f.blocking) for f in findings] == [
        ("HG001", "specs/hotfix/002-copied-record/hotfix.md", False)]
    assert "id hotfix-001 does not match the folder's number 002" in findings[0].message
