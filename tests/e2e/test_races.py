"""Races and interruptions: two `new` at once, and commands killed at every
file-system step, never lose or half-write a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.edits import without_notes
from testing.hostile import NOW, assert_clean, crash_everywhere, gate
from testing.repos import clean_env, commit_all, make_repo, write_record

SPECS = "specs/hotfix"
FILES = ("hotfix.md", "post-mortem.md", "plan.md", "tasks.md", "POST_MORTEM_REMINDER.txt")


def cli(repo: Path, *args: str) -> Callable[[], object]:
    def run() -> object:
        from hotfix_gates.cli import main

        return main(["-C", str(repo), *args])
    return run


# --- two `new` at the same moment ------------------------------------------------------

@pytest.mark.parametrize("branch", [False, True], ids=["no-branch", "branch"])
def test_simultaneous_new_get_different_numbers(tmp_path: Path, branch: bool) -> None:
    pytest.importorskip("hotfix_gates.commands.new")
    repo = make_repo(tmp_path / "service")
    write_record(repo, 7, "older-incident")
    commit_all(repo, "record 007")
    env = clean_env(HOTFIX_GATE_NOW=NOW)
    start = time.time() + 0.4  # every process waits for the same moment, then runs `new`
    code = ("import sys, time; from hotfix_gates.cli import main\n"
            f"time.sleep(max(0.0, {start} - time.time()))\n"
            "sys.exit(main(sys.argv[1:]))")
    flags = ["--json"] + ([] if branch else ["--no-branch"])
    procs = [subprocess.Popen([sys.executable, "-c", code, "new", *flags, f"outage number {n}"],
                              cwd=repo, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for n in range(4)]
    made = []
    for n, proc in enumerate(procs):
        out, err = proc.communicate(timeout=60)
        assert "Traceback" not in err and "internal error" not in err, err
        if proc.returncode == 0:
            made.append((n, json.loads(out)))
        else:  # a clean refusal (the lock, or the same incident already open): one line
            assert proc.returncode == 2 and len(without_notes(err).strip().splitlines()) == 1, err
    assert made, "every `new` was refused"
    numbers = [created["number"] for _, created in made]
    assert len(set(numbers)) == len(numbers) and min(numbers) == 8
    folders = sorted(p.name for p in (repo / SPECS).iterdir() if not p.name.startswith("007"))
    assert len(folders) == len(made)  # no folder was written twice, none left half-made
    for n, created in made:
        text = (Path(created["dir"]) / "hotfix.md").read_text()
        assert f"id: {created['id']}\n" in text and f"outage number {n}" in text
    lock = list((repo / ".git").glob("*.lock"))
    assert not lock, lock
    outcome = gate(repo, "check", "--now", NOW)
    assert_clean(outcome)
    assert "HG301" not in outcome.out and "HG001" not in outcome.out


# --- killed at every step ---------------------------------------------------------------

def test_new_killed_at_any_step_never_leaves_a_broken_record(tmp_path: Path) -> None:
    pytest.importorskip("hotfix_gates.commands.new")
    repo = make_repo(tmp_path / "service")
    body = cli(repo, "new", "--no-branch", "--at", "2025-10-01T14:00:00Z", "pool exhausted")
    steps = 0
    for _ in crash_everywhere(body):
        steps += 1
        folders = list((repo / SPECS).glob("*")) if (repo / SPECS).exists() else []
        for folder in folders:
            for path in folder.iterdir():
                # A file is either complete or absent; a temporary name may stay behind.
                if path.name.startswith("."):
                    continue
                assert path.stat().st_size > 0, path
                if path.name == "hotfix.md":
                    assert path.read_text().rstrip().endswith("-->") or "## " in path.read_text()
        for leftover in (repo / ".git").glob("hotfix-gate-new.lock"):
            leftover.unlink()  # a killed `new` leaves its lock; the next one names it
    assert steps > 3
    outcome = gate(repo, "check", "--now", NOW)
    assert_clean(outcome)
    assert "HG301" not in outcome.out
    numbers = sorted(int(p.name[:3]) for p in (repo / SPECS).iterdir())
    assert len(numbers) == len(set(numbers))


def test_what_a_killed_new_leaves_does_not_block_the_next(repo: Path) -> None:
    # The lock file and the hidden folder of a `new` killed mid-write.
    (repo / ".git/hotfix-gate-new.lock").write_text("12345\n")
    staging = repo / SPECS / ".hotfix-gate-new-k1ll3d"
    staging.mkdir(parents=True)
    (staging / "hotfix.md").write_text("---\nid: hotfix-001\n")
    (staging / ".plan.md.x1.tmp").write_text("half")
    outcome = gate(repo, "new", "--no-branch", "pool exhausted")
    assert_clean(outcome)
    assert outcome.code == 0, outcome.err
    assert sorted(p.name for p in (repo / SPECS).iterdir()) == ["001-pool-exhausted"]
    assert not (repo / ".git/hotfix-gate-new.lock").exists()


def test_new_killed_at_any_moment_leaves_a_whole_record_or_none(repo: Path) -> None:
    env = clean_env(HOTFIX_GATE_NOW=NOW, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    for delay in (0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
        child = subprocess.Popen(
            [sys.executable, "-m", "hotfix_gates.cli", "new", "--no-branch", "pool exhausted"],
            cwd=repo, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        child.kill()
        child.wait(timeout=30)
        for folder in (repo / SPECS).glob("[0-9]*") if (repo / SPECS).exists() else []:
            assert sorted(p.name for p in folder.iterdir()) == sorted(FILES), folder
    outcome = gate(repo, "check", "--now", NOW)
    assert_clean(outcome)
    assert "HG001" not in outcome.out


def test_concurrent_edits_never_report_a_lost_edit(repo: Path) -> None:
    record = write_record(repo, 1, severity="P2", rollback_plan="revert")
    env = clean_env(HOTFIX_GATE_NOW=NOW, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    processes = {
        message: subprocess.Popen([sys.executable, "-m", "hotfix_gates.cli", "log", message,
                                   "--id", "1"], cwd=repo, env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True)
        for message in (f"update {n}" for n in range(8))
    }
    landed = 0
    for process in processes.values():
        _, err = process.communicate(timeout=60)
        if process.returncode == 0:
            landed += 1
        else:  # edits wait for each other; only a long wait is refused, and nothing is lost
            assert process.returncode == 2 and "another hotfix-gate command is editing" in err, err
    text = record.hotfix.read_text()
    for message, process in processes.items():
        assert (f"| {message} |" in text) == (process.returncode == 0), message
    assert landed >= 1


def test_lifecycle_edit_killed_at_any_step_leaves_old_or_new(repo: Path) -> None:
    record = write_record(repo, 1, severity="P2", rollback_plan="revert")
    old = record.hotfix.read_bytes()
    body = cli(repo, "set", "severity", "P0", "--id", "hotfix-001")
    seen = set()
    for _ in crash_everywhere(body):
        now = record.hotfix.read_bytes()
        assert now == old or (b"severity: P0" in now and now.replace(b"P0", b"P2") == old)
        seen.add(now == old)
        record.hotfix.write_bytes(old)
        for temporary in record.folder.glob(".hotfix.md.*"):
            temporary.unlink()
    new = record.hotfix.read_bytes()
    assert new.replace(b"P0", b"P2") == old and new != old
    assert True in seen  # deaths before the rename keep the old file, after it the new one


HOOK = b"#!/bin/sh\n# the user's own hook\necho mine >&2\nexit 0\n"


def _hooks(repo: Path) -> Path:
    return repo / ".git/hooks"


def _user_hook_survives(repo: Path) -> None:
    """The user's hook is under its own name or the chained one, byte for byte."""
    folder = _hooks(repo)
    names = [folder / "pre-push", folder / "pre-push.hotfix-gates-chained"]
    assert any(p.exists() and p.read_bytes() == HOOK for p in names), \
        [(p.name, p.read_bytes()[:60]) for p in names if p.exists()]


