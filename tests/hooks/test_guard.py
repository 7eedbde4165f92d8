"""How a hook's process ends (guard.finish): the hook's own exit code, even
when a stream it was given is closed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import hotfix_gates
from hotfix_gates.commands.install import MODULES
from testing.hooks import hook_env
from testing.repos import git

PACKAGE_ROOT = str(Path(hotfix_gates.__file__).resolve().parents[1])


def run_entry(hook: str, args: list[str], cwd: Path, redirect: str,
              stdin: str = "") -> subprocess.CompletedProcess[str]:
    """The hook as `install` writes it (`python -P -c ... entry()`), its
    streams redirected by the shell (`>&-` closes stdout)."""
    code = f"from {MODULES[hook]} import entry; entry()"
    env = hook_env(PYTHONPATH=PACKAGE_ROOT)
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {redirect}', "sh", sys.executable, "-P", "-c", code, *args],
        cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("hook", sorted(MODULES))
def test_help_with_stdout_closed_exits_0_without_a_traceback(hook: str, tmp_path: Path) -> None:
    done = run_entry(hook, ["--help"], tmp_path, ">&-")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0


def test_pre_receive_with_nothing_pushed_and_stdout_closed_passes(tmp_path: Path) -> None:
    server = tmp_path / "server.git"
    git(tmp_path, "init", "--bare", "-q", str(server))
    done = run_entry("pre-receive", [], server, ">&-")
    assert "Traceback" not in done.stderr
    assert done.returncode == 0


def test_a_blocking_exit_code_survives_a_closed_stderr(tmp_path: Path) -> None:
    # A tool error (no repository here): 2, whatever became of the message.
    done = run_entry("pre-push", ["origin", "url"], tmp_path, "2>&-",
                     stdin="refs/heads/main 1 refs/heads/main 0\n")
    assert done.returncode != 0
