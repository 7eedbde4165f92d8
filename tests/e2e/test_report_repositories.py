"""`hotfix-gate report` over several real repositories: per-repository rows in
every format, and every repository that cannot be read named and skipped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from testing.repos import commit_all, git, make_repo, write_record

NOW = "2025-12-01T00:00:00Z"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """team-a/api and team-b/api (same folder name), web, a folder that is not
    a repository, and a repository with a broken configuration."""
    root = tmp_path_factory.mktemp("org")
    a = make_repo(root / "team-a" / "api")
    # P0 resolved in 30 minutes (within 1h); P1 still open.
    write_record(a, 1, slug="pool", severity="P0", status="resolved",
                 incident_start="2025-10-01T10:00:00Z", resolved_at="2025-10-01T10:30:00Z")
    write_record(a, 2, slug="queue", severity="P1", incident_start="2025-10-03T10:00:00Z")
    commit_all(a, "records")
    b = make_repo(root / "team-b" / "api")
    # P0 resolved in 90 minutes: within this repository's own 2h target.
    (b / ".hotfix-gates.yaml").write_text("targets: {P0: 2h}\n")
    write_record(b, 1, slug="dns", severity="P0", status="resolved",
                 incident_start="2025-10-02T00:00:00Z", resolved_at="2025-10-02T01:30:00Z")
    commit_all(b, "records")
    web = make_repo(root / "web")
    write_record(web, 1, slug="cdn", severity="P2", status="resolved",
                 incident_start="2025-10-05T00:00:00Z", resolved_at="2025-10-05T01:40:00Z")
    commit_all(web, "records")
    git(web, "branch", "release")
    (root / "notes").mkdir()
    broken = make_repo(root / "broken")
    (broken / ".hotfix-gates.yaml").write_text("targets: {P9: 1h}\n")
    return root


@pytest.fixture
def inside(org: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(org)
    monkeypatch.delenv("HOTFIX_GATE_NOW", raising=False)
    return org


READABLE = ("team-a/api", "team-b/api", "web")
EVERY = (*READABLE, "notes", "broken")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["report", "--now", NOW, *args])
    out, err = capsys.readouterr()
    return code, out, err


def data(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = run(capsys, "--format", "json", *args)
    assert code == 0, err
    loaded: dict[str, object] = json.loads(out)
    return loaded


def test_json_has_a_block_per_repository(inside: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    report = data(capsys, *READABLE)
    by_repository: dict[str, dict[str, object]] = report["by_repository"]  # type: ignore[assignment]
    assert list(by_repository) == ["team-a/api", "team-b/api", "web"]
    assert [b["count"] for b in by_repository.values()] == [2, 1, 1]
    assert by_repository["team-a/api"]["open"] == 1
    assert by_repository["team-b/api"]["mttr_minutes"] == {"mean": 90, "median": 90}
    assert by_repository["team-b/api"]["path"] == str(inside / "team-b" / "api")
    # Each P0 against its own repository's target: 30 min < 1h, 90 min < 2h.
    assert report["by_severity"]["P0"]["within_target"] == 2  # type: ignore[index]
    assert report["totals"]["records"] == [  # type: ignore[index]
        "team-a/api:hotfix-001", "team-a/api:hotfix-002", "team-b/api:hotfix-001",
        "web:hotfix-001"]
    assert report["skipped"] == []


def test_unreadable_repositories_are_named_and_skipped(
        inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "json", *EVERY)
    assert code == 0
    skipped = json.loads(out)["skipped"]
    assert [s["repository"] for s in skipped] == ["notes", "broken"]
    assert "not a git repository" in skipped[0]["reason"]
    assert "targets" in skipped[1]["reason"] and "P9" in skipped[1]["reason"]
    warnings = err.splitlines()
    assert len(warnings) == 2
    assert warnings[0].startswith("hotfix-gate: warning: skipped notes: not a git repository")
    assert warnings[1].startswith("hotfix-gate: warning: skipped broken: ")


def test_text_has_a_row_per_repository_and_the_skipped(
        inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, *EVERY)
    assert code == 0
    assert "3 repositories read, 2 skipped; every repository together:" in out
    table = out.split("by repository:\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert [line.split()[0] for line in table] == ["repository", *READABLE]
    assert table[1].split()[1:3] == ["2", "1"]  # team-a/api: 2 incidents, 1 open
    assert "skipped (not read):\n  notes (notes): not a git repository" in out
    assert "  - [ ]" not in out  # no action items in these records


def test_csv_has_a_repository_column(inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "csv", *EVERY)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["repository"], r["severity"]) for r in rows if r["severity"] == "total"] == [
        ("(all)", "total"), ("team-a/api", "total"), ("team-b/api", "total"),
        ("web", "total")]
    web = next(r for r in rows if r["repository"] == "web" and r["severity"] == "P2")
    assert (web["count"], web["mttr_mean_minutes"]) == ("1", "100.0")
    skipped = [r for r in rows if r["skipped"]]
    assert [r["repository"] for r in skipped] == ["notes", "broken"]
    assert skipped[0]["skipped"].startswith("notes: not a git repository")


def test_markdown_has_a_repository_table(inside: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--format", "markdown", *EVERY)
    assert code == 0
    assert "## Repositories not read\n\n- notes (notes): not a git repository" in out
    assert "## By repository\n\n| repository | count | open |" in out
    assert "| team-b/api | 1 | 0 | 90 | 90 | 1 | 0 |" in out
    assert "Targets: P0 differs by repository, P1 240 min, P2 480 min." in out


def test_repositories_from_a_file(inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = inside / "repos.txt"
    listing.write_text("# services\n\nteam-a/api\n  web  \n# web/old is gone\n")
    report = data(capsys, "team-b/api", "--repos-from", str(listing))
    assert list(report["by_repository"]) == ["team-b/api", "team-a/api", "web"]  # type: ignore[call-overload]


def test_a_list_may_name_the_home_folder(inside: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(inside))
    (inside / "home.txt").write_text("~/web\n")
    report = data(capsys, "--repos-from", "home.txt")
    assert list(report["by_repository"]) == ["web"]  # type: ignore[call-overload]


def test_repositories_from_standard_input(inside: Path, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("web\nteam-a/api\n"))
    report = data(capsys, "--repos-from", "-")
    assert list(report["by_repository"]) == ["web", "api"]  # type: ignore[call-overload]


def test_a_revision_missing_in_one_repository_skips_only_that_one(
        inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "--format", "json", "--rev", "release", "web", "team-a/api")
    assert code == 0
    report = json.loads(out)
    assert list(report["by_repository"]) == ["web"]
    assert report["skipped"][0]["repository"] == "api"
    assert "cannot read revision 'release'" in report["skipped"][0]["reason"]
    assert err.startswith("hotfix-gate: warning: skipped team-a/api: cannot read revision")


def test_the_same_repository_twice_is_read_once(inside: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    report = data(capsys, "web", "web/specs/..")
    assert list(report["by_repository"]) == ["web"]  # type: ignore[call-overload]
    assert report["skipped"][0]["reason"] == "the same repository as web"  # type: ignore[index]


def test_no_readable_repository_is_exit_2(inside: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "notes", "broken")
    assert (code, out) == (2, "")
    assert err.splitlines()[-1] == ("hotfix-gate: error: no repository could be read "
                                    "(2 skipped, each named above)")


def test_an_empty_list_is_exit_2(inside: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (inside / "empty.txt").write_text("# nothing yet\n")
    code, _, err = run(capsys, "--repos-from", "empty.txt")
    assert code == 2 and "--repos-from empty.txt lists no repository" in err
    code, _, err = run(capsys, "--repos-from", "missing.txt")
    assert code == 2 and "--repos-from missing.txt: No such file or directory" in err


def test_one_repository_reads_as_before(org: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(org / "web")
    code, out, _ = run(capsys)
    assert code == 0
    assert "repositor" not in out
    report = data(capsys)
    assert report["totals"]["records"] == ["hotfix-001"]  # type: ignore[index]
    assert list(report["by_repository"]) == ["web"]  # type: ignore[call-overload]
