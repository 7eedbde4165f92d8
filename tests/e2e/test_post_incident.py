"""`regression-test` and `post-mortem-complete`: the post-incident work,
recorded and dated by command so `report` can tell on time from late."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.cli import gate
from testing.edits import commit_hint, line_diff, without_notes, write_commented_record
from testing.repos import COMPLETE_POST_MORTEM, DRAFT_POST_MORTEM

FOLDER = "specs/hotfix/001-database-connection-pool"
RESOLVED = "2025-10-01T15:00:00Z"


@pytest.fixture
def resolved(here: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A record resolved at RESOLVED, with a draft post-mortem; its folder."""
    folder = write_commented_record(here).folder
    code, _, err = gate(capsys, "resolved", "--at", RESOLVED, "--id", "1")
    assert code == 0, err
    return folder


def refused(capsys: pytest.CaptureFixture[str], files: list[Path], *args: str) -> str:
    before = [path.read_bytes() for path in files]
    code, out, err = gate(capsys, *args)
    err = without_notes(err)
    assert (code, out) == (2, ""), err
    assert [path.read_bytes() for path in files] == before
    assert err.startswith("hotfix-gate: error: ") and err.count("\n") == 1, err
    return err


def report_counts(capsys: pytest.CaptureFixture[str], now: str) -> tuple[object, object]:
    code, out, err = gate(capsys, "report", "--format", "json", "--now", now)
    assert code == 0, err
    totals = json.loads(out)["totals"]
    return totals["post_mortems"], totals["regression_tests"]


# -- regression-test ---------------------------------------------------------------

