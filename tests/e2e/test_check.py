"""`hotfix-gate check` as a user runs it: output formats, --rev, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from testing.cli import gate
from testing.repos import clean_env, commit_all, git, make_repo, run_gate, write_record

# The day after the incidents these records describe: the merge gates decide.
NEXT_DAY = "2025-10-02T12:00:00Z"


@pytest.fixture(autouse=True)
def next_day(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    if "here" in request.fixturenames:
        request.getfixturevalue("here")  # which clears the clock first
    monkeypatch.setenv("HOTFIX_GATE_NOW", NEXT_DAY)


def test_blocked_text_output_and_exit_code(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1)
    code, out, err = gate(capsys, "check")
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "specs/hotfix/001-database-connection-pool/hotfix.md:5: HG101 severity: severity is not "
        "set; run `hotfix-gate set severity P0|P1|P2 --id hotfix-001` (P0 outage, P1 major, "
        "P2 minor)"
    )
    assert lines[1].startswith("specs/hotfix/001-database-connection-pool/hotfix.md:11: HG102")
    assert lines[-1] == "hotfix-gate: blocked: 2 blocking, 0 warnings in 1 record"
    assert "rerun `hotfix-gate check`" in err


def test_passing_repository(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1, severity="P0", rollback_plan="revert")
    commit_all(here, "the record")
    assert gate(capsys, "check") == (0, "hotfix-gate: passed: 0 blocking, 0 warnings in 1 record\n",
                                     "")


def test_a_record_not_committed_yet_is_named(here: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    """check reads the working tree, the hooks read commits: a pass here is
    not yet a pass there."""
    write_record(here, 1, severity="P0", rollback_plan="revert")
    folder = "specs/hotfix/001-database-connection-pool"
    code, _, err = gate(capsys, "check")
    assert code == 0
    assert err == (f"hotfix-gate: note: not committed yet, and the hooks judge commits: "
                   f"{folder}/hotfix.md, {folder}/post-mortem.md; commit them (`hotfix-gate "
                   "check --rev HEAD` judges what a push would)\n")
    assert gate(capsys, "check", "--rev", "HEAD")[2] == ""  # the commit is what it judges


def test_no_records_passes(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys, "check")
    assert code == 0 and "in 0 records" in out


def test_json_format_is_stable(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1)
    code, out, _ = gate(capsys, "check", "--format", "json", "--now", "2025-10-02T00:00:00Z")
    payload = json.loads(out)
    assert code == 1
    assert payload["passed"] is False and payload["blocking"] == 2 and payload["records"] == 1
    assert payload["now"] == "2025-10-02T00:00:00Z"
    first = payload["findings"][0]
    assert set(first) == {"path", "line", "code", "name", "level", "blocking", "waiver",
                          "message", "fix"}
    assert (first["code"], first["line"], first["level"]) == ("HG101", 5, "error")


def test_github_format_annotations(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1, severity="P1", rollback_plan="revert")
    code, out, _ = gate(capsys, "check", "--format", "github")
    assert code == 0
    assert out.startswith("::warning file=specs/hotfix/001-database-connection-pool/hotfix.md,"
                          "line=12,title=HG103 quick-review::")


def test_now_from_flag_and_environment(here: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(here, 1, severity="P0", rollback_plan="revert", status="resolved",
                 resolved_at="2025-10-01T16:00:00Z")
    assert gate(capsys, "check", "--now", "2025-10-03T15:00:00Z")[0] == 0  # 47h
    assert gate(capsys, "check", "--now", "2025-10-03T17:00:00Z")[0] == 1  # 49h
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-03T17:00:00Z")
    code, out, _ = gate(capsys, "check")
    assert code == 1 and "HG201" in out and "HG202" in out
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-03T15:00:00Z")
    assert gate(capsys, "check")[0] == 0


def test_rev_reads_the_commit_not_the_dirty_working_tree(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1)
    commit_all(here, "open hotfix 001")
    write_record(here, 1, severity="P0", rollback_plan="revert")  # fixed, not committed
    assert gate(capsys, "check")[0] == 0
    code, out, _ = gate(capsys, "check", "--rev", "HEAD")
    assert code == 1 and "HG101" in out and "HG102" in out
    commit_all(here, "assess")
    assert gate(capsys, "check", "--rev", "HEAD")[0] == 0
    assert gate(capsys, "check", "--rev", "HEAD~1")[0] == 1


def test_rev_in_a_bare_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    work = make_repo(tmp_path / "work")
    write_record(work, 1)
    commit_all(work)
    git(tmp_path, "clone", "-q", "--bare", str(work), "server.git")
    monkeypatch.chdir(tmp_path / "server.git")
    assert gate(capsys, "check", "--rev", "main")[0] == 1
    code, _, err = gate(capsys, "check")
    assert code == 2 and "bare repository" in err and "--rev" in err


@pytest.mark.parametrize(("args", "message"), [
    (("check", "--rev", "no-such-branch"), "cannot read revision 'no-such-branch'"),
    (("check", "--now", "tomorrow"), "--now: 'tomorrow' is not an ISO 8601 timestamp"),
    (("check", "--format", "xml"), "Invalid value for '--format'"),
])
def test_bad_arguments_exit_2_with_one_line(here: Path, capsys: pytest.CaptureFixture[str],
                                            args: tuple[str, ...], message: str) -> None:
    code, out, err = gate(capsys, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_bad_configuration_exits_2(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: soon}\n")
    code, _, err = gate(capsys, "check")
    assert code == 2
    assert err.strip() == ("hotfix-gate: error: .hotfix-gates.yaml:1: bad duration 'soon'; "
                           "write it like 48h, 2d, 90m or 1d12h")


def test_configuration_is_read_from_the_judged_tree(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text("specs_dir: incidents\n")
    write_record(here, 1, specs_dir="incidents")
    commit_all(here)
    (here / ".hotfix-gates.yaml").write_text("specs_dir: elsewhere\n")
    assert gate(capsys, "check")[0] == 0  # working tree: no records under elsewhere/
    assert gate(capsys, "check", "--rev", "HEAD")[0] == 1  # the commit's config finds them


def test_outside_a_repository_is_one_line(tmp_path: Path) -> None:
    result = run_gate(tmp_path, "check")
    assert result.returncode == 2
    assert result.stderr.startswith("hotfix-gate: error: not a git repository")
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_real_process_and_gates_listing(repo: Path) -> None:
    write_record(repo, 1)
    result = run_gate(repo, "check", env=clean_env(HOTFIX_GATE_NOW=NEXT_DAY))
    assert result.returncode == 1 and "HG101 severity" in result.stdout
    listing = run_gate(repo, "gates")
    assert listing.returncode == 0
    lines = listing.stdout.splitlines()
    assert lines[0] == "gates with the default configuration:"
    assert "HG103  quick-review         warn" in lines  # no trailing blank
    assert all(len(line) <= 100 and line == line.rstrip() for line in lines)
    assert [line.split()[0] for line in lines[1:] if not line.startswith(" ")] == [
        "HG001", "HG002", "HG101", "HG102", "HG103", "HG201", "HG202", "HG203", "HG204",
        "HG205", "HG206", "HG207", "HG301"]
    assert ("       applies: after the incident, from 48h after resolution (else deployment)"
            in lines)


def test_gates_listing_follows_the_configuration(repo: Path) -> None:
    (repo / ".hotfix-gates.yaml").write_text(
        "deadlines: {post-mortem: 24h, resolution: 5d}\n"
        "gates: {quick-review: error, regression-test: {level: warn, waivable: false}}\n")
    lines = run_gate(repo, "gates").stdout.splitlines()
    assert lines[0] == "gates as .hotfix-gates.yaml sets them:"
    assert "HG103  quick-review         error" in lines
    assert "HG202  regression-test      warn  (not waivable)" in lines
    assert ("       applies: after the incident, from 24h after resolution (else deployment)"
            in lines)
    assert any(line.startswith("       applies: merging into a protected branch, from 5d after "
                               "the incident began;") for line in lines)


def test_git_dir_and_work_tree_name_the_repository(
        tmp_path: Path, here: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    other = make_repo(tmp_path / "other")
    write_record(other, 1)  # unassessed: blocks
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    code, out, _ = gate(capsys, "check")
    assert code == 1 and "specs/hotfix/001-database-connection-pool/hotfix.md" in out
    monkeypatch.setenv("GIT_DIR", str(tmp_path / "nowhere"))
    code, _, err = gate(capsys, "check")
    assert code == 2 and err.startswith("hotfix-gate: error: GIT_DIR=") and "not a folder" in err


def test_rev_must_name_a_commit(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(here, 1)  # unassessed: blocks
    commit_all(here, "record")
    assert gate(capsys, "check", "--rev", "HEAD")[0] == 1
    for rev, kind in (("HEAD:specs", "tree"), ("HEAD:README.md", "blob")):
        code, out, err = gate(capsys, "check", "--rev", rev)
        assert (code, out) == (2, "")
        assert err == (f"hotfix-gate: error: revision '{rev}' names a {kind}, not a commit; "
                       "name a branch, tag or commit\n")
    git(here, "tag", "-a", "v1", "-m", "annotated")
    assert gate(capsys, "check", "--rev", "v1")[0] == 1  # a tag of a commit is read through
