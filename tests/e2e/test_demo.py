"""The README's first command: the demo tells both flows through real hooks
and a real server, every step repeatable by hand."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime
from pathlib import Path

import pytest

from testing.repos import clean_env, git, run_gate


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """The demo's output, and the setup it kept (--keep) to check it against."""
    where = tmp_path_factory.mktemp("demo")
    result = run_gate(where, "demo", "--keep", env=clean_env(TMPDIR=str(where)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    kept = re.search(r"The demo is kept in (\S+):", result.stdout)
    assert kept is not None
    return result.stdout, Path(kept.group(1))


def steps(out: str) -> list[tuple[str, str]]:
    """(command line, its output) for each `$ ` line."""
    found: list[tuple[str, str]] = []
    for line in out.splitlines():
        if line.startswith("$ "):
            found.append((line[2:], ""))
        elif found and line.startswith("  "):
            found[-1] = (found[-1][0], found[-1][1] + line[2:] + "\n")
    return found


def test_the_story_in_order(demo: tuple[str, Path]) -> None:
    out, _ = demo
    order = [
        "pre-receive: installed",  # the server's hook
        "pre-push: installed", "commit-msg: installed",
        "on hotfix/001-database-connection-pool: hotfix-001: open the record",
        "hotfix-gate pre-push to hotfix/001-database-connection-pool: blocked",
        "HG101 severity: severity is not set",
        "on hotfix/001-database-connection-pool: hotfix-001: severity P0",
        "Flow 1, deploy from main after the merge",
        "] Merge hotfix/001-database-connection-pool",
        "on main: hotfix-001: deployed at",
        "on main: hotfix-001: resolved at",
        "Flow 2, git-flow",
        "on hotfix/002-search-index-returns: hotfix-002: deployed at",
        "on hotfix/002-search-index-returns: hotfix-002: resolved at",
        "] Merge hotfix/002-search-index-returns",
        "hotfix-gate pre-push to main: blocked",
        "remote: hotfix-gate pre-receive to main: blocked",
        "[remote rejected] main -> main (pre-receive hook declined)",
        "on main: hotfix-001: regression test tests/test_pool.py::",
        "on main: hotfix-001: post-mortem complete",
        "on main: hotfix-001: closed",
        "hotfix-002  P1   resolved",
    ]
    at = 0
    for text in order:  # each one after the one before
        found = out.find(text, at)
        assert found >= 0, f"{text!r} is missing after {out[max(at - 200, 0):at]!r}"
        at = found + len(text)


def test_the_48_hour_rule_blocks_only_the_overdue_record(demo: tuple[str, Path]) -> None:
    out, _ = demo
    blocked = [output for command, output in steps(out)
               if command.endswith("git push -q origin main") and "blocked" in output]
    assert len(blocked) == 1
    assert "001-database-connection-pool/hotfix.md:" in blocked[0] and "HG202" in blocked[0]
    assert "001-database-connection-pool/post-mortem.md:" in blocked[0] and "HG201" in blocked[0]
    assert "002-search" not in blocked[0]  # resolved later: not due yet
    pushes = [(command, output) for command, output in steps(out)
              if "git push" in command and "origin main" in command]
    assert "[exit 1" not in pushes[-1][1]  # what unblocked it


def test_every_step_can_be_typed_again(demo: tuple[str, Path]) -> None:
    out, _ = demo
    now = datetime.now(UTC)
    for command, _ in steps(out):
        words = shlex.split(command)
        assert words[0].startswith("HOTFIX_GATE_NOW=") and words[1] in ("git", "hotfix-gate")
        moment = datetime.fromisoformat(words[0].split("=", 1)[1].replace("Z", "+00:00"))
        assert moment < now  # the edits refuse a future time


def test_every_commit_is_shown(demo: tuple[str, Path]) -> None:
    out, root = demo
    clone, server = root / "service", root / "service.git"
    made = int(git(clone, "rev-list", "--all", "--count").stdout)
    shown = len(re.findall(r"^  committed (?:\S+ )?on \S+: ", out, re.MULTILINE))
    assert made == shown, (made, shown)
    assert git(server, "rev-parse", "main").stdout == git(clone, "rev-parse", "main").stdout
    assert (server / "hooks/pre-receive").exists() and (clone / ".git/hooks/pre-push").exists()
    assert git(clone, "status", "--porcelain").stdout == ""


def test_the_last_words_name_no_package_to_guess(demo: tuple[str, Path]) -> None:
    """The package may not be on an index under this name: a guessed name could
    install someone else's code (the README says to install from the repository)."""
    out, _ = demo
    tail = out[out.index("# In your own repository"):]
    assert "pip install hotfix-gates" not in tail and "pip install this folder" in tail
    assert all(len(line) <= 100 for line in tail.splitlines() if line.startswith("#"))
