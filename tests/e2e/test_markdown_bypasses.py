"""Markdown that once let an overdue record through, on real repositories:
`hotfix-gate check --now` blocks each one, and so does the server hook.

The overdue record: severity P0, a rollback plan, resolved nine days
before the judging clock. Where the trick hides the whole front matter, the
record also has no test and no post-mortem; where the trick fakes one duty,
everything else is done, so only that duty can block."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.hostile import Outcome, assert_clean, gate
from testing.legacy_repo import FIXTURES, TEMPLATE_POST_MORTEM
from testing.pushes import make_pushing_clone, push, remote_sha, server_clock
from testing.repos import (
    COMPLETE_POST_MORTEM,
    DRAFT_POST_MORTEM,
    commit_all,
    front_matter,
    make_repo,
    record_fields,
    run_gate,
)

NOW = "2025-10-10T00:00:00Z"
FOLDER = "specs/hotfix/001-payments-down"
TEST = "tests/test_payments.py"
OVERDUE = {"severity": "P0", "rollback_plan": "git revert 1a2b3c4", "status": "resolved",
           "incident_start": "2025-10-01T09:00:00Z", "deployed_at": "2025-10-01T10:00:00Z",
           "resolved_at": "2025-10-01T10:30:00Z"}
TESTED = {**OVERDUE, "regression_tests": [f"{TEST}::test_payment_succeeds"]}


# A closed spec-kit record, every duty done (its test is TEST).
CLOSED = (FIXTURES / "closed" / "hotfix.md").read_text().replace("hotfix-003", "hotfix-001")
SPEC_KIT_COMPLETE = (FIXTURES / "post-mortem-complete.md").read_text()


def yaml(**fields: object) -> bytes:
    return front_matter(record_fields(1, "payments-down", **fields)).encode()


def build(root: Path, hotfix: bytes, post_mortem: str | None = DRAFT_POST_MORTEM) -> Path:
    repo = make_repo(root / "service")
    folder = repo / FOLDER
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_bytes(hotfix)
    if post_mortem is not None:
        (folder / "post-mortem.md").write_text(post_mortem)
    (repo / "tests").mkdir()
    (repo / TEST).write_text("def test_payment_succeeds():\n    assert True\n")
    commit_all(repo, "hotfix-001")
    return repo


def check(repo: Path) -> tuple[Outcome, set[tuple[str, str, int, bool]]]:
    outcome = gate(repo, "check", "--now", NOW, "--format", "json")
    assert_clean(outcome)
    found = {(str(f["path"]).rsplit("/", 1)[-1], str(f["code"]), int(str(f["line"])),
              bool(f["blocking"])) for f in outcome.findings()}
    return outcome, found


def test_the_honest_records_pass(tmp_path: Path) -> None:
    # The controls: what each case below starts from passes when done for real.
    for name, hotfix, post_mortem in (("fm", yaml(**TESTED), COMPLETE_POST_MORTEM),
                                      ("md", CLOSED.encode(), SPEC_KIT_COMPLETE)):
        outcome, found = check(build(tmp_path / name, hotfix, post_mortem))
        assert outcome.code == 0 and found == set()


# --- the front matter hidden so the Markdown is read instead -----------------------

MARKER = b"<!-- **Hotfix ID**: hotfix-001 -->\n# Payments down\n"
HIDDEN = {
    "a second BOM": b"\xef\xbb\xbf\xef\xbb\xbf" + yaml(**OVERDUE) + MARKER,
    "a blank line": b"\n" + yaml(**OVERDUE) + MARKER,
    "a zero-width space": "\u200b".encode() + yaml(**OVERDUE) + MARKER,
    "NBSP and filler lines": "\u00a0\n\u3164\n".encode() + yaml(**OVERDUE) + MARKER,
}


@pytest.mark.parametrize("name", HIDDEN)
def test_front_matter_below_line_1_is_read_and_refused(tmp_path: Path, name: str) -> None:
    repo = build(tmp_path, HIDDEN[name])
    outcome, found = check(repo)
    assert outcome.code == 1
    assert ("hotfix.md", "HG001", 1, True) in found
    # The YAML was read: the clock started at resolution, and both duties are due.
    codes = {code for _, code, _, _ in found}
    assert {"HG201", "HG202"} <= codes
    messages = [str(f["fix"]) for f in outcome.findings() if f["code"] == "HG001"]
    assert "make the `---` line the very first line: delete what is before it" in messages


def test_a_second_front_matter_block_is_refused(tmp_path: Path) -> None:
    # The milestones sit in a second block, which was silently ignored.
    first = yaml(severity="P0", rollback_plan="git revert 1a2b3c4", status="investigating")
    second = (b"---\nstatus: resolved\ndeployed_at: 2025-10-01T10:00:00Z\n"
              b"resolved_at: 2025-10-01T10:30:00Z\n---\n")
    repo = build(tmp_path, first + second)
    outcome, found = check(repo)
    line = first.count(b"\n") + 1
    assert outcome.code == 1 and ("hotfix.md", "HG001", line, True) in found


def test_yaml_under_a_comment_in_a_spec_kit_record_is_refused(tmp_path: Path) -> None:
    hotfix = (b"<!-- record -->\n" + yaml(**OVERDUE) +
              b"**Hotfix ID**: hotfix-001\n**Status**: [x] Investigating\n")
    outcome, found = check(build(tmp_path, hotfix))
    assert outcome.code == 1 and found == {("hotfix.md", "HG001", 2, True)}


# --- a post-mortem that renders empty, with everything else done -------------------

SECTIONS = ("Executive Summary", "Timeline", "Root Cause Analysis", "Action Items",
            "Lessons Learned")


def filled_with(filler: str) -> str:
    return "---\nstatus: complete\n---\n# Post-mortem\n\n" + "".join(
        f"## {title}\n{filler}\n\n" for title in SECTIONS)


NOT_WRITTEN = {
    "link-reference comments": filled_with("[//]: # (TODO: write this)"),
    "hangul filler": filled_with("\u3164"),
    "zero-width and NBSP": filled_with("\u200b&nbsp;\u00a0"),
    "commented-out text": filled_with("<!--\nThe pool leaked connections.\n-->"),
    "nested headings, one line": "---\nstatus: complete\n---\n# Executive Summary\n"
                                 "## Timeline\n### Root Cause Analysis\n#### Action Items\n"
                                 "##### Lessons Learned\nok\n",
    "the spec-kit template as Prettier formats it":
        "---\nstatus: complete\n---\n" + (FIXTURES / "post-mortem-prettier.md").read_text(),
    "a compact template": "---\nstatus: complete\n---\n"
                          + (FIXTURES / "post-mortem-compact.md").read_text(),
    "placeholder action items": COMPLETE_POST_MORTEM.replace(
        "- [x] Add a regression test for the early return\n- [ ] Alert on pool saturation\n",
        "- [ ] **AI-001**: [Action item]\n  - **Owner**: [person]\n  - **Due**: [date]\n"),
}


# Which sections each case leaves unwritten (the rest hold real text).
UNWRITTEN = dict.fromkeys(NOT_WRITTEN, SECTIONS) | {
    "nested headings, one line": SECTIONS[:4], "placeholder action items": ("Action Items",)}


def unwritten(outcome: Outcome) -> set[str]:
    said = " ".join(str(f["message"]) for f in outcome.findings() if f["code"] == "HG201")
    return {title for title in SECTIONS if title in said}


@pytest.mark.parametrize("name", NOT_WRITTEN)
def test_a_post_mortem_that_renders_empty_blocks(tmp_path: Path, name: str) -> None:
    repo = build(tmp_path, yaml(**TESTED), NOT_WRITTEN[name])
    outcome, found = check(repo)
    assert outcome.code == 1
    assert {code for _, code, _, _ in found} == {"HG201"}
    assert all(path == "post-mortem.md" and blocking for path, _, _, blocking in found)
    assert unwritten(outcome) == set(UNWRITTEN[name])


# --- Markdown-only records ----------------------------------------------------------

def test_a_severity_inside_a_comment_is_no_severity(tmp_path: Path) -> None:
    hotfix = CLOSED.replace("**Severity**: [X] P0 (Critical - Service Down)",
                            "<!--\n**Severity**: [x] P0\n-->")
    outcome, found = check(build(tmp_path, hotfix.encode(), SPEC_KIT_COMPLETE))
    assert outcome.code == 1 and found == {("hotfix.md", "HG101", 1, True)}
    assert "severity is not set" in str(outcome.findings()[0]["message"])


def test_a_spec_kit_post_mortem_as_prettier_formats_it(tmp_path: Path) -> None:
    pretty = (FIXTURES / "post-mortem-prettier.md").read_text()
    outcome, found = check(build(tmp_path, CLOSED.encode(), pretty))
    assert outcome.code == 1 and {code for _, code, _, _ in found} == {"HG201"}
    assert unwritten(outcome) == set(SECTIONS)


def test_a_record_without_a_hotfix_id_line_is_judged(tmp_path: Path) -> None:
    outcome, found = check(build(tmp_path, (FIXTURES / "no-id" / "hotfix.md").read_bytes(),
                                 TEMPLATE_POST_MORTEM.read_text()))
    assert outcome.code == 1
    assert {code for _, code, _, _ in found} == {"HG201", "HG202"}
    hg202 = next(f for f in outcome.findings() if f["code"] == "HG202")
    assert "hotfix-gate migrate --write" in str(hg202["fix"])  # its template has no such line


def test_times_a_script_stamped_do_not_start_the_clock(tmp_path: Path) -> None:
    stamped = (FIXTURES / "stamped" / "hotfix.md").read_text().replace("hotfix-008", "hotfix-001")
    _, found = check(build(tmp_path, stamped.encode(), TEMPLATE_POST_MORTEM.read_text()))
    # The incident reads as still open: the merge gates speak (no rollback plan, no
    # resolution after 72 hours), but no post-incident duty is due.
    assert {code for _, code, _, _ in found} == {"HG001", "HG102", "HG103", "HG204"}
    assert {line for _, code, line, _ in found if code == "HG001"} == {14, 15}
    assert all(not blocking for _, code, _, blocking in found if code == "HG001")


def test_as_a_real_process(tmp_path: Path) -> None:
    repo = build(tmp_path, HIDDEN["a zero-width space"])
    done = run_gate(repo, "check", "--now", NOW)
    assert done.returncode == 1
    assert done.stdout.splitlines()[0] == (
        f"{FOLDER}/hotfix.md:1: HG001 record-valid: invisible characters (a second BOM, a "
        "zero-width space) stand before the front matter's `---`; make the `---` line the very "
        "first line: delete what is before it")


@pytest.mark.parametrize("name", ["a second BOM", "a blank line"])
def test_the_server_refuses_them_too(tmp_path: Path, name: str) -> None:
    repo, remote = make_pushing_clone(tmp_path, pre_push=False, pre_receive=True)
    server_clock(remote, NOW)
    folder = repo / FOLDER
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_bytes(HIDDEN[name])
    (folder / "post-mortem.md").write_text(DRAFT_POST_MORTEM)
    commit_all(repo, "hotfix-001")
    before = remote_sha(remote, "refs/heads/main")
    done = push(repo, "origin", "main", now=NOW)
    assert done.returncode != 0 and remote_sha(remote, "refs/heads/main") == before
    assert f"{FOLDER}/hotfix.md:1: HG001 record-valid: " in done.stderr, done.stderr
    assert "HG202 regression-test" in done.stderr  # the YAML was read: the duties are due
