"""Install the raw hooks into test repositories and run git through them."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hotfix_gates.commands.install import render
from testing.repos import clean_env, git

NOW = "2025-10-02T12:00:00Z"


def hook_env(now: str = NOW, **extra: str) -> dict[str, str]:
    """A child environment with the clock pinned, as hooks see it."""
    return clean_env(HOTFIX_GATE_NOW=now, **extra)


def install_raw(repo: Path, *hooks: str, folder: Path | None = None) -> Path:
    """Write our hook scripts (this interpreter) straight into the hooks folder."""
    target = folder or Path(git(repo, "rev-parse", "--git-common-dir").stdout.strip())
    if folder is None:
        target = (repo / target if not target.is_absolute() else target) / "hooks"
    target.mkdir(parents=True, exist_ok=True)
    for hook in hooks or ("commit-msg",):
        path = target / hook
        path.write_text(render(hook, sys.executable))
        os.chmod(path, 0o755)
    return target
