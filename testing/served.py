"""A bare server with our pre-receive hook and a clone of it, for the attack
suites: built once per module, copied for each test.

The overdue record: P0, rollback plan set, resolved on 2025-09-01, no
regression test, no post-mortem. The server judges at LATE, five weeks on.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from testing.pushes import push, remote_sha, server_clock
from testing.repos import clean_env, commit_all, git, make_repo, run_gate, write_record

EARLY = "2025-09-02T12:00:00Z"  # a day after the resolution: nothing due yet
LATE = "2025-10-10T00:00:00Z"  # five weeks after: the post-incident work is overdue
SLUG = "database-pool"
FOLDER = f"specs/hotfix/001-{SLUG}"
FINDING = re.compile(r":\d+: (HG\d{3}) [a-z-]+: ")
OVERDUE = {"severity": "P0", "rollback_plan": "redeploy v1.4.2", "status": "resolved",
           "incident_start": "2025-09-01T10:00:00Z", "detected_at": "2025-09-01T10:05:00Z",
           "deployed_at": "2025-09-01T11:00:00Z", "resolved_at": "2025-09-01T12:00:00Z"}


def server(root: Path) -> tuple[Path, Path]:
    """(a clone with main pushed, its bare server with our pre-receive)."""
    remote = root / "origin.git"
    git(root, "init", "-q", "--bare", "-b", "main", str(remote))
    installed = run_gate(remote, "install")
    assert installed.returncode == 0, installed.stderr
    repo = make_repo(root / "service")
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    return repo, remote


def build_templates(fresh: Path, served: Path) -> dict[str, Path]:
    """A fresh server in `fresh`; in `served`, one whose main holds the
    overdue record (landed while nothing was due)."""
    server(fresh)
    repo, remote = server(served)
    write_record(repo, 1, SLUG, **OVERDUE)
    commit_all(repo, "hotfix-001 resolved")
    server_clock(remote, EARLY)
    landed = push(repo, "origin", "main")
    assert landed.returncode == 0, landed.stderr
    server_clock(remote, LATE)
    return {"fresh": fresh, "served": served}


def copy_template(template: Path, root: Path) -> tuple[Path, Path]:
    """A copy of a template's clone and server in `root`, the clock at LATE."""
    shutil.copytree(template, root, symlinks=True, dirs_exist_ok=True)
    git(root / "service", "remote", "set-url", "origin", str(root / "origin.git"))
    server_clock(root / "origin.git", LATE)
    return root / "service", root / "origin.git"


def refused(repo: Path, remote: Path, *args: str, ref: str = "main", now: str = LATE) -> str:
    """Push; assert the server refused it and `ref` did not move; its lines."""
    before = remote_sha(remote, ref)
    pushed = push(repo, "origin", *(args or ("main",)), now=now)
    assert pushed.returncode != 0, pushed.stderr
    assert "pre-receive hook declined" in pushed.stderr, pushed.stderr
    assert "Traceback" not in pushed.stderr and "internal error" not in pushed.stderr
    assert remote_sha(remote, ref) == before
    return pushed.stderr


def accepted(repo: Path, *args: str) -> str:
    pushed = push(repo, "origin", *(args or ("main",)), now=LATE)
    assert pushed.returncode == 0, pushed.stderr
    return pushed.stderr


def ci(repo: Path, rev: str = "HEAD", base: str = "origin/main") -> tuple[int, str]:
    """The CI verdict on what `rev` would bring into the server's main."""
    git(repo, "fetch", "-q", "origin")
    done = run_gate(repo, "check", "--base", base, "--rev", rev, "--now", LATE,
                    env=clean_env())
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def blocking(text: str) -> set[str]:
    """The codes of the blocking findings in a hook's or check's output."""
    found = set()
    for line in text.splitlines():
        match = FINDING.search(line)
        if match and "[waived: " not in line and not line.rstrip().endswith("[warning]"):
            found.add(match.group(1))
    return found
