"""`hotfix-gate status` on real repositories: the table, the JSON, and
`--overdue` exiting 1 exactly when a post-incident deadline has passed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from testing.cli import gate
from testing.repos import (
    COMPLETE_POST_MORTEM,
    clean_env,
    commit_all,
    git,
    run_gate,
    write_record,
)

RESOLVED = "2025-10-01T16:00:00Z"
AT_47H = "2025-10-03T15:00:00Z"
AT_49H = "2025-10-03T17:00:00Z"


def rows(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, dict[str, object]]:
    code, out, err = gate(capsys, "status", "--format", "json", *args)
    assert code == 0, err
    return {row["id"]: row for row in json.loads(out)}


def resolved_record(repo: Path, number: int = 1, **fields: Any) -> None:
    fields = {"severity": "P1", "status": "resolved", "rollback_plan": "revert",
              "deployed_at": "2025-10-01T15:00:00Z", "resolved_at": RESOLVED, **fields}
    write_record(repo, number, **fields)


# -- --overdue ---------------------------------------------------------------------


def test_overdue_exit_is_1_exactly_when_the_deadline_has_passed(
        here: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    resolved_record(here)
    monkeypatch.setenv("HOTFIX_GATE_NOW", AT_47H)
    code, out, _ = gate(capsys, "status", "--overdue")
    assert code == 0
    assert out.strip() == "nothing is overdue or invalid (1 record)"
    monkeypatch.setenv("HOTFIX_GATE_NOW", AT_49H)
    code, out, _ = gate(capsys, "status", "--overdue")
    assert code == 1
    assert "post-mortem+test OVERDUE by 1h, due 2025-10-03 16:00Z" in out
    # `check` agrees: the same deadline blocks there.
    assert gate(capsys, "check")[0] == 1


def test_without_the_flag_status_exits_0_even_when_overdue(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here)
    code, out, _ = gate(capsys, "status", "--now", AT_49H)
    assert code == 0 and "OVERDUE" in out


def test_waived_gates_are_not_overdue(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here, waivers=[
        {"gate": "post-mortem", "reason": "joint review with vendor", "by": "Lead <l@x>",
         "at": "2025-10-02T00:00:00Z"},
        {"gate": "HG202", "reason": "covered by contract tests", "by": "Lead <l@x>",
         "at": "2025-10-02T00:00:00Z", "until": "2025-10-10T00:00:00Z"},
    ])
    code, out, _ = gate(capsys, "status", "--overdue", "--now", AT_49H)
    assert (code, out.strip()) == (0, "nothing is overdue or invalid (1 record)")
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert row["overdue"] is False
    assert {g: d["state"] for g, d in row["deadlines"].items()} == {  # type: ignore[attr-defined]
        "post-mortem": "waived", "regression-test": "waived", "open-incident": "met"}
    assert [w["gate"] for w in row["waivers"]] == ["post-mortem", "regression-test"]  # type: ignore[attr-defined]
    # Once the test waiver expires, the test is overdue again.
    assert gate(capsys, "status", "--overdue", "--now", "2025-10-10T00:00:00Z")[0] == 1


def test_a_waiver_the_configuration_forbids_does_not_help(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text("gates: {post-mortem: {waivable: false}}\n")
    resolved_record(here, regression_tests=[], waivers=[
        {"gate": "post-mortem", "reason": "no time", "by": "bo", "at": "2025-10-02T00:00:00Z"},
        {"gate": "regression-test", "reason": "no time", "by": "bo",
         "at": "2025-10-02T00:00:00Z"}])
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert row["deadlines"]["post-mortem"]["state"] == "overdue"  # type: ignore[index]
    assert gate(capsys, "status", "--overdue", "--now", AT_49H)[0] == 1


def test_lifecycle_commands_feed_status(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A responder's flow: log updates while it burns, then waive the late gates."""
    write_record(here, 1, severity="P1", incident_start="2025-10-01T14:00:00Z")
    assert gate(capsys, "log", "--id", "1", "--at", "2025-10-01T14:40:00Z", "rolled back")[0] == 0
    row = rows(capsys, "--now", "2025-10-01T15:00:00Z")["hotfix-001"]
    assert (row["last_update"], row["minutes_since_update"]) == ("2025-10-01T14:40:00Z", 20)
    resolved_record(here)
    for name in ("post-mortem", "regression-test"):
        code, _, err = gate(capsys, "waive", name, "--id", "1", "--reason", "incident review "
                            "moved to the quarterly", "--at", "2025-10-03T16:30:00Z")
        assert code == 0, err
    assert gate(capsys, "status", "--overdue", "--now", AT_49H)[0] == 0
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert [w["gate"] for w in row["waivers"]] == ["post-mortem", "regression-test"]  # type: ignore[attr-defined]