def test_install_and_uninstall_killed_at_any_step_keep_the_users_hook(repo: Path) -> None:
    pytest.importorskip("hotfix_gates.commands.install")
    folder = _hooks(repo)
    folder.mkdir(exist_ok=True)
    hook = folder / "pre-push"

    def reset() -> None:
        for path in folder.iterdir():
            path.unlink()
        hook.write_bytes(HOOK)
        hook.chmod(0o755)

    reset()
    for _ in crash_everywhere(cli(repo, "install", "--hook", "pre-push")):
        _user_hook_survives(repo)
        # uninstall from whatever the crash left: the user's hook is back in place
        assert cli(repo, "uninstall", "--hook", "pre-push")() == 0
        assert hook.read_bytes() == HOOK
        reset()
    assert cli(repo, "install", "--hook", "pre-push")() == 0
    installed = hook.read_bytes()
    assert installed != HOOK
    for _ in crash_everywhere(cli(repo, "uninstall", "--hook", "pre-push")):
        _user_hook_survives(repo)
        assert cli(repo, "uninstall", "--hook", "pre-push")() == 0
        assert hook.read_bytes() == HOOK
        reset()
        assert cli(repo, "install", "--hook", "pre-push")() == 0
    assert hook.read_bytes() == HOOK
    assert not (folder / "pre-push.hotfix-gates-chained").exists()
    assert os.access(hook, os.X_OK)


def test_new_never_reuses_a_number_past_six_digits(repo: Path) -> None:
    pytest.importorskip("hotfix_gates.commands.new")
    from testing.repos import git

    git(repo, "branch", "hotfix/999999-pushed-by-someone")
    for description in ("first outage", "second outage"):
        outcome = gate(repo, "new", "--no-branch", description)
        assert_clean(outcome)
    numbers = [p.name.split("-", 1)[0] for p in (repo / SPECS).iterdir()]
    assert len(numbers) == len(set(numbers)), numbers
