"""`new`: one record per open incident, the configured deadlines in every
word it writes, and --commit on the new branch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfix_gates.editing.templates import TEMPLATE_FILES
from testing.cli import gate
from testing.edits import without_notes
from testing.repos import git, make_repo

DESCRIPTION = "database connection pool exhausted causing 503 errors"
FIRST = "specs/hotfix/001-database-connection-pool"


def new(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code, out, err = gate(capsys, "new", *args)
    return code, out, without_notes(err)


def test_the_same_incident_twice_is_refused_until_resolved_or_anyway(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert new(capsys, "--no-branch", DESCRIPTION)[0] == 0
    code, out, err = new(capsys, "--no-branch", "Database connection pool: exhausted again")
    assert (code, out) == (2, "")
    assert err == (f"hotfix-gate: error: hotfix-001 is still open for this incident ({FIRST}); "
                   "use it (--id), or pass --anyway to open another\n")
    code, out, _ = new(capsys, "--no-branch", "--anyway", DESCRIPTION)
    assert code == 0 and "Opened hotfix-002" in out
    # Once both are resolved, the same words open a new record without a question.
    assert gate(capsys, "resolved", "--id", "1")[0] == 0
    assert new(capsys, "--no-branch", DESCRIPTION)[2].startswith("hotfix-gate: error: hotfix-002")
    assert gate(capsys, "resolved", "--id", "2")[0] == 0
    code, out, _ = new(capsys, "--no-branch", DESCRIPTION)
    assert code == 0 and "Opened hotfix-003" in out


def test_a_teammates_open_branch_counts(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    origin = make_repo(tmp_path / "origin")
    monkeypatch.chdir(origin)
    assert new(capsys, "--commit", DESCRIPTION)[0] == 0  # on branch hotfix/001-...
    git(origin, "checkout", "-q", "main")
    mine = tmp_path / "mine"
    git(tmp_path, "clone", "-q", str(origin), str(mine))
    monkeypatch.chdir(mine)
    code, _, err = new(capsys, DESCRIPTION)
    assert code == 2 and err == (
        "hotfix-gate: error: hotfix-001 is still open for this incident (branch "
        "origin/hotfix/001-database-connection-pool); use it (--id), or pass --anyway to open "
        "another\n")
    assert not (mine / "specs").exists()


def test_severity_is_named_plainly(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = new(capsys, "--severity", "critical", DESCRIPTION)
    assert code == 2 and err == ("hotfix-gate: error: severity must be P0, P1 or P2, not "
                                 "'critical'\n")
    assert new(capsys, "--severity", "p1", "--json", DESCRIPTION)[0] == 0


def test_configured_deadlines_everywhere(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text(
        "deadlines: {post-mortem: 72h, regression-test: 24h, resolution: 12h}\n")
    code, out, _ = new(capsys, "--no-branch", DESCRIPTION)
    assert code == 0
    assert "(within 12 hours of the start)" in out
    assert "  6. Within 24 hours of resolution: a regression test" in out
    assert "  7. Within 72 hours of resolution: post-mortem.md" in out
    assert all(len(line) <= 100 for line in out.splitlines()), out
    written = "".join((here / FIRST / name).read_text() for name in TEMPLATE_FILES)
    for default in ("48 hours", "48-hour", "72 hours of the start"):
        assert default not in written, default
    assert "within 12 hours of the start" in written
    assert "The 72-hour rule" in written and "within 24 hours" in written


def test_commit_puts_the_record_on_the_new_branch_alone(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "app.py").write_text("work in progress\n")
    git(here, "add", "app.py")
    code, out, _ = new(capsys, "--commit", DESCRIPTION)
    assert code == 0
    assert out.splitlines()[-1] == (
        "committed " + git(here, "rev-parse", "--short", "HEAD").stdout.strip()
        + " on hotfix/001-database-connection-pool: hotfix-001: open the record: " + DESCRIPTION)
    files = git(here, "show", "--name-only", "--format=", "HEAD").stdout.split()
    assert files == sorted(f"{FIRST}/{name}" for name in TEMPLATE_FILES)
    assert git(here, "diff", "--cached", "--name-only").stdout.split() == ["app.py"]
    assert git(here, "rev-parse", "HEAD~1").stdout == git(here, "rev-parse", "main").stdout


def test_json_with_commit_keeps_stdout_json(here: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = new(capsys, "--json", "--commit", DESCRIPTION)
    assert code == 0 and json.loads(out)["id"] == "hotfix-001"
    assert err.startswith("committed ")
