"""Ways to get an overdue record past the server, each tried for real: a bare
repository with the pre-receive hook `hotfix-gate install` puts there, a
clone pushing to it, and `hotfix-gate check --base` as the CI verdict.

The overdue record: P0, rollback plan set, resolved on 2025-09-01, no
regression test, no post-mortem. It reached main while its deadlines were
still ahead (the server's clock at EARLY); the server now judges at LATE.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from testing.hostile import hash_object, raw_tree
from testing.pushes import accept_rules, remote_sha, server_clock
from testing.repos import (
    COMPLETE_POST_MORTEM,
    clean_env,
    commit_all,
    front_matter,
    git,
    record_fields,
    run_gate,
    write_record,
)
from testing.served import (
    EARLY,
    FOLDER,
    LATE,
    OVERDUE,
    SLUG,
    accepted,
    blocking,
    ci,
    refused,
)


def rewrite(repo: Path, **changes: object) -> None:
    fields: dict[str, Any] = {**OVERDUE, **changes}
    write_record(repo, 1, SLUG, **fields)


def test_the_overdue_record_alone_is_refused(served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / "app.py").write_text("fixed = True\n")
    commit_all(repo, "unrelated work")
    assert {"HG201", "HG202"} <= blocking(refused(repo, remote))
    code, out = ci(repo)
    assert code == 1 and {"HG201", "HG202"} <= blocking(out)


# --- milestones cannot move later or disappear -------------------------------------

MOVES = {
    "resolved later": ({"resolved_at": "2025-10-09T00:00:00Z"}, ["resolved_at moved later"]),
    "deployed and resolved later": ({"deployed_at": "2025-10-08T23:00:00Z",
                                     "resolved_at": "2025-10-09T00:00:00Z"},
                                    ["deployed_at moved later", "resolved_at moved later"]),
    "all times later": ({"incident_start": "2025-10-08T10:00:00Z",
                         "detected_at": "2025-10-08T10:05:00Z",
                         "deployed_at": "2025-10-08T11:00:00Z",
                         "resolved_at": "2025-10-08T12:00:00Z"},
                        ["incident_start moved later", "detected_at moved later",
                         "deployed_at moved later", "resolved_at moved later"]),
}


@pytest.mark.parametrize("move", MOVES, ids=list(MOVES))
def test_a_milestone_moved_later_or_dropped_is_refused(served: tuple[Path, Path],
                                                       move: str) -> None:
    repo, remote = served
    changes, said = MOVES[move]
    rewrite(repo, **changes)
    commit_all(repo, f"hotfix-001: {move}")
    lines = refused(repo, remote)
    assert blocking(lines) == {"HG205"}  # nothing else stops it: the clock was reset
    for words in said:
        assert f"HG205 milestones-kept: {words}" in lines, lines
    code, out = ci(repo)
    assert code == 1 and blocking(out) == {"HG205"}


def test_a_dropped_resolution_and_a_status_moved_back_are_refused(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    rewrite(repo, status="monitoring", resolved_at=None)
    commit_all(repo, "hotfix-001 is monitored again")
    lines = refused(repo, remote)
    assert ("HG205 milestones-kept: resolved_at 2025-09-01T12:00:00Z on the target branch is "
            "not set here" in lines)
    assert ("HG205 milestones-kept: status moved back: resolved on the target branch, "
            "monitoring here" in lines)
    assert ci(repo)[0] == 1


def test_a_correction_lands_with_an_audited_waiver(served: tuple[Path, Path]) -> None:
    repo, _ = served
    rewrite(repo, resolved_at="2025-10-09T00:00:00Z")
    waived = run_gate(repo, "waive", "milestones-kept", "--id", "hotfix-001", "--reason",
                      "resolved_at was typed a month early", "--until", "24h",
                      env=clean_env(HOTFIX_GATE_NOW=LATE))
    assert waived.returncode == 0, waived.stderr
    commit_all(repo, "hotfix-001: correct the resolution time")
    code, out = ci(repo)
    assert code == 0 and "[waived: resolved_at was typed a month early" in out
    lines = accepted(repo)
    assert "HG205 milestones-kept: resolved_at moved later" in lines


def test_consistency_reaches_the_server(served: tuple[Path, Path]) -> None:
    repo, remote = served
    rewrite(repo, resolved_at="2025-12-01T00:00:00Z")  # after the server's clock
    commit_all(repo, "a resolution in the future")
    lines = refused(repo, remote)
    assert "HG001 record-valid: resolved_at 2025-12-01T00:00:00Z is in the future" in lines
    rewrite(repo, status="monitoring", deployed_at=None, resolved_at=None)
    commit_all(repo, "monitoring, with no deployment")
    lines = refused(repo, remote)
    assert "HG001 record-valid: status is monitoring but deployed_at is not set" in lines
    assert ci(repo)[0] == 1


# --- a record is not removed before its work is done -------------------------------

def _delete(repo: Path) -> None:
    shutil.rmtree(repo / FOLDER)


def _rename(name: str) -> object:
    def rename(repo: Path) -> None:
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        (repo / FOLDER).rename(target)
    return rename


REMOVALS = {
    "deleted": _delete,
    "renamed .bak": _rename(f"{FOLDER}.bak"),
    "renamed 001": _rename("specs/hotfix/001"),
    "renamed 001_pool": _rename("specs/hotfix/001_pool"),
    "moved out": _rename(f"archive/001-{SLUG}"),
}


@pytest.mark.parametrize("removal", REMOVALS, ids=list(REMOVALS))
def test_an_unfinished_record_that_goes_is_refused(served: tuple[Path, Path],
                                                  removal: str) -> None:
    repo, remote = served
    REMOVALS[removal](repo)  # type: ignore[operator]
    commit_all(repo, f"hotfix-001 {removal}")
    lines = refused(repo, remote)
    assert (f"{FOLDER}/hotfix.md:1: HG206 record-kept: hotfix-001 is on the target branch but "
            "gone from the judged tree (deleted, renamed or moved) while its work is not done: "
            "post-mortem draft, no regression test" in lines), lines
    code, out = ci(repo)
    assert code == 1 and "HG206" in blocking(out)


def test_a_complete_record_may_go(fresh: tuple[Path, Path]) -> None:
    repo, _ = fresh
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_pool_is_released():\n    pass\n")
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_pool_is_released"], **OVERDUE)
    commit_all(repo, "hotfix-001 complete")
    accepted(repo)
    _delete(repo)
    commit_all(repo, "hotfix-001 is done: archived elsewhere")
    assert ci(repo)[0] == 0
    accepted(repo)


def test_a_record_opened_by_mistake_goes_with_a_waiver_on_the_target(
        fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    write_record(repo, 2, "false-alarm", severity="P2", rollback_plan="revert the monitor",
                 reviewed_by="alice", incident_start="2025-10-09T23:00:00Z")
    commit_all(repo, "hotfix-002 opened")
    accepted(repo)
    shutil.rmtree(repo / "specs/hotfix/002-false-alarm")
    commit_all(repo, "drop hotfix-002")
    assert "HG206 record-kept" in refused(repo, remote)
    git(repo, "reset", "-q", "--hard", "HEAD~1")
    waived = run_gate(repo, "waive", "record-kept", "--id", "hotfix-002", "--reason",
                      "a false alarm: the monitor was misconfigured", "--until", "24h",
                      env=clean_env(HOTFIX_GATE_NOW=LATE))
    assert waived.returncode == 0, waived.stderr
    commit_all(repo, "hotfix-002 was a false alarm")
    accepted(repo)
    shutil.rmtree(repo / "specs/hotfix/002-false-alarm")
    commit_all(repo, "drop hotfix-002")
    assert ci(repo)[0] == 0
    assert "[waived: a false alarm" in accepted(repo)


# --- hand-made trees that hide a record --------------------------------------------

def _tree(repo: Path, entries: list[tuple[str, str, str]]) -> str:
    return raw_tree(repo, sorted(entries, key=lambda e: e[1]))


def _hiding(repo: Path, how: str) -> str:
    """A commit on main whose tree holds the overdue record in a way git
    checks out but a path lookup does not find."""
    record = hash_object(repo, "blob", front_matter(record_fields(1, SLUG, **OVERDUE)).encode())
    readme = git(repo, "rev-parse", "HEAD:README.md").stdout.strip()
    folder = _tree(repo, [("100644", "hotfix.md", record)])
    if how == "one name at the root":
        entries = [("100644", f"{FOLDER}/hotfix.md", record)]
    elif how == "one name in specs":
        entries = [("40000", "specs", _tree(repo, [("40000", f"hotfix/001-{SLUG}", folder)]))]
    elif how == "the record listed twice":
        empty = hash_object(repo, "blob", b"")
        twice = raw_tree(repo, [("100644", "hotfix.md", record), ("100644", "hotfix.md", empty)])
        hotfix = _tree(repo, [("40000", f"001-{SLUG}", twice)])
        entries = [("40000", "specs", _tree(repo, [("40000", "hotfix", hotfix)]))]
    else:  # specs listed twice, the second one empty
        hotfix = _tree(repo, [("40000", f"001-{SLUG}", folder)])
        specs = _tree(repo, [("40000", "hotfix", hotfix)])
        entries = [("40000", "specs", specs), ("40000", "specs", raw_tree(repo, []))]
    root = raw_tree(repo, [("100644", "README.md", readme), *entries])
    commit = git(repo, "commit-tree", "-p", "main", "-m", "hotfix-001, hidden", root).stdout
    git(repo, "update-ref", "refs/heads/main", commit.strip())
    return commit.strip()


TREES = {"one name at the root": ".", "one name in specs": "specs",
         "the record listed twice": FOLDER, "specs listed twice": "."}


@pytest.mark.parametrize("how", TREES, ids=list(TREES))
def test_a_hand_made_tree_cannot_hide_a_record(fresh: tuple[Path, Path], how: str) -> None:
    repo, remote = fresh
    commit = _hiding(repo, how)
    lines = refused(repo, remote)
    assert f"remote:   {TREES[how]}:1: HG001 record-valid: " in lines, lines
    code, out = ci(repo, commit)
    assert code == 1 and f"{TREES[how]}:1: HG001" in out


# --- symbolic refs on the server ----------------------------------------------------

def test_a_push_through_an_alias_is_judged_as_the_branch_it_moves(
        served: tuple[Path, Path]) -> None:
    repo, remote = served
    git(remote, "symbolic-ref", "refs/heads/trunk", "refs/heads/main")
    git(remote, "symbolic-ref", "refs/tags/stable", "refs/heads/main")
    git(remote, "symbolic-ref", "refs/heads/next", "refs/heads/release/next")  # not there yet
    git(repo, "fetch", "-q", "origin")
    (repo / "app.py").write_text("fixed = True\n")
    commit_all(repo, "unrelated work")
    lines = refused(repo, remote, "HEAD:refs/heads/trunk")
    assert "remote: hotfix-gate pre-receive to main (pushed as refs/heads/trunk): blocked" in lines
    assert {"HG201", "HG202"} <= blocking(lines)
    lines = refused(repo, remote, "--force", "HEAD:refs/tags/stable")
    assert "pre-receive to main (pushed as refs/tags/stable): blocked" in lines
    lines = refused(repo, remote, "HEAD:refs/heads/next")
    assert "pre-receive to release/next (pushed as refs/heads/next): blocked" in lines
    assert remote_sha(remote, "refs/heads/release/next") is None
    lines = refused(repo, remote, ":refs/heads/trunk")
    assert "pre-receive to main (pushed as refs/heads/trunk): refused: main is a protected" in lines


def test_a_protected_branch_is_not_deleted_and_pushed_anew(served: tuple[Path, Path]) -> None:
    repo, remote = served
    server_clock(remote, EARLY)
    accepted(repo, "main:refs/heads/release/1")
    server_clock(remote, LATE)
    lines = refused(repo, remote, ":refs/heads/release/1")
    assert "refused: release/1 is a protected branch and is not deleted here" in lines
    assert remote_sha(remote, "refs/heads/release/1") is not None
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main]\n")
    commit_all(repo, "release/1 is retired")
    accept_rules(repo, remote)  # unprotecting is relaxing: the admin consents (HG207)
    server_clock(remote, EARLY)
    accepted(repo, "main:refs/heads/release/1")  # judged by release/1's configuration
    server_clock(remote, LATE)
    accepted(repo, ":refs/heads/release/1")  # which now lets it go
    assert remote_sha(remote, "refs/heads/release/1") is None


# --- a broken configuration on the target ---------------------------------------------

def _broken_on_main(repo: Path, remote: Path, text: str) -> str:
    """Put a configuration that does not load on the server's main as only
    its admin (or an older version of the hook) could: past the hook."""
    (repo / ".hotfix-gates.yaml").write_text(text)
    commit = commit_all(repo, "a configuration an older version accepted")
    git(repo, "push", "-q", "origin", "HEAD:refs/heads/staging")
    git(remote, "update-ref", "refs/heads/main", commit)
    git(repo, "fetch", "-q", "origin")
    return commit


def test_a_broken_configuration_on_main_gives_way_to_its_last_valid_one(
        fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    (repo / ".hotfix-gates.yaml").write_text("specs_dir: records\n")
    write_record(repo, 1, SLUG, specs_dir="records", **OVERDUE)
    valid = commit_all(repo, "records live in records/")
    accept_rules(repo, remote)  # the records move: the admin consents (HG207)
    server_clock(remote, EARLY)
    accepted(repo)
    server_clock(remote, LATE)
    _broken_on_main(repo, remote, "specs_dir: records\nprotected_brnches: [main]\n")
    (repo / "app.py").write_text("fixed = True\n")
    commit_all(repo, "unrelated work")
    lines = refused(repo, remote)
    assert ("remote: hotfix-gate pre-receive: warning: .hotfix-gates.yaml (main at "
            in lines and "key 'protected_brnches' looks like" in lines)
    assert (f"the configuration of {valid[:12]} (main~1, 'records live in records/') judges "
            "until it is fixed" in lines), lines
    assert {"HG201", "HG202"} <= blocking(lines)  # found in records/, not in the defaults' place
    code, out = ci(repo)
    assert code == 1 and {"HG201", "HG202"} <= blocking(out)
    assert f"the configuration of {valid[:12]} (origin/main~1, " in out


def test_the_repair_of_a_broken_configuration_lands(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    _broken_on_main(repo, remote, "gates: {severity: offf}\n")
    (repo / ".hotfix-gates.yaml").write_text("gates: {severity: warn}\nspecs_dir: incidents\n")
    commit_all(repo, "repair the configuration")
    code, out = ci(repo)
    assert code == 1 and "HG207 rules-kept" in out  # laxer than the defaults judging
    accept_rules(repo, remote)
    assert ci(repo)[0] == 0
    lines = accepted(repo)
    assert ("the defaults judge, as at " in lines and "which has no .hotfix-gates.yaml" in lines)
    assert remote_sha(remote, "main") == git(repo, "rev-parse", "HEAD").stdout.strip()


def test_a_pushed_configuration_that_does_not_load_is_refused(served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: forever}\nspecs_dir: x\n")
    commit_all(repo, "no deadline, and the records elsewhere")
    lines = refused(repo, remote)
    assert ".hotfix-gates.yaml:1: HG002 config-valid: this configuration does not load: " in lines
    code, out = ci(repo)
    assert code == 1 and "HG002" in blocking(out)


# --- the clock is the server's -------------------------------------------------------

def test_the_pushers_clock_does_not_reach_the_server(served: tuple[Path, Path]) -> None:
    repo, remote = served
    (repo / "app.py").write_text("fixed = True\n")
    commit_all(repo, "unrelated work")
    lines = refused(repo, remote, now=EARLY)  # HOTFIX_GATE_NOW=EARLY in the pusher's env
    assert {"HG201", "HG202"} <= blocking(lines) and f"--now {LATE}" in lines
    server_clock(remote, None)  # the real clock: later still
    lines = refused(repo, remote, now=EARLY)
    assert {"HG201", "HG202"} <= blocking(lines) and f"--now {EARLY}" not in lines