def test_regression_test_is_listed_and_dated_once(
        resolved: Path, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "tests").mkdir()
    (here / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    hotfix = resolved / "hotfix.md"
    before = hotfix.read_bytes()
    code, out, err = gate(capsys, "regression-test", "tests/test_pool.py::test_release",
                          "--at", "2025-10-02T09:00:00Z", "--id", "1")
    assert code == 0
    assert err == ("hotfix-gate: note: tests/test_pool.py is not committed yet, and HG202 "
                   "counts it only once it is: `git add tests/test_pool.py && git commit`\n"
                   + commit_hint(
                       "hotfix-001: regression test tests/test_pool.py::test_release",
                       f"{FOLDER}/hotfix.md", new=True))
    assert out == (f"{FOLDER}/hotfix.md: regression_tests: + tests/test_pool.py::test_release, "
                   "regression_tests_added_at: null -> 2025-10-02T09:00:00Z\n")
    removed, added = line_diff(before, hotfix.read_bytes())
    assert removed == [b"regression_tests: []\n"]
    assert added == [b"regression_tests:\n", b"- tests/test_pool.py::test_release\n",
                     b"regression_tests_added_at: 2025-10-02T09:00:00Z\n"]

    # A second test keeps the first date; the same test twice changes nothing.
    code, out, _ = gate(capsys, "regression-test", "./tests//test_pool.py", "--id", "1")
    assert code == 0 and out.endswith("regression_tests: + tests/test_pool.py\n")
    after = hotfix.read_bytes()
    code, out, _ = gate(capsys, "regression-test", "tests/test_pool.py", "--id", "1")
    assert code == 0 and out.endswith("tests/test_pool.py is already listed (unchanged)\n")
    assert hotfix.read_bytes() == after
    assert b"regression_tests_added_at: 2025-10-02T09:00:00Z\n" in after


def test_regression_test_not_in_the_tree_yet_is_refused_unless_not_yet(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, [resolved / "hotfix.md"], "regression-test",
                  "tests/test_pool.py::test_release", "--id", "1")
    assert err == ("hotfix-gate: error: tests/test_pool.py does not exist; check it, or pass "
                   "--not-yet to list a test not written yet\n")
    code, _, err = gate(capsys, "regression-test", "tests/test_pool.py::test_release",
                        "--not-yet", "--id", "1")
    assert code == 0
    assert err.startswith("hotfix-gate: note: tests/test_pool.py does not exist; HG202 counts "
                          "the test once it is written and committed\n")
    assert b"- tests/test_pool.py::test_release\n" in (resolved / "hotfix.md").read_bytes()


@pytest.mark.parametrize(("test", "message"), [
    ("/etc/passwd", "/etc/passwd is outside the repository"),
    ("../outside.py", "../outside.py is outside the repository"),
    ("::test_x", "give the test as PATH or PATH::NAME"),
    ("tests/a.py\nseverity: P0", "give the test as PATH or PATH::NAME"),
    (".git/config", "'.git/config' is inside .git, not the tree"),
])
def test_regression_test_refusals(resolved: Path, capsys: pytest.CaptureFixture[str],
                                  test: str, message: str) -> None:
    err = refused(capsys, [resolved / "hotfix.md"], "regression-test", test, "--id", "1")
    assert message in err


def test_regression_test_before_the_incident_is_refused(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, [resolved / "hotfix.md"], "regression-test", "tests/t.py",
                  "--at", "2020-01-01T00:00:00Z", "--not-yet", "--id", "1")
    assert "is before incident_start" in err


# -- post-mortem-complete ------------------------------------------------------------

def test_unwritten_sections_are_named_and_nothing_changes(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(capsys, [resolved / "post-mortem.md", resolved / "hotfix.md"],
                  "post-mortem-complete", "--id", "1")
    assert err == (f"hotfix-gate: error: {FOLDER}/post-mortem.md: 'Executive Summary', "
                   "'Timeline', 'Root Cause Analysis', 'Action Items', 'Lessons Learned' not "
                   "written yet (template guidance does not count); write them, then run this "
                   "again\n")


def test_complete_changes_only_the_front_matter_lines(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    post = resolved / "post-mortem.md"
    written = COMPLETE_POST_MORTEM.replace("status: complete", "status: draft  # keep me")
    post.write_bytes(written.replace("\n", "\r\n").encode())
    code, out, err = gate(capsys, "post-mortem-complete", "--at", "2025-10-02T10:00:00Z",
                          "--id", "1")
    assert (code, err) == (0, commit_hint("hotfix-001: post-mortem complete",
                                          f"{FOLDER}/post-mortem.md", new=True))
    assert out == (f"{FOLDER}/post-mortem.md: status: draft -> complete, "
                   "completed_at: null -> 2025-10-02T10:00:00Z\n")
    removed, added = line_diff(written.replace("\n", "\r\n").encode(), post.read_bytes())
    assert removed == [b"status: draft  # keep me\r\n"]
    assert added == [b"status: complete  # keep me\r\n", b"completed_at: 2025-10-02T10:00:00Z\r\n"]

    after = post.read_bytes()
    code, out, _ = gate(capsys, "post-mortem-complete", "--id", "1")
    assert code == 0 and out == f"{FOLDER}/post-mortem.md: already complete (unchanged)\n"
    assert post.read_bytes() == after


def test_complete_before_the_resolution_is_refused(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (resolved / "post-mortem.md").write_text(COMPLETE_POST_MORTEM)
    err = refused(capsys, [resolved / "post-mortem.md"], "post-mortem-complete",
                  "--at", "2025-10-01T14:00:00Z", "--id", "1")
    assert f"would be before the resolution {RESOLVED}" in err


@pytest.mark.parametrize(("content", "message"), [
    (None, "post-mortem.md is missing or not a regular file"),
    (COMPLETE_POST_MORTEM.split("---\n", 2)[2], "post-mortem.md has no front matter"),
    ("---\nstatus: [draft\n---\n", "post-mortem.md:2: "),
])
def test_a_post_mortem_that_cannot_be_marked(
        resolved: Path, capsys: pytest.CaptureFixture[str], content: str | None,
        message: str) -> None:
    post = resolved / "post-mortem.md"
    if content is None:
        post.unlink()
    else:
        post.write_text(content)
    err = refused(capsys, [resolved / "hotfix.md"], "post-mortem-complete", "--id", "1")
    assert message in err


# -- the dates reach the report -------------------------------------------------------

def test_report_counts_dated_work_on_time_and_late(
        resolved: Path, here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "tests").mkdir()
    (here / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    (resolved / "post-mortem.md").write_text(DRAFT_POST_MORTEM)
    later = "2025-10-10T00:00:00Z"
    done, tests = report_counts(capsys, later)
    assert done == {"on_time": 0, "late": 0, "overdue": 1, "pending": 0, "undated": 0}
    assert tests == done

    (resolved / "post-mortem.md").write_text(COMPLETE_POST_MORTEM.replace("complete", "draft"))
    assert gate(capsys, "post-mortem-complete", "--at", "2025-10-02T15:00:00Z",
                "--id", "1")[0] == 0  # inside the 48 hours
    assert gate(capsys, "regression-test", "tests/test_pool.py::test_release",
                "--at", "2025-10-04T00:00:00Z", "--id", "1")[0] == 0  # after them
    done, tests = report_counts(capsys, later)
    assert done == {"on_time": 1, "late": 0, "overdue": 0, "pending": 0, "undated": 0}
    assert tests == {"on_time": 0, "late": 1, "overdue": 0, "pending": 0, "undated": 0}
