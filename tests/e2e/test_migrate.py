"""`hotfix-gate migrate`: the diff it shows, what --write changes (only front
matter, the Markdown byte for byte), running it twice, and the same verdicts
from the gates before and after."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from hotfix_gates.gates.engine import MERGE_CHECK, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem
from testing import legacy_repo
from testing.legacy_repo import EARLY, FIXTURES, LATE, LAYOUT, TEMPLATE_POST_MORTEM
from testing.repos import commit_all, git, make_repo

NOWS = (EARLY, LATE)
FILLED = "specs/hotfix/002-checkout-timeouts"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def verdicts(repo: Path) -> dict[tuple[str, str], set[tuple[str, bool]]]:
    """(now, folder) -> {(code, blocking)}, from every gate over the working tree."""
    out: dict[tuple[str, str], set[tuple[str, bool]]] = defaultdict(set)
    for now in NOWS:
        judgement = judge(Run(FsTree(repo), Config(), at(now)), MERGE_CHECK)
        for record in judgement.records:
            out[(now, record.folder)]  # a record with no finding still has a verdict
        for finding in judgement.findings:
            folder = finding.path.rsplit("/", 1)[0]
            out[(now, folder)].add((finding.code, finding.blocking))
    return dict(out)


def files(repo: Path) -> dict[str, bytes]:
    """Every file under specs/, by path (symlinks as their target's name)."""
    out = {}
    for path in sorted((repo / "specs").rglob("*")):
        rel = str(path.relative_to(repo))
        if path.is_symlink():
            out[rel] = b"-> " + str(path.readlink()).encode()
        elif path.is_file():
            out[rel] = path.read_bytes()
    return out


def migrate(capsys: pytest.CaptureFixture[str], repo: Path, *args: str) -> tuple[int, str, str]:
    code = main(["-C", str(repo), "migrate", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return legacy_repo.build(tmp_path_factory.mktemp("legacy") / "service")


@pytest.fixture
def repo(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("HOTFIX_GATE_NOW", raising=False)
    monkeypatch.delenv("SPECIFY_HOTFIX", raising=False)
    monkeypatch.chdir(tmp_path)
    return legacy_repo.copy(built, tmp_path / "service")


EXPECTED_FILLED = """\
---
id: hotfix-002
title: Checkout requests time out under load
branch: hotfix/002-checkout-timeouts
severity: P1
status: monitoring
incident_start: '2025-10-01T14:32:18Z'
detected_at: '2025-10-01T14:35:02Z'
deployed_at: '2025-10-01T15:10:00Z'
resolved_at: null
rollback_plan: null  # read from the '## Rollback Plan' section below
reviewed_by: '@dana'
regression_tests:
- tests/test_checkout.py::test_pool_released_on_timeout
---
"""


def test_dry_run_shows_a_diff_and_writes_nothing(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(repo)
    code, out, err = migrate(capsys, repo, "--id", "hotfix-002")
    assert code == 0 and files(repo) == before
    path = f"{FILLED}/hotfix.md"
    added = "".join(f"+{line}\n" for line in EXPECTED_FILLED.splitlines())
    assert f"--- a/{path}\n+++ b/{path}\n@@ -1,3 +1,18 @@\n{added}" in out
    assert f"--- a/{FILLED}/post-mortem.md\n" in out and "+status: draft\n" in out
    assert "would get front matter (2 files); nothing written: rerun with --write" in err


def test_write_adds_front_matter_and_keeps_the_markdown_byte_for_byte(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = files(repo)
    code, _, err = migrate(capsys, repo, "--id", "2", "--write")
    assert code == 0 and "migrated 1 record (2 files)" in err
    after = files(repo)
    hotfix = f"{FILLED}/hotfix.md"
    assert after[hotfix] == EXPECTED_FILLED.encode() + before[hotfix]
    assert after[f"{FILLED}/post-mortem.md"] == b"---\nstatus: draft\n---\n" + before[
        f"{FILLED}/post-mortem.md"]
    changed = {path for path in before if before[path] != after[path]}
    assert changed == {hotfix, f"{FILLED}/post-mortem.md"}  # symlinks, .bak files untouched
    record, findings = parse_hotfix(hotfix, FILLED, after[hotfix])
    assert record.format == "front-matter" and findings == []
    assert record.rollback_plan == "git revert 4f2a9c1\nkubectl rollout undo deployment/checkout"


def test_all_then_again_changes_nothing_and_gives_the_same_verdicts(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, judged = files(repo), verdicts(repo)
    code, _, err = migrate(capsys, repo, "--all", "--write")
    # Record 005 has two severities checked: listed, and left for a person to fix.
    assert code == 1
    assert "specs/hotfix/005-login-loop/hotfix.md:5: HG001 record-valid: 2 severity" in err
    assert "specs/hotfix/007-cache-stampede/hotfix.md: already has front matter" in err
    assert "migrated 5 records (9 files); 1 not migrated until the lines above are fixed" in err
    once = files(repo)
    assert once["specs/hotfix/005-login-loop/hotfix.md"] == before[
        "specs/hotfix/005-login-loop/hotfix.md"]
    for folder, (case, post_mortem) in LAYOUT.items():
        hotfix = f"{folder}/hotfix.md"
        if case == "ambiguous":
            continue
        assert once[hotfix].startswith(b"---\nid: ") and once[hotfix].endswith(before[hotfix])
        if post_mortem is not None:
            assert once[f"{folder}/post-mortem.md"].endswith(before[f"{folder}/post-mortem.md"])
    migrated = verdicts(repo)
    assert migrated.keys() == judged.keys()
    for key in judged:
        # A naive time's warning is the one thing migration settles (it writes the zone).
        expected = judged[key] - ({("HG001", False)} if "006-image" in key[1] else set())
        assert migrated[key] == expected, key
    assert ("HG001", False) in judged[(EARLY, "specs/hotfix/006-image-uploads")]
    code, out, err = migrate(capsys, repo, "--all", "--write")
    assert files(repo) == once and out == ""
    assert "nothing to migrate; 1 not migrated" in err and code == 1


def test_post_mortem_status_is_judged(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migrate(capsys, repo, "--all", "--write")
    statuses = {}
    for folder, (_, post_mortem) in LAYOUT.items():
        if post_mortem is not None:
            data = (repo / folder / "post-mortem.md").read_bytes()
            post, _, _ = parse_post_mortem("p.md", data)
            assert post is not None
            statuses[folder.rsplit("/", 1)[-1]] = post.status
    assert statuses == {
        "001-checkout-timeouts": "draft",
        "002-checkout-timeouts": "draft",
        "003-payments-503": "complete",  # every section filled, Post-Mortem Complete checked
        "hotfix-004-search-empty": "draft",
    }


def test_complete_sections_without_the_status_checked_stay_draft(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = repo / "specs/hotfix/003-payments-503"
    text = (folder / "hotfix.md").read_text()
    (folder / "hotfix.md").write_text(text.replace("[x] Post-Mortem Complete", "[x] Monitoring"))
    before = verdicts(repo)
    assert ("HG201", True) in before[(LATE, "specs/hotfix/003-payments-503")]
    migrate(capsys, repo, "--id", "3", "--write")
    assert (folder / "post-mortem.md").read_text().startswith("---\nstatus: draft\n---\n")
    assert verdicts(repo) == before


def test_selection(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = migrate(capsys, repo, "--id", "1", "--all")
    assert code == 2 and "--id and --all cannot be combined" in err
    code, _, err = migrate(capsys, repo)
    assert code == 2 and "pass --all to migrate every record" in err
    code, _, err = migrate(capsys, repo, "--id", "42")
    assert code == 2 and "no hotfix record numbered 042" in err
    git(repo, "checkout", "-q", "-b", "hotfix/004-search-empty")
    code, out, _ = migrate(capsys, repo, "--write")
    assert code == 0 and "+++ b/specs/hotfix-004-search-empty/hotfix.md" in out
    assert (repo / "specs/hotfix-004-search-empty/hotfix.md").read_bytes().startswith(b"---\n")
    assert not (repo / f"{FILLED}/hotfix.md").read_bytes().startswith(b"---\n")


def test_dry_run_output_is_a_patch_git_applies(
        repo: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    _, patch, _ = migrate(capsys, repo, "--all")
    other = legacy_repo.copy(repo, tmp_path / "other")
    git(repo, "apply", input=patch)
    migrate(capsys, other, "--all", "--write")
    assert files(repo) == files(other)


def test_crlf_bom_symlinked_record_and_naive_times(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = make_repo(tmp_path / "crlf")
    folder = repo / "specs/hotfix/001-image-uploads"
    folder.mkdir(parents=True)
    text = (FIXTURES / "variants" / "hotfix.md").read_text().replace("hotfix-006", "hotfix-001")
    original = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    (folder / "spec.md").write_bytes(original)
    (folder / "hotfix.md").symlink_to("spec.md")  # the record is read through the link
    (folder / "post-mortem.md").write_text(TEMPLATE_POST_MORTEM.read_text())
    commit_all(repo, "record")
    code, _, _ = migrate(capsys, repo, "--all", "--write")
    assert code == 0 and (folder / "hotfix.md").is_symlink()
    written = (folder / "spec.md").read_bytes()
    assert written.startswith(b"\xef\xbb\xbf---\r\nid: hotfix-001\r\n")
    assert written.endswith(original[3:])
    assert b"deployed_at: '2025-10-01T15:00:00Z'\r\n" in written  # naive, read as UTC
    record, findings = parse_hotfix("h.md", "specs/hotfix/001-image-uploads", written)
    assert findings == [] and record.severity == "P2" and record.reviewed_by == "Erin"


def test_a_folder_that_is_not_a_record(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    repo = make_repo(tmp_path / "plain")
    folder = repo / "specs/hotfix/001-notes"
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_text("# Notes\n\nnothing structured here\n")
    code, out, err = migrate(capsys, repo, "--all", "--write")
    assert code == 1 and out == ""
    said = ("specs/hotfix/001-notes/hotfix.md:1: HG001 record-valid: hotfix.md has no front "
            "matter and no spec-kit lines")
    assert said in err
    assert (folder / "hotfix.md").read_text() == "# Notes\n\nnothing structured here\n"
    # `check` says the same thing about it.
    assert main(["-C", str(repo), "check"]) == 1
    assert said in capsys.readouterr().out


def one_record(tmp_path: Path, case: str, folder: str) -> Path:
    repo = make_repo(tmp_path / case)
    legacy_repo.add_legacy_record(repo, folder, case, None)
    commit_all(repo, "record")
    return repo


def test_id_and_title_are_the_same_before_and_after(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # No `**Hotfix ID**:` line: the id is the folder's number, before and after.
    monkeypatch.chdir(tmp_path)
    folder = "specs/hotfix/009-invoices-twice"
    repo = one_record(tmp_path, "no-id", folder)
    path = f"{folder}/hotfix.md"
    before, findings = parse_hotfix(path, folder, (repo / path).read_bytes())
    assert findings == [] and (before.id, before.title) == ("hotfix-009", "Invoices emailed twice")
    code, _, _ = migrate(capsys, repo, "--id", "9", "--write")
    text = (repo / path).read_text()
    assert code == 0 and text.startswith("---\nid: hotfix-009\ntitle: Invoices emailed twice\n")
    after, findings = parse_hotfix(path, folder, text.encode())
    assert findings == [] and (after.id, after.title) == (before.id, before.title)
    assert after.severity == "P1" and after.status == "monitoring"  # no `|`; furthest checked


def test_a_placeholder_title_stays_unset(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    migrate(capsys, repo, "--id", "1", "--write")
    text = (repo / "specs/hotfix/001-checkout-timeouts/hotfix.md").read_text()
    assert "\ntitle: null\n" in text  # `# Hotfix: [INCIDENT TITLE]`: not made up from the folder


def test_times_the_status_line_contradicts_are_not_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A script filled every time with the creation time; Status checks nothing yet.
    monkeypatch.chdir(tmp_path)
    folder = "specs/hotfix/008-search-index"
    repo = one_record(tmp_path, "stamped", folder)
    code, _, err = migrate(capsys, repo, "--all", "--write")
    assert code == 0
    path = f"{folder}/hotfix.md"
    for line, label in ((14, "Fix Deployed"), (15, "Incident End")):
        assert (f"hotfix-gate: {path}:{line}: **{label}** says 2025-10-01T14:32:18Z but the "
                "Status line says Investigating: the time is not used, nor written into the "
                "front matter") in err
    record, findings = parse_hotfix(path, folder, (repo / path).read_bytes())
    assert record.format == "front-matter" and findings == []
    assert (record.status, record.deployed_at, record.resolved_at) == ("investigating", None, None)
    assert record.incident_start == at("2025-10-01T14:32:18Z")
