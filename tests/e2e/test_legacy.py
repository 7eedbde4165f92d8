"""Spec-kit (Markdown-only) records: every line form the workflow writes, read
into the typed record, and judged by `hotfix-gate check` on real repositories."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem
from testing import legacy_repo
from testing.legacy_repo import COMPLETE_POST_MORTEM, EARLY, FIXTURES, LATE, TEMPLATE_POST_MORTEM
from testing.repos import git, run_gate

FOLDER = "specs/hotfix/001-checkout-timeouts"
PATH = f"{FOLDER}/hotfix.md"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def read(text: str, folder: str = FOLDER) -> tuple[HotfixRecord, list[tuple[int, str, str]]]:
    record, findings = parse_hotfix(f"{folder}/hotfix.md", folder, text.encode())
    assert record.format == "legacy"
    return record, [(f.line, f.level.value, f.message) for f in findings]


def fixture(case: str) -> tuple[HotfixRecord, list[tuple[int, str, str]]]:
    """A fixture record, read in its folder of the legacy repository."""
    folder = next(f for f, (name, _) in legacy_repo.LAYOUT.items() if name == case)
    return read((FIXTURES / case / "hotfix.md").read_text(), folder)


def header(**lines: str) -> str:
    """A minimal record: the id line, then `**Label**: value` lines."""
    out = ["# Hotfix: Checkout down", "", "**Hotfix ID**: hotfix-001"]
    out += [f"**{label.replace('_', ' ')}**: {value}" for label, value in lines.items()]
    return "\n".join(out) + "\n"


# --- the fixtures, whole -------------------------------------------------------


def test_fresh_record_reads_as_nothing_filled_in() -> None:
    record, findings = fixture("fresh")
    assert findings == []
    assert (record.id, record.branch, record.title) == (
        "hotfix-001", "hotfix/001-checkout-timeouts", None)  # title is still [INCIDENT TITLE]
    assert record.severity is None and record.status == "investigating"
    assert record.incident_start == at("2025-10-01 14:32:18")
    assert (record.detected_at, record.deployed_at, record.resolved_at) == (None, None, None)
    assert record.rollback_plan is None and record.reviewed_by is None
    assert record.regression_tests == []
    # Each field points at its own line; the plan at the template command to replace.
    lines = (FIXTURES / "fresh" / "hotfix.md").read_text().splitlines()
    assert lines[record.lines["severity"] - 1].startswith("**Severity**:")
    assert lines[record.lines["status"] - 1].startswith("**Status**:")
    assert lines[record.lines["resolved_at"] - 1].startswith("**Incident End**:")
    assert lines[record.lines["rollback_plan"] - 1] == "git revert [commit-sha]"
    assert lines[record.lines["regression_tests"] - 1] == "- [ ] Regression test added: [file path]"
    assert "Code review completed" in lines[record.lines["reviewed_by"] - 1]


def test_filled_record_lower_x_upper_x_and_timeline_notes() -> None:
    record, findings = fixture("filled")
    assert findings == []
    assert record.title == "Checkout requests time out under load"
    assert record.severity == "P1"  # [x]
    assert record.status == "monitoring"  # [X]
    assert record.detected_at == at("2025-10-01 14:35:02")  # "... UTC - pager alert ..."
    assert record.deployed_at == at("2025-10-01 15:10:00")
    assert record.resolved_at is None  # the placeholder is left in
    assert record.rollback_plan == "git revert 4f2a9c1\nkubectl rollout undo deployment/checkout"
    assert record.reviewed_by == "@dana"
    assert record.regression_tests == ["tests/test_checkout.py::test_pool_released_on_timeout"]


def test_trimmed_option_lists() -> None:
    record, findings = fixture("closed")
    assert findings == []
    assert record.severity == "P0"  # `**Severity**: [X] P0 (Critical - Service Down)`
    assert record.status == "closed"  # `**Status**: [x] Post-Mortem Complete`
    assert record.resolved_at == at("2025-10-01 15:18:00")
    assert record.reviewed_by is None  # "Skip review (emergency)" is the checked one
    assert record.regression_tests == ["tests/test_payments.py"]  # backticks dropped
    assert record.rollback_plan is not None and "redeploy release 2025.10.1" in record.rollback_plan


def test_ambiguous_lines_are_findings_never_guesses() -> None:
    record, findings = fixture("ambiguous")
    assert findings == [
        (5, "error", "2 severity options are checked (P0, P1)"),
        (11, "error", "**Detection**: 'yesterday afternoon' is not a time"),
    ]
    assert record.severity is None and record.detected_at is None
    assert {"severity", "detected_at"} <= record.invalid
    # A Status line ticked as a progress list reads as the furthest state checked.
    assert record.status == "fix-deployed" and "status" not in record.invalid


def test_label_and_value_variants() -> None:
    record, findings = fixture("variants")
    assert record.title == "Image uploads rejected"  # `# Incident: ...`
    assert record.id == "hotfix-006"  # written as a list item
    assert record.severity == "P2"  # `**Severity:** P2 (...)`: colon inside, no box
    assert record.status == "fix-deployed"  # a bare option
    assert record.reviewed_by == "Erin"  # an explicit **Reviewed By** line
    assert record.incident_start == at("2025-10-01 14:00:00")  # ISO 8601
    assert record.detected_at == at("2025-10-01 14:10:00")  # note after an em dash
    assert record.deployed_at == at("2025-10-01 15:00:00")
    assert record.resolved_at is None  # TBD
    assert record.rollback_plan is not None and "strict_mime_check" in record.rollback_plan
    assert record.regression_tests == ["tests/test_upload.py",
                                       "tests/test_mime.py::test_heic_accepted"]
    assert findings == [(13, "warn", "**Fix Deployed** has no time zone; read as UTC")]


# --- one line form at a time -------------------------------------------------------

SEVERITY = [
    ("[ ] P0 (Critical) | [x] P1 (Major) | [ ] P2 (Significant)", "P1", None),
    ("[ ] P0 (Critical) | [ ] P1 (Major) | [X] P2 (Significant)", "P2", None),
    ("[X] P0 (Critical - Service Down)", "P0", None),
    ("[x] p1", "P1", None),
    ("[ ] P0 (Critical - Service Down)", None, None),
    ("[ ] P0 | [ ] P1 | [ ] P2", None, None),
    ("P1 (Major - Key Feature Broken)", "P1", None),
    ("[P0/P1/P2]", None, None),
    ("", None, None),
    ("[x] P0 | [x] P2", None, "2 severity options are checked (P0, P2)"),
    ("[x] P3 (Minor)", None, "unknown severity 'P3'"),
    ("[✓] P1", None, "the severity line has a box marked [✓]"),
    ("P0 | P1", None, "the severity line lists 2 options and checks none"),
    ("[ ] P0 (outage) [x] P1 (major) [ ] P2", "P1", None),  # no `|` between the options
    ("[ ] P0, [ ] P1, [x] P2", "P2", None),
    ("[x] P0 (outage) [x] P1 (major)", None, "2 severity options are checked (P0, P1)"),
]


@pytest.mark.parametrize(("value", "expected", "problem"), SEVERITY)
def test_severity_line(value: str, expected: str | None, problem: str | None) -> None:
    record, findings = read(header(Severity=value))
    assert record.severity == expected
    assert [message for _, _, message in findings] == ([problem] if problem else [])
    assert record.lines["severity"] == 4
    assert ("severity" in record.invalid) == (problem is not None)


STATUS = [
    ("[ ] Investigating | [ ] Fix Deployed | [ ] Monitoring | [ ] Post-Mortem Complete",
     "investigating", None),
    ("[ ] Investigating | [x] Fix Deployed | [ ] Monitoring", "fix-deployed", None),
    ("[X] Fix Deployed | [ ] Monitoring | [ ] Post-Mortem Complete", "fix-deployed", None),
    ("[x] Post-Mortem Complete", "closed", None),
    ("Monitoring", "monitoring", None),
    ("[x] Investigating | [X] Monitoring", "monitoring", None),  # ticked as it went
    ("[X] Fix Deployed | [X] Monitoring | [X] Post-Mortem Complete", "closed", None),
    ("[ ] Investigating [x] Fix Deployed [ ] Monitoring", "fix-deployed", None),  # no `|`
    ("[x] Investigating | [x] Escalated", None, "unknown status 'Escalated'"),
    ("[x] Escalated", None, "unknown status 'Escalated'"),
]


@pytest.mark.parametrize(("value", "expected", "problem"), STATUS)
def test_status_line(value: str, expected: str | None, problem: str | None) -> None:
    record, findings = read(header(Status=value))
    assert record.status == expected
    messages = [message for _, _, message in findings]
    assert (messages[0].startswith(problem) if problem else messages == [])


TIMES = [
    ("2025-10-01 14:32:18 UTC", "2025-10-01 14:32:18", None),
    ("2025-10-01 14:32:18 UTC - paged by the p99 alert - twice", "2025-10-01 14:32:18", None),
    ("`2025-10-01 14:32:18 UTC`", "2025-10-01 14:32:18", None),
    ("2025-10-01T16:32:18+02:00", "2025-10-01 14:32:18", None),
    ("[YYYY-MM-DD HH:MM:SS UTC]", None, None),
    ("[YYYY-MM-DD HH:MM:SS UTC] - [How was it detected?]", None, None),
    ("N/A", None, None),
    ("", None, None),
    ("soon - waiting on the vendor", None, "**Detection**: 'soon' is not a time"),
    ("2025-13-01 10:00:00 UTC", None, "**Detection**: '2025-13-01 10:00:00 UTC' is not a time"),
]


@pytest.mark.parametrize(("value", "expected", "problem"), TIMES)
def test_timeline_line(value: str, expected: str | None, problem: str | None) -> None:
    record, findings = read(header(Detection=value))
    assert record.detected_at == (at(expected) if expected else None)
    assert [(line, message) for line, _, message in findings] == (
        [(4, problem)] if problem else [])
    assert record.lines["detected_at"] == 4


def test_each_timeline_label_fills_its_key() -> None:
    text = header(**{"Incident_Start": "2025-10-01 10:00:00 UTC",
                     "Detection": "2025-10-01 10:05:00 UTC",
                     "Investigation_Start": "2025-10-01 10:06:00 UTC",
                     "Fix_Deployed": "2025-10-01 11:00:00 UTC",
                     "Incident_End": "2025-10-01 11:30:00 UTC"})
    record, findings = read(text)
    assert findings == []
    assert [record.incident_start, record.detected_at, record.deployed_at, record.resolved_at] == [
        at("2025-10-01 10:00:00"), at("2025-10-01 10:05:00"), at("2025-10-01 11:00:00"),
        at("2025-10-01 11:30:00")]
    assert record.lines["resolved_at"] == 8 and record.clock_start == at("2025-10-01 11:30:00")


REGRESSION = [
    ("- [x] Regression test added: tests/test_pool.py", ["tests/test_pool.py"]),
    ("- [X] Regression test added: tests/test_pool.py::test_release", [
        "tests/test_pool.py::test_release"]),
    ("* [x] Regression tests added: `tests/a.py`, tests/b.py::test_b and tests/c.py",
     ["tests/a.py", "tests/b.py::test_b", "tests/c.py"]),
    ("- [ ] Regression test added: tests/test_pool.py", []),  # unchecked: none yet
    ("- [x] Regression test added: [file path]", []),  # placeholder left in
    ("- [ ] Regression test added: [file path]", []),
]


@pytest.mark.parametrize(("line", "expected"), REGRESSION)
def test_regression_test_line(line: str, expected: list[str]) -> None:
    record, findings = read(header() + "\n**Post-Fix Compliance**:\n" + line + "\n")
    assert findings == []
    assert record.regression_tests == expected
    assert record.lines["regression_tests"] == 6


REVIEW = [
    ("- [ ] Code review completed (if time permitted) OR [ ] Skip review (emergency)", None),
    ("- [x] Code review completed (if time permitted) OR [ ] Skip review (emergency)",
     "code review completed"),
    ("- [X] Code review completed (if time permitted) by @dana OR [ ] Skip review (emergency)",
     "@dana"),
    ("- [x] Code review completed: Farid", "Farid"),
    ("- [ ] Code review completed (if time permitted) OR [x] Skip review (emergency)", None),
]


@pytest.mark.parametrize(("line", "expected"), REVIEW)
def test_code_review_line(line: str, expected: str | None) -> None:
    record, findings = read(header() + "\n" + line + "\n")
    assert findings == [] and record.reviewed_by == expected
    assert record.lines["reviewed_by"] == 5


def test_review_both_checked_is_a_finding() -> None:
    line = "- [x] Code review completed (if time permitted) OR [x] Skip review (emergency)"
    record, findings = read(header() + "\n" + line + "\n")
    assert record.reviewed_by is None
    assert findings == [(5, "error",
                         "both 'Code review completed' and 'Skip review' are checked")]


def test_a_repeated_label_is_a_finding_and_code_blocks_are_not_read() -> None:
    text = header(Severity="[x] P1") + "\n```\n**Severity**: [x] P0\n```\n**Severity**: [x] P2\n"
    record, findings = read(text)
    assert findings == [(9, "error", "a second **Severity** line (the first is on line 4)")]
    assert record.severity is None and "severity" in record.invalid


HOSTILE = {
    "unclosed brackets": b"## Rollback Plan\n" + b"[" * 900_000,
    "comment bomb": b"## Rollback Plan\n" + b"<!--" * 200_000,
    "bold bomb": b"**" * 450_000,
    "fence bomb": b"## Rollback Plan\n" + b"```\n" * 200_000,
    "guidance list": b"[placeholder]\n" + b"- item\n" * 120_000,
    "options": b"**Severity**: " + b"| [x] P0 " * 100_000,
    "repeated label": b"**Detection**: later\n" * 50_000,
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_markdown_is_read_quickly_with_short_findings(name: str) -> None:
    data = b"**Hotfix ID**: hotfix-001\n" + HOSTILE[name]
    started = time.monotonic()
    record, findings = parse_hotfix(PATH, FOLDER, data)
    post, problem, _ = parse_post_mortem("post-mortem.md", data)
    assert time.monotonic() - started < 3
    # Over the Markdown reader's size limit: refused at once, with a short reason.
    assert record.format == "legacy" and (post is not None or "too large" in str(problem))
    assert len(findings) <= 2 and all(len(f.text()) < 400 for f in findings)


ROLLBACK = [
    ("```bash\n# undo if needed\ngit revert [commit-sha]\n# OR\ngit reset --hard [previous]\n```",
     None),
    ("```bash\ngit revert [commit-sha]\n```\n\n### Rollback Testing\n"
     "- [x] Rollback tested in staging: [x] Yes\n- [x] Rollback time estimate: 5 minutes", None),
    ("<!-- say how to undo the fix -->\n[ROLLBACK STEPS]", None),
    ("```bash\n# undo if needed\ngit revert 4f2a9c1\n```", "git revert 4f2a9c1"),
    ("Flip the `new_checkout` flag off; nothing to deploy.",
     "Flip the `new_checkout` flag off; nothing to deploy."),
]


@pytest.mark.parametrize(("section", "expected"), ROLLBACK)
def test_rollback_plan_section(section: str, expected: str | None) -> None:
    record, findings = read(header() + "\n## Rollback Plan\n\n### How to Undo This Fix\n"
                            + section + "\n\n## Deployment Log\n- [x] Deployed\n")
    assert findings == [] and record.rollback_plan == expected
    assert record.lines["rollback_plan"] >= 5


# --- post-mortems ------------------------------------------------------------------


def post_mortem(text: str) -> dict[str, bool]:
    post, problem, _ = parse_post_mortem("post-mortem.md", text.encode())
    assert post is not None and problem is None
    return {name: post.is_filled(name) for name in POST_MORTEM_SECTIONS}


def test_template_post_mortem_has_no_section_filled() -> None:
    assert post_mortem(TEMPLATE_POST_MORTEM.read_text()) == dict.fromkeys(POST_MORTEM_SECTIONS,
                                                                         False)


def test_complete_post_mortem_with_incident_details_table_as_timeline() -> None:
    text = COMPLETE_POST_MORTEM.read_text()
    assert "## Timeline" not in text and "| Time | Event | Who | Notes |" in text
    assert post_mortem(text) == dict.fromkeys(POST_MORTEM_SECTIONS, True)
    post, _, _ = parse_post_mortem("p.md", text.encode())
    assert post is not None and post.status is None
    assert post.sections["timeline"].title == "Incident Details"


def test_filled_timeline_subsection_counts_and_template_rows_do_not() -> None:
    template = TEMPLATE_POST_MORTEM.read_text()
    filled = template.replace("| HH:MM | Incident began | System | [what set it off] |",
                              "| 09:14 | Incident began | System | deploy 2025.10.1 |")
    assert post_mortem(template)["Timeline"] is False
    assert post_mortem(filled)["Timeline"] is True
    assert post_mortem(filled)["Executive Summary"] is False  # guidance bullets are not content


def test_status_line_in_a_post_mortem_without_front_matter() -> None:
    text = COMPLETE_POST_MORTEM.read_text().replace(
        "**Incident Date**", "**Status**: Draft\n**Incident Date**")
    post, _, _ = parse_post_mortem("p.md", text.encode())
    assert post is not None and (post.status, post.status_line) == ("draft", 4)
    post, _, _ = parse_post_mortem("p.md", text.replace("Draft", "[x] Complete").encode())
    assert post is not None and post.status == "complete"


# --- `hotfix-gate check` on a real repository -------------------------------------------


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return legacy_repo.build(tmp_path_factory.mktemp("legacy") / "service")


def check(capsys: pytest.CaptureFixture[str], repo: Path, now: str,
          *extra: str) -> tuple[int, list[dict[str, object]]]:
    code = main(["-C", str(repo), "check", "--now", now, "--format", "json", *extra])
    payload = json.loads(capsys.readouterr().out)
    return code, payload["findings"]


def verdicts(findings: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(f["path"], f["line"], f["code"], f["blocking"]) for f in findings}


@pytest.fixture(autouse=True)
def _home(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTFIX_GATE_NOW", raising=False)
    monkeypatch.chdir("/")  # -C is what points at the repository


def test_check_blocks_unfilled_records_naming_the_lines(
        legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(capsys, legacy, EARLY)
    assert code == 1
    fresh = "specs/hotfix/001-checkout-timeouts/hotfix.md"
    ambiguous = "specs/hotfix/005-login-loop/hotfix.md"
    assert verdicts(findings) == {
        (fresh, 5, "HG101", True),  # the **Severity**: line
        (fresh, 30, "HG102", True),  # `git revert [commit-sha]`
        (ambiguous, 5, "HG001", True), (ambiguous, 11, "HG001", True),
        (ambiguous, 6, "HG001", True),  # Fix Deployed is checked, its time is not filled in
        ("specs/hotfix/006-image-uploads/hotfix.md", 13, "HG001", False),  # naive time
    }
    by_code = {f["code"]: f for f in findings if f["path"] == fresh}
    assert by_code["HG101"]["fix"] == ("check one of P0, P1 or P2 with [x] on this "
                                       "**Severity**: line")
    # No HG301: the `.bak` copy of record 001 is not a second record 001.


def test_check_after_the_deadlines(legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, findings = check(capsys, legacy, LATE)
    assert code == 1
    found = verdicts(findings)
    filled, old = "specs/hotfix/002-checkout-timeouts", "specs/hotfix-004-search-empty"
    for folder in (filled, old):  # template post-mortem: one finding, at its first section
        assert (f"{folder}/post-mortem.md", 10, "HG201", True) in found
        assert [code for path, _, code, _ in found
                if str(path).startswith(f"{folder}/") and code == "HG201"] == ["HG201"]
    # The older layout's unchecked regression-test line; 002's test exists and is named.
    assert (f"{old}/hotfix.md", 31, "HG202", True) in found
    assert not any(str(path).startswith(filled) and code == "HG202" for path, _, code, _ in found)
    # 006: no post-mortem at all; the clock is its deployment.
    assert ("specs/hotfix/006-image-uploads/hotfix.md", 14, "HG201", True) in found
    # Record 003 is filled, closed, with a complete post-mortem and its test: it passes.
    # The front-matter record beside the Markdown ones is still open days later.
    assert not any("003-payments" in str(path) for path, *_ in found)
    assert [code for path, _, code, _ in found if "007-" in str(path)] == ["HG204"]


def test_closed_record_without_its_test_or_post_mortem(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str],
                                                       legacy: Path) -> None:
    repo = legacy_repo.copy(legacy, tmp_path / "copy")
    folder = repo / "specs/hotfix/003-payments-503"
    (repo / "tests/test_payments.py").unlink()
    (folder / "post-mortem.md").write_text(TEMPLATE_POST_MORTEM.read_text())
    code, findings = check(capsys, repo, LATE)
    mine = {(str(f["path"]).rsplit("/", 1)[-1], f["code"]) for f in findings
            if "003-payments" in str(f["path"])}
    assert code == 1 and mine == {("hotfix.md", "HG202"), ("post-mortem.md", "HG201")}
    assert any("does not exist" in str(f["message"]) for f in findings
               if f["code"] == "HG202" and "003-payments" in str(f["path"]))


def test_committed_tree_reads_like_the_working_tree(
        legacy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listed = git(legacy, "ls-files", "-s", "specs/hotfix/002-checkout-timeouts").stdout
    assert "120000" in listed and "plan.md" in listed  # a real symlink in the commit
    for now in (EARLY, LATE):
        work = check(capsys, legacy, now)
        assert check(capsys, legacy, now, "--rev", "HEAD") == work
        assert check(capsys, legacy, now, "--rev", "HEAD") == work  # from the parse cache


def test_symlinked_hotfix_md_is_followed_inside_the_tree(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], legacy: Path) -> None:
    repo = legacy_repo.copy(legacy, tmp_path / "copy")
    folder = repo / "specs/hotfix/002-checkout-timeouts"
    (folder / "spec.md").unlink()
    (folder / "hotfix.md").rename(folder / "spec.md")
    (folder / "hotfix.md").symlink_to("spec.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hotfix.md is now a link to spec.md")
    assert check(capsys, repo, EARLY) == check(capsys, legacy, EARLY)
    assert check(capsys, repo, EARLY, "--rev", "HEAD") == check(capsys, legacy, EARLY)


def test_check_as_a_real_process(legacy: Path) -> None:
    result = run_gate(legacy, "check", "--now", EARLY)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        "specs/hotfix/001-checkout-timeouts/hotfix.md:5: HG101 severity: severity is not set; "
        "check one of P0, P1 or P2 with [x] on this **Severity**: line")
    assert result.stdout.splitlines()[-1] == (
        "hotfix-gate: blocked: 5 blocking, 1 warning in 7 records")
