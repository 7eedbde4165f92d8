"""Real pushes for the pre-push and pre-receive tests: bare remotes with the
hooks in them, clones with the raw pre-push hook, and `git push` through them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from testing.repos import clean_env, git, make_repo

NOW = "2025-10-02T12:00:00Z"


def hook_script(module: str) -> str:
    """The smallest raw hook: this interpreter running one of our modules."""
    return f'#!/bin/sh\nexec "{sys.executable}" -m {module} "$@"\n'


def install_hook(hooks_dir: Path, name: str) -> Path:
    module = {"pre-push": "hotfix_gates.hooks.pre_push",
              "pre-receive": "hotfix_gates.hooks.pre_receive"}[name]
    hooks_dir.mkdir(parents=True, exist_ok=True)
    path = hooks_dir / name
    path.write_text(hook_script(module))
    os.chmod(path, 0o755)
    return path


def hooks_dir(repo: Path) -> Path:
    common = Path(git(repo, "rev-parse", "--git-common-dir").stdout.strip())
    return (common if common.is_absolute() else repo / common) / "hooks"


def server_clock(remote: Path, now: str | None = NOW) -> None:
    """Set (None: unset) the time the server's pre-receive judges at: its own
    git config, as the pusher's HOTFIX_GATE_NOW does not reach it."""
    if now is None:
        git(remote, "config", "--unset", "hotfix-gates.now", check=False)
    else:
        git(remote, "config", "hotfix-gates.now", now)


def accept_rules(repo: Path, remote: Path, rev: str = "HEAD") -> None:
    """As the server's administrator, accept the configuration committed at
    REV although it relaxes the rules in force (HG207); the clone accepts it
    too, so its pre-push agrees."""
    blob = git(repo, "rev-parse", f"{rev}:.hotfix-gates.yaml").stdout.strip()
    for where in (remote, repo):
        git(where, "config", "--add", "hotfix-gates.accept-rules", blob)


def make_remote(path: Path, *, pre_receive: bool = False) -> Path:
    """An empty bare repository whose HEAD names main (with pre-receive, its
    clock set to NOW)."""
    git(path.parent, "init", "-q", "--bare", "-b", "main", str(path))
    if pre_receive:
        install_hook(path / "hooks", "pre-receive")
        server_clock(path)
    return path


def make_pushing_clone(root: Path, *, pre_push: bool = True, pre_receive: bool = False,
                       name: str = "service") -> tuple[Path, Path]:
    """(working repository with one commit pushed to main, its bare remote)."""
    remote = make_remote(root / f"{name}.git")
    repo = make_repo(root / name)
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    if pre_push:
        install_hook(hooks_dir(repo), "pre-push")
    if pre_receive:
        install_hook(remote / "hooks", "pre-receive")
        server_clock(remote)
    return repo, remote


def push(repo: Path, *args: str, now: str = NOW) -> subprocess.CompletedProcess[str]:
    """`git push ARGS` with the hooks' clock pinned; never raises."""
    return git(repo, "push", *args, check=False, env=clean_env(HOTFIX_GATE_NOW=now))


def remote_sha(remote: Path, ref: str) -> str | None:
    found = git(remote, "rev-parse", "--verify", "-q", ref, check=False)
    return found.stdout.strip() or None


def run_hook(cwd: Path, module: str, stdin: str, *args: str, now: str = NOW,
             **env: str) -> subprocess.CompletedProcess[str]:
    """Run a hook module as its own process, fed like git feeds it."""
    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, input=stdin,
                          capture_output=True, text=True, timeout=120,
                          env=clean_env(HOTFIX_GATE_NOW=now, **env))
