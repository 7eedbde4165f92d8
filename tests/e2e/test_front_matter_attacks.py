"""The front matter reader cannot be fooled: look-alike keys, hand-written
waivers the CLI would refuse, values that mean nothing and explicit YAML tags,
each pushed to a bare server repository with the installed pre-receive hook
and judged by `hotfix-gate check --now`.

The "overdue" record is a P0 with a rollback plan, resolved days ago, with no
regression test and no post-mortem: on its own it is refused. The "ready"
record meets every gate, so a refusal of its variants is the attack's alone.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from testing.hooks import install_raw
from testing.hostile import NOW, Outcome, assert_clean, by_folder, gate
from testing.pushes import make_pushing_clone, push, remote_sha, server_clock
from testing.repos import COMPLETE_POST_MORTEM, commit_all, git

SPECS = "specs/hotfix"
# Line numbers of the record below: each attack replaces one of these lines.
LINES = {"id": 2, "title": 3, "branch": 4, "severity": 5, "status": 6, "incident_start": 7,
         "detected_at": 8, "deployed_at": 9, "resolved_at": 10, "rollback_plan": 11,
         "reviewed_by": 12, "regression_tests": 13}
CLOSE = 14  # the closing `---`; lines added by an attack start here


def record(number: int, *, ready: bool = False, replace: dict[str, str] | None = None,
           extra: str = "") -> str:
    values = {
        "id": f"hotfix-{number:03d}", "title": "pool exhausted",
        "branch": f"hotfix/{number:03d}-pool", "severity": "P0", "status": "resolved",
        "incident_start": "2025-10-01T14:00:00Z", "detected_at": "2025-10-01T14:05:00Z",
        "deployed_at": "2025-10-01T15:00:00Z", "resolved_at": "2025-10-01T16:00:00Z",
        "rollback_plan": "git revert the fix", "reviewed_by": "null",
        "regression_tests": "[tests/test_pool.py::test_release]" if ready else "[]",
    }
    lines = [f"{key}: {value}" for key, value in values.items()]
    for key, line in (replace or {}).items():
        lines[LINES[key] - 2] = line
    return "---\n" + "\n".join(lines) + "\n" + extra + "---\n# Hotfix\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """A clone with no client hooks; its bare remote runs the installed pre-receive."""
    repo, remote = make_pushing_clone(tmp_path_factory.mktemp("attacks"), pre_push=False)
    install_raw(remote, "pre-receive", folder=remote / "hooks")
    server_clock(remote, NOW)  # the server judges at its own time
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_release():\n    assert True\n")
    commit_all(repo, "the regression test the ready records name")
    assert push(repo, "origin", "main").returncode == 0
    yield repo, remote


def write_records(repo: Path, records: dict[str, str], *, ready: bool = False) -> list[str]:
    """Replace every record with `records` (folder slug -> hotfix.md); the folders."""
    git(repo, "reset", "-q", "--hard", "origin/main")
    folders = []
    for number, (slug, text) in enumerate(records.items(), start=1):
        folder = repo / SPECS / f"{number:03d}-{slug}"
        folder.mkdir(parents=True)
        (folder / "hotfix.md").write_text(text, encoding="utf-8")
        if ready:
            (folder / "post-mortem.md").write_text(COMPLETE_POST_MORTEM)
        folders.append(f"{SPECS}/{folder.name}")
    commit_all(repo, "records")
    return folders


def refused(repo: Path, remote: Path) -> str:
    """Push main; assert the server refused it; its `remote:` lines."""
    before = remote_sha(remote, "main")
    result = push(repo, "origin", "main", now=NOW)
    lines = "\n".join(line for line in result.stderr.splitlines() if line.startswith("remote:"))
    assert result.returncode != 0, result.stderr
    assert remote_sha(remote, "main") == before
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return lines


def accepted(repo: Path, remote: Path, branch: str) -> None:
    """Push to a new protected branch (so main never holds records); assert it landed."""
    result = push(repo, "origin", f"HEAD:refs/heads/{branch}", now=NOW)
    assert result.returncode == 0, result.stderr
    assert remote_sha(remote, branch) == git(repo, "rev-parse", "HEAD").stdout.strip()


def checked(repo: Path) -> Outcome:
    outcome = gate(repo, "check", "--now", NOW, "--format", "json")
    assert_clean(outcome)
    return outcome


def expect(outcome: Outcome, server_lines: str, folder: str, code: str, line: int,
           fragment: str) -> None:
    """The finding is in `check`'s verdict and in the server's refusal."""
    found = by_folder(outcome.findings(), folder)
    assert any(f["code"] == code and f["line"] == line and fragment in str(f["message"])
               and f["blocking"] for f in found), (code, line, fragment, found)
    assert any(f"{folder}/hotfix.md:{line}: {code} " in text and fragment in text
               for text in server_lines.splitlines()), (folder, line, fragment, server_lines)


# --- 1. near misses and look-alike keys -------------------------------------------------

AT = "2025-10-01T16:00:00Z"
KEYS = {
    # slug: (key, the line that replaces it, the message)
    "dash": ("resolved_at", f"resolved-at: {AT}", "key 'resolved-at' looks like resolved_at"),
    "camel": ("resolved_at", f"resolvedAt: {AT}", "key 'resolvedAt' looks like resolved_at"),
    "title-case": ("resolved_at", f"Resolved_At: {AT}",
                   "key 'Resolved_At' looks like resolved_at"),
    "trailing-space": ("resolved_at", f'"resolved_at ": {AT}',
                       "key 'resolved_at ' looks like resolved_at"),
    "typo": ("resolved_at", f"reslved_at: {AT}", "key 'reslved_at' looks like resolved_at"),
    "zero-width": ("resolved_at", f"resolved\u200b_at: {AT}",
                   "key 'resolved\\u200b_at' looks like resolved_at (invisible characters)"),
    "zero-width-status": ("status", "st\u200batus: resolved",
                          "key 'st\\u200batus' looks like status (invisible characters)"),
    "cyrillic-a": ("status", "st\u0430tus: resolved",
                   "key 'st\\u0430tus' looks like status (look-alike characters)"),
    "cyrillic-e": ("severity", "s\u0435verity: P0", "key 's\\u0435verity' looks like severity"),
    "cyrillic-o": ("deployed_at", "depl\u043eyed_at: 2025-10-01T15:00:00Z",
                   "key 'depl\\u043eyed_at' looks like deployed_at"),
    "fullwidth": ("status", "\uff53\uff54\uff41\uff54\uff55\uff53: resolved",
                  "looks like status (look-alike characters)"),
    "ligature": ("status", "\ufb06atus: resolved", "looks like status"),
    "word-joiner": ("status", "\u2060status: resolved", "looks like status (invisible"),
    "combining-mark": ("status", "status\u0301: resolved", "looks like status (invisible"),
    "no-break-space": ("status", '"status\u00a0": resolved', "looks like status (invisible"),
    "private-use": ("status", "status\ue000: resolved", "looks like status (invisible"),
    "hangul-filler": ("resolved_at", f"resolved_at\u3164: {AT}", "looks like resolved_at"),
}


def test_look_alike_keys_are_refused_at_their_line(server: tuple[Path, Path]) -> None:
    repo, remote = server
    records = {slug: record(n, replace={key: line})
               for n, (slug, (key, line, _)) in enumerate(KEYS.items(), start=1)}
    folders = write_records(repo, records)
    lines = refused(repo, remote)
    outcome = checked(repo)
    for folder, (key, _, message) in zip(folders, KEYS.values(), strict=True):
        expect(outcome, lines, folder, "HG001", LINES[key], message)
    assert all(len(str(f["message"])) + len(str(f["fix"])) < 100 for f in outcome.findings()
               if "looks like" in str(f["message"]))


def test_a_truly_unknown_key_is_kept_and_ignored(server: tuple[Path, Path]) -> None:
    repo, remote = server
    write_records(repo, {"team": record(1, ready=True, extra="team: payments\n")}, ready=True)
    assert checked(repo).findings() == []
    accepted(repo, remote, "release/team")


# --- 4. hand-written waivers -------------------------------------------------------------

GOOD_202 = ("- gate: HG202\n  reason: test needs the staging replica\n  by: Ana <ana@x>\n"
            "  at: 2025-10-02T00:00:00Z\n")


def waived(hg201: str) -> str:
    """The overdue record with a valid HG202 waiver (line 15) and `hg201`,
    the waiver under attack, from line 19."""
    return record(1, extra="waivers:\n" + GOOD_202 + hg201)


WAIVERS = {
    # slug: (the HG201 waiver, the message)
    "no-by": ("- gate: HG201\n  reason: vendor review\n  at: 2025-10-02T00:00:00Z\n",
              "waiver of HG201 does not count: missing by"),
    "no-at": ("- gate: HG201\n  reason: vendor review\n  by: Ana\n",
              "waiver of HG201 does not count: missing at"),
    "zero-width-reason": ('- {gate: HG201, reason: "\\u200b", by: Ana, at: 2025-10-02T00:00:00Z}\n',
                          "missing reason"),
    "filler-reason": ("- {gate: HG201, reason: \u3164, by: Ana, at: 2025-10-02T00:00:00Z}\n",
                      "missing reason"),
    "placeholder-reason": ("- {gate: HG201, reason: TBD, by: Ana, at: 2025-10-02T00:00:00Z}\n",
                           "reason 'TBD' says nothing"),
    "until-before-at": ("- {gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z,\n"
                        "   until: 2025-10-01T00:00:00Z}\n", "until is not after at"),
    "until-equals-at": ("- {gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z,\n"
                        "   until: 2025-10-02T00:00:00Z}\n", "until is not after at"),
    "misspelt-until": ("- {gate: HG201, reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z,\n"
                       "   untill: 2025-10-03T00:00:00Z}\n", "key 'untill' looks like until"),
    "no-gate": ("- {reason: vendor, by: Ana, at: 2025-10-02T00:00:00Z}\n", "missing gate"),
    "future-at": ("- {gate: HG201, reason: vendor, by: Ana, at: 2030-01-01T00:00:00Z}\n",
                  "dated in the future"),
}
WAIVER_LINE = CLOSE + 5  # the second item of `waivers:` (on line CLOSE)


def test_waivers_the_cli_would_refuse_do_not_count(server: tuple[Path, Path]) -> None:
    repo, remote = server
    folders = write_records(repo, {slug: waived(text) for slug, (text, _) in WAIVERS.items()})
    lines = refused(repo, remote)
    outcome = checked(repo)
    for folder, (_, message) in zip(folders, WAIVERS.values(), strict=True):
        expect(outcome, lines, folder, "HG001", WAIVER_LINE, message)
        found = by_folder(outcome.findings(), folder)
        hg201 = [f for f in found if f["code"] == "HG201"]
        assert hg201 and all(f["waiver"] is None for f in hg201), (folder, hg201)
        assert [f["waiver"] is not None for f in found if f["code"] == "HG202"] == [True]
        assert f"{folder}/hotfix.md:{CLOSE}:" not in lines  # not the `waivers:` line


def test_a_key_written_twice_inside_a_waiver_is_refused(server: tuple[Path, Path]) -> None:
    repo, remote = server
    twice = ("- gate: HG201\n  reason: vendor review\n  by: Ana\n  at: 2025-10-02T00:00:00Z\n"
             "  until: 2025-10-20T00:00:00Z\n  until: 2031-01-01T00:00:00Z\n")
    (folder,) = write_records(repo, {"twice": waived(twice)})
    lines = refused(repo, remote)
    expect(checked(repo), lines, folder, "HG001", WAIVER_LINE + 5,
           "key 'until' is written twice (first on line 23)")


def test_valid_hand_written_waivers_count(server: tuple[Path, Path]) -> None:
    """The control: the same record, both waivers as `hotfix-gate waive` writes them."""
    repo, remote = server
    good = GOOD_202.replace("HG202", "HG201")
    write_records(repo, {"waived": waived(good + "  until: 2031-01-01T00:00:00Z\n")})
    found = checked(repo).findings()
    assert found and all(f["waiver"] is not None for f in found), found
    accepted(repo, remote, "release/waived")


# --- 5. values that mean nothing ---------------------------------------------------------

NOTHING = {
    "tbd": "TBD", "todo": "TODO", "n-a": "N/A", "dash": "'-'", "none-word": "none",
    "dots": "'...'", "template": "'[ROLLBACK STEPS]'", "zero-width": '"\\u200b\\u200b"',
    "filler": "\u3164",
}


def test_a_placeholder_is_no_rollback_plan(server: tuple[Path, Path]) -> None:
    repo, remote = server
    folders = write_records(
        repo, {slug: record(n, ready=True, replace={"rollback_plan": f"rollback_plan: {text}"})
               for n, (slug, text) in enumerate(NOTHING.items(), start=1)}, ready=True)
    lines = refused(repo, remote)
    outcome = checked(repo)
    for folder in folders:
        expect(outcome, lines, folder, "HG102", LINES["rollback_plan"], "no rollback plan")
        assert [f["code"] for f in by_folder(outcome.findings(), folder)] == ["HG102"]


def test_invisible_names_are_invalid_and_tbd_is_no_review(server: tuple[Path, Path]) -> None:
    repo, remote = server
    cases = {key: record(n, ready=True, replace={key: f'{key}: "\\u200b\\x07\\u3164"'})
             for n, key in enumerate(("title", "id", "branch"), start=1)}
    cases["review"] = record(4, ready=True, replace={"severity": "severity: P1",
                                                     "reviewed_by": "reviewed_by: TBD"})
    folders = write_records(repo, cases, ready=True)
    lines = refused(repo, remote)
    outcome = checked(repo)
    for folder, key in zip(folders[:3], ("title", "id", "branch"), strict=True):
        expect(outcome, lines, folder, "HG001", LINES[key], f"{key} has no visible characters")
    review = by_folder(outcome.findings(), folders[3])
    assert [(f["code"], f["line"]) for f in review] == [("HG103", LINES["reviewed_by"])]


# --- 3. explicit tags ----------------------------------------------------------------------

def test_tags_in_a_record_are_findings_on_the_server(server: tuple[Path, Path]) -> None:
    """`!!bool p0` and `!!timestamp soon` used to raise inside the reader."""
    repo, remote = server
    cases = {
        "bool": record(1, ready=True, replace={"severity": "severity: !!bool p0"}),
        "timestamp": record(2, ready=True,
                            replace={"resolved_at": "resolved_at: !!timestamp soon"}),
        "in-list": record(3, ready=True, replace={
            "regression_tests": "regression_tests: [!!bool tests/test_pool.py::test_release]"}),
        "on-key": record(4, ready=True, replace={"severity": "!!int severity: P0"}),
    }
    folders = write_records(repo, cases, ready=True)
    lines = refused(repo, remote)
    outcome = checked(repo)
    for folder, (key, message) in zip(folders, [
            ("severity", "'p0' is not a !!bool value"),
            ("resolved_at", "'soon' is not a !!timestamp value"),
            ("regression_tests", "is not a !!bool value"),
            ("severity", "'severity' is not a !!int value")], strict=True):
        expect(outcome, lines, folder, "HG001", LINES[key], message)
    listed = gate(repo, "status", "--now", NOW)
    assert_clean(listed)
    assert listed.out.splitlines()[-1] == "4 records, 0 overdue, 4 invalid", listed.out
    reported = gate(repo, "report", "--now", NOW, "--format", "json")
    assert_clean(reported)
    assert json.loads(reported.out)["totals"]["count"] == 4


def test_a_tag_in_mains_configuration_does_not_wedge_the_server(
        server: tuple[Path, Path]) -> None:
    repo, remote = server
    git(repo, "reset", "-q", "--hard", "origin/main")
    (repo / ".hotfix-gates.yaml").write_text("gates:\n  quick-review: !!bool p0\n")
    commit_all(repo, "a configuration with a tag")
    outcome = gate(repo, "check", "--now", NOW)
    assert_clean(outcome)
    assert outcome.code == 2 and outcome.err == (
        "hotfix-gate: error: .hotfix-gates.yaml:2: 'p0' is not a !!bool value; "
        "remove the tag\n")
    push(repo, "origin", "main", now=NOW)  # judged by main's previous configuration
    (repo / ".hotfix-gates.yaml").write_text("gates:\n  quick-review: warn\n")
    commit_all(repo, "repair the configuration")
    result = push(repo, "origin", "main", now=NOW)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert remote_sha(remote, "main") == git(repo, "rev-parse", "HEAD").stdout.strip()
    git(repo, "rm", "-q", ".hotfix-gates.yaml")
    commit_all(repo, "back to the defaults")
    assert push(repo, "origin", "main", now=NOW).returncode == 0