def test_met_gates_are_not_overdue(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / "tests").mkdir()
    (here / "tests" / "test_pool.py").write_text("def test_release_on_early_return():\n    ...\n")
    resolved_record(here, post_mortem=COMPLETE_POST_MORTEM,
                    regression_tests=["tests/test_pool.py::test_release_on_early_return"])
    assert gate(capsys, "status", "--overdue", "--now", AT_49H)[0] == 0
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert (row["post_mortem"], row["regression_tests"], row["next_deadline"]) == (
        "complete", "listed", None)


def test_deadlines_follow_the_configuration(here: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text(
        "deadlines: {post-mortem: 24h}\ngates: {regression-test: off}\n")
    resolved_record(here)
    row = rows(capsys, "--now", "2025-10-02T17:00:00Z")["hotfix-001"]
    assert row["deadlines"] == {
        "post-mortem": {"due": "2025-10-02T16:00:00Z", "state": "overdue", "minutes_left": -60},
        "regression-test": {"due": "2025-10-03T16:00:00Z", "state": "off",
                            "minutes_left": 1380},
        "open-incident": {"due": "2025-10-04T14:00:00Z", "state": "met", "minutes_left": None}}
    (here / ".hotfix-gates.yaml").write_text("gates: {post-mortem: off, regression-test: off}\n")
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert (row["overdue"], row["next_deadline"]) == (False, None)
    assert gate(capsys, "status", "--overdue", "--now", AT_49H)[0] == 0


# -- the row ----------------------------------------------------------------------------


def test_json_rows(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here, 1, regression_tests=["tests/test_gone.py"])
    open_record = write_record(
        here, 2, slug="checkout-timeouts", severity="P0", incident_start="2025-10-03T09:00:00Z",
        detected_at="2025-10-03T09:04:00Z",
        body="\n## Timeline\n| Time | Update |\n| --- | --- |\n"
             "| 2025-10-03T09:10:00Z | paged the on-call |\n"
             "| 2025-10-03T09:20:00Z | rolled back |\n")
    open_record.post_mortem.unlink()
    found = rows(capsys, "--now", "2025-10-03T10:00:00Z")
    assert list(found) == ["hotfix-001", "hotfix-002"]
    done, going = found["hotfix-001"], found["hotfix-002"]
    assert set(done) == {
        "id", "path", "title", "severity", "status", "valid", "open", "incident_start",
        "age_minutes", "duration_minutes", "next_deadline", "deadlines", "overdue",
        "post_mortem", "regression_tests", "waivers", "last_update", "minutes_since_update",
        "problems"}
    assert (done["open"], done["duration_minutes"], done["age_minutes"]) == (False, 120, None)
    assert (done["post_mortem"], done["regression_tests"]) == ("draft", "missing")
    assert done["next_deadline"] == {"gate": "post-mortem", "due": "2025-10-03T16:00:00Z",
                                     "state": "pending", "minutes_left": 360}
    assert done["minutes_since_update"] is None
    assert (going["open"], going["age_minutes"], going["duration_minutes"]) == (True, 60, None)
    assert (going["post_mortem"], going["regression_tests"]) == ("missing", "none")
    assert going["next_deadline"] == {"gate": "open-incident", "due": "2025-10-06T09:00:00Z",
                                      "state": "pending", "minutes_left": 4260}
    deadlines: dict[str, dict[str, object]] = going["deadlines"]  # type: ignore[assignment]
    assert (deadlines["post-mortem"]["state"], deadlines["regression-test"]["state"]) == (
        "not-started", "not-started")
    assert deadlines["open-incident"] == {"due": "2025-10-06T09:00:00Z", "state": "pending",
                                          "minutes_left": 4260}
    assert (going["last_update"], going["minutes_since_update"]) == ("2025-10-03T09:20:00Z", 40)


def test_last_update_falls_back_to_timestamps(here: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1, detected_at="2025-10-01T14:10:00Z")
    row = rows(capsys, "--now", "2025-10-01T14:30:00Z")["hotfix-001"]
    assert (row["last_update"], row["minutes_since_update"]) == ("2025-10-01T14:10:00Z", 20)


def test_text_table_fits_100_columns(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here, 1)
    write_record(here, 12, slug="login-errors", incident_start="2025-10-03T16:00:00Z")
    code, out, _ = gate(capsys, "status", "--now", "2025-10-03T17:00:00Z")
    lines = out.splitlines()
    assert code == 0
    assert max(len(line) for line in lines) <= 100
    assert lines[0].split()[:3] == ["ID", "SEV", "STATUS"]
    column = lines[0].index("NEXT DEADLINE")
    # A row, its title, its details.
    assert lines[1].startswith("hotfix-001  P1   resolved")
    assert lines[1][column:] == "post-mortem+test OVERDUE by 1h, due 2025-10-03 16:00Z"
    assert lines[2] == "    database connection pool"
    assert lines[3] == "    post-mortem draft, tests none"
    assert lines[4].startswith("hotfix-012  -    investigating")
    assert lines[4][column:] == "resolution in 2d 23h, due 2025-10-06 16:00Z"
    assert lines[5] == "    login errors"
    assert lines[6].endswith("last update 1h ago (stale)")
    assert lines[-1] == "2 records, 1 overdue"


def test_invalid_record_is_shown_not_hidden(here: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here, 1, resolved_at="last night")
    row = rows(capsys, "--now", AT_49H)["hotfix-001"]
    assert row["valid"] is False
    code, out, _ = gate(capsys, "status", "--now", AT_49H)
    assert code == 0 and out.splitlines()[1].split()[:3] == ["hotfix-001", "P1", "INVALID"]
    assert out.splitlines()[3] == ("    1 HG001 problem: run `hotfix-gate check --id hotfix-001`; "
                                   "post-mortem draft")
    # A scheduled nag must not miss the record that needs a human.
    assert gate(capsys, "status", "--overdue", "--now", AT_49H)[0] == 1


def test_unreadable_record_has_no_deadline(here: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (here / "specs" / "hotfix" / "003-half-written").mkdir(parents=True)
    row = rows(capsys, "--now", AT_49H)["hotfix-003"]
    assert (row["valid"], row["overdue"], row["next_deadline"], row["age_minutes"]) == (
        False, False, None, None)
    assert {d["state"] for d in row["deadlines"].values()} == {"invalid"}  # type: ignore[attr-defined]
    code, out, _ = gate(capsys, "status", "--now", AT_49H)
    assert code == 0 and out.splitlines()[1].split()[:4] == ["hotfix-003", "-", "INVALID", "?"]
    assert out.splitlines()[3].startswith("    1 HG001 problem: run `hotfix-gate check --id "
                                          "hotfix-003`")


def test_a_record_whose_yaml_breaks_keeps_its_id_and_the_table_its_width(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A colon in a title edited by hand: the row is `hotfix-002`, as `--id`
    takes it, not the folder's name, and the due time of the others is not cut."""
    resolved_record(here, 1)
    record = write_record(here, 2, "search-returns-empty-results", severity="P1").hotfix
    text = record.read_text()
    record.write_text(text.replace("title: search returns empty results",
                                   "title: search: returns empty results"))
    code, out, _ = gate(capsys, "status", "--now", AT_49H)
    lines = out.splitlines()
    assert code == 0 and all(len(line) <= 100 for line in lines)
    assert lines[1].endswith("post-mortem+test OVERDUE by 1h, due 2025-10-03 16:00Z")
    assert lines[4].split()[:3] == ["hotfix-002", "-", "INVALID"]
    assert lines[6] == ("    1 HG001 problem: run `hotfix-gate check --id hotfix-002`; "
                        "post-mortem draft")
    assert "stale" not in out and "last update" not in lines[6]


def test_rev_reads_a_commit(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    resolved_record(here, 1)
    commit_all(here, "record")
    resolved_record(here, 2)  # only in the working tree
    assert list(rows(capsys, "--rev", "HEAD", "--now", AT_47H)) == ["hotfix-001"]
    assert list(rows(capsys, "--now", AT_47H)) == ["hotfix-001", "hotfix-002"]


def test_no_records(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gate(capsys, "status") == (0, "no hotfix records\n", "")
    assert gate(capsys, "status", "--format", "json") == (0, "[]\n", "")


# -- tool errors -----------------------------------------------------------------------------


def test_bad_now_is_a_tool_error(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(capsys, "status", "--overdue", "--now", "tomorrow")
    assert code == 2
    assert err.startswith("hotfix-gate: error: --now: 'tomorrow' is not an ISO 8601 timestamp")


def test_bad_configuration_is_a_tool_error(here: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: soon}\n")
    code, out, err = gate(capsys, "status", "--overdue")
    assert (code, out) == (2, "")
    assert err.startswith("hotfix-gate: error: .hotfix-gates.yaml:1:") and "soon" in err


def test_outside_a_repository_is_a_tool_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys, "status", "--overdue")
    assert code == 2 and "not a git repository" in err


def test_scheduled_ci_job_as_a_real_process(repo: Path) -> None:
    """What a nightly job runs: the real console entry, the clock from the environment."""
    resolved_record(repo)
    commit_all(repo, "record")
    git(repo, "status")  # the repository is real and clean
    late = run_gate(repo, "status", "--overdue", env=clean_env(HOTFIX_GATE_NOW=AT_49H))
    assert late.returncode == 1, late.stderr
    assert "hotfix-001" in late.stdout and "OVERDUE" in late.stdout
    fine = run_gate(repo, "status", "--overdue", env=clean_env(HOTFIX_GATE_NOW=AT_47H))
    assert (fine.returncode, fine.stdout.strip()) == (0, "nothing is overdue or invalid (1 record)")


def test_overdue_never_says_nothing_is_invalid_when_the_records_cannot_be_read(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A specs folder spelled in another case hides every record from the
    server: `status --overdue` exits 1 and its line says why, not "nothing
    is overdue or invalid"."""
    resolved_record(here)
    (here / "specs").rename(here / "Specs")
    code, out, err = gate(capsys, "status", "--overdue", "--now", AT_49H)
    assert code == 1
    assert out.strip() == ("no record is overdue (0 records), but the records cannot all be "
                           "read: 1 problem above")
    assert "HG001 record-valid: Specs differs from specs only in case" in err


def test_status_names_what_it_read_that_is_not_committed(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """status reads the working tree, a push reads commits: the same note as check."""
    resolved_record(here, 1, regression_tests=["tests/test_pool.py"])
    commit_all(here, "record")
    (here / "tests").mkdir()
    (here / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    code, out, err = gate(capsys, "status", "--now", AT_47H)
    assert code == 0 and "tests listed" in out
    assert err == ("hotfix-gate: note: not committed yet, and the hooks judge commits: "
                   "tests/test_pool.py; commit them (`hotfix-gate check --rev HEAD` judges "
                   "what a push would)\n")
    assert gate(capsys, "status", "--rev", "HEAD", "--now", AT_47H)[2] == ""
    commit_all(here, "the test")
    assert gate(capsys, "status", "--now", AT_47H)[2] == ""
