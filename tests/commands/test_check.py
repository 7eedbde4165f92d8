"""`hotfix-gate check --id` and `--current`: one record, judged exactly as a
full check judges it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.cli import gate
from testing.repos import COMPLETE_POST_MORTEM, commit_all, git, write_record

NOW = "2025-10-10T00:00:00Z"


@pytest.fixture
def records(here: Path) -> Path:
    """Four records: unassessed, ready to merge, overdue post-incident work,
    and overdue work that is done."""
    write_record(here, 1, "pool")
    write_record(here, 2, "cache", severity="P0", rollback_plan="git revert abc",
                 incident_start="2025-10-09T00:00:00Z")
    write_record(here, 3, "dns", severity="P1", rollback_plan="revert", reviewed_by="Ana",
                 status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z")
    (here / "tests").mkdir()
    (here / "tests/test_dns.py").write_text("def test_resolves():\n    assert True\n")
    write_record(here, 4, "queue", severity="P2", rollback_plan="revert", reviewed_by="Ana",
                 status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z", post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_dns.py::test_resolves"])
    return here


def findings(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict[str, object]]]:
    code, out, _ = gate(capsys, "check", "--now", NOW, "--format", "json", *args)
    return code, json.loads(out)["findings"]


def test_one_record_gets_the_full_checks_verdict(records: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    _, everything = findings(capsys)
    verdicts = {}
    for number, folder in ((1, "001-pool"), (2, "002-cache"), (3, "003-dns"), (4, "004-queue")):
        code, own = findings(capsys, "--id", f"hotfix-{number:03d}")
        assert own == [f for f in everything if f"/{folder}/" in str(f["path"])]
        verdicts[number] = code
    assert verdicts == {1: 1, 2: 0, 3: 1, 4: 0}


def test_overdue_work_blocks_the_one_record_check(records: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, own = findings(capsys, "--id", "3")
    assert code == 1
    assert {f["code"] for f in own} == {"HG201", "HG202"}


def test_a_number_used_twice_is_reported_for_the_one_record(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 5, "first", severity="P0", rollback_plan="revert",
                 incident_start="2025-10-09T00:00:00Z")
    write_record(here, 5, "second", severity="P0", rollback_plan="revert",
                 incident_start="2025-10-09T01:00:00Z")
    _, everything = findings(capsys)
    code, own = findings(capsys, "--id", "5")
    assert code == 1 and own == everything
    assert [(f["code"], f["path"]) for f in own] == [
        ("HG301", "specs/hotfix/005-second/hotfix.md")]


def test_current_follows_the_hotfix_branch(records: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    commit_all(records)
    git(records, "checkout", "-q", "-b", "hotfix/002-cache")
    code, out, err = gate(capsys, "check", "--now", NOW, "--current")
    assert (code, err) == (0, "")
    assert out == "hotfix-gate: passed: 0 blocking, 0 warnings in 1 record\n"
    git(records, "checkout", "-q", "-b", "hotfix/001-pool-again")
    code, out, err = gate(capsys, "check", "--now", NOW, "--current")
    assert code == 1 and "001-pool/hotfix.md:5: HG101" in out and "002-cache" not in out
    assert "rerun `hotfix-gate check --current`" in err


def test_current_falls_back_to_the_environment(records: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SPECIFY_HOTFIX", "hotfix-001")
    code, out, _ = gate(capsys, "check", "--now", NOW, "--current")
    assert code == 1 and "in 1 record" in out


def test_no_hotfix_in_progress_judges_nothing(records: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gate(capsys, "check", "--now", NOW, "--current")
    assert code == 0 and out == "hotfix-gate: passed: 0 blocking, 0 warnings in 0 records\n"
    assert "no hotfix in progress" in err and "SPECIFY_HOTFIX" in err


def test_id_reads_the_commit_with_rev(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commit_all(records)
    write_record(records, 1, "pool", severity="P0", rollback_plan="revert",
                 incident_start="2025-10-09T00:00:00Z")
    assert gate(capsys, "check", "--now", NOW, "--id", "1")[0] == 0
    assert gate(capsys, "check", "--now", NOW, "--id", "1", "--rev", "HEAD")[0] == 1


@pytest.mark.parametrize(("args", "message"), [
    (("--id", "9"), "no hotfix record numbered 009 under specs/hotfix in working tree "
                    "(from --id 9)"),
    (("--id", "nine"), "'nine' is not a hotfix id"),
    (("--id", "1", "--current"), "choose one of --id and --current"),
])
def test_refusals_are_one_line(records: Path, capsys: pytest.CaptureFixture[str],
                               args: tuple[str, ...], message: str) -> None:
    code, out, err = gate(capsys, "check", *args)
    assert code == 2 and out == ""
    assert err.startswith("hotfix-gate: error: ") and message in err
    assert err.count("\n") == 1


def test_records_of_the_speckit_workflow_one_by_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """Markdown-only records, the older `specs/hotfix-NNN-slug` layout and a
    stray `.bak` copy of a folder: each record alone, as the full check sees it."""
    from testing import legacy_repo

    repo = legacy_repo.build(tmp_path / "service")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("SPECIFY_HOTFIX", raising=False)
    late = ("--now", legacy_repo.LATE, "--format", "json")
    everything = json.loads(gate(capsys, "check", *late)[1])["findings"]
    for number in range(1, 8):
        own = json.loads(gate(capsys, "check", *late, "--id", str(number))[1])["findings"]
        folder = f"{number:03d}-" if number != 4 else "hotfix-004-"
        assert own == [f for f in everything if f"/{folder}" in f["path"]], number
    assert any(f["code"] == "HG101" for f in everything)  # the comparison saw findings


@pytest.mark.parametrize(("environ", "given", "expected"), [
    ({}, (None, None), (None, None)),  # a check of the working tree, as configured
    ({"CI": "false"}, (None, None), (None, None)),
    ({"PRE_COMMIT_FROM_REF": "origin/main", "PRE_COMMIT_TO_REF": "HEAD", "CI": "true"},
     (None, None), ("HEAD", "origin/main")),
    ({"PRE_COMMIT_FROM_REF": "origin/main", "PRE_COMMIT_TO_REF": "abc"}, ("x", "origin/y"),
     ("x", "origin/y")),  # what the hook's args say wins
    ({"CI": "true"}, (None, "origin/main"), (None, "origin/main")),
])
def test_pre_commit_refs(environ: dict[str, str], given: tuple[str | None, str | None],
                         expected: tuple[str | None, str | None]) -> None:
    from hotfix_gates.commands.check import pre_commit_refs

    assert pre_commit_refs(environ, *given) == expected


def test_pre_commit_refs_refuse_a_ci_job_without_a_base() -> None:
    from hotfix_gates.commands.check import pre_commit_refs
    from hotfix_gates.model.errors import ToolError

    with pytest.raises(ToolError, match="in CI, judge with the target's configuration"):
        pre_commit_refs({"CI": "1", "PRE_COMMIT_TO_REF": "HEAD"}, None, None)


def test_the_rerun_hint_keeps_the_base(records: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Judged as a merge into main with main's configuration: the command to
    run again after the fix is the same judgement, not a plain check."""
    commit_all(records)
    git(records, "branch", "target")
    code, _, err = gate(capsys, "check", "--now", NOW, "--base", "target")
    assert code == 1 and err.endswith("then rerun `hotfix-gate check --base target`\n")
