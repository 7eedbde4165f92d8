"""The README's Quick start, typed as it is written, in both flows: the
commands work, their commits reach main, and 49 hours after the resolution
a push to main is refused until the follow-up it shows is done."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from testing.repos import COMPLETE_POST_MORTEM, clean_env, git, make_repo

README = Path(__file__).resolve().parents[2] / "README.md"
RECORD = "specs/hotfix/001-database-connection-pool"


def quick_start() -> list[str]:
    """The shell blocks of the Quick start section, in order."""
    text = README.read_text()
    section = text[text.index("## Quick start"):text.index("\n## ", text.index("## Quick start")
                                                              + 3)]
    return re.findall(r"```sh\n(.*?)```", section, re.DOTALL)


class Shell:
    """Runs README lines in the clone, with `hotfix-gate` on PATH and the clock set."""

    def __init__(self, clone: Path, server: Path) -> None:
        self.clone, self.server = clone, server
        self.now = datetime.now(UTC) - timedelta(days=3)

    def env(self) -> dict[str, str]:
        stamp = self.now.strftime("%Y-%m-%dT%H:%M:%SZ")
        path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
        return clean_env(HOTFIX_GATE_NOW=stamp, GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp,
                         PATH=path)

    def run(self, line: str, expect: int = 0) -> str:
        # The server's hook keeps its own clock (its git config), never the pusher's.
        git(self.server, "config", "hotfix-gates.now", self.now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        done = subprocess.run(["bash", "-c", line], cwd=self.clone, env=self.env(),
                              capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == expect, f"{line}\n{done.stdout}{done.stderr}"
        return done.stdout + done.stderr

    def block(self, text: str, actions: dict[str, str]) -> None:
        """Each line of a README block; a comment line naming a manual step does it."""
        for line in text.splitlines():
            command = line.split("  #", 1)[0].strip()
            if line.startswith("#"):
                for words, action in actions.items():
                    if words in line:
                        self.run(action)
            elif command and not command.startswith(("pip install", "cd your-service")):
                self.run(command)


def setup(root: Path) -> Shell:
    server = root / "service.git"
    git(root, "init", "-q", "--bare", "-b", "main", str(server))
    seed = make_repo(root / "seed")
    git(seed, "push", "-q", str(server), "main")
    clone = root / "service"
    git(root, "clone", "-q", str(server), str(clone))
    for key, value in (("user.name", "Test Responder"), ("user.email", "r@example.com")):
        git(clone, "config", key, value)
    return Shell(clone, server)


MANUAL = {
    "on the server, in the bare repository": "hotfix-gate -C ../service.git install",
    "the fix, committed as usual": "echo 'fixed = True' > fix.py && git add fix.py && "
                                   "git commit -q -m 'The fix'",
}


@pytest.mark.parametrize("flow", ["main", "git-flow"])
def test_the_quick_start_as_written(tmp_path: Path, flow: str) -> None:
    opening, flows, follow_up = quick_start()
    shell = setup(tmp_path)
    shell.block(opening, MANUAL)
    assert (shell.server / "hooks/pre-receive").exists()
    log = git(shell.clone, "log", "--format=%s", "hotfix/001-database-connection-pool").stdout
    assert log.splitlines()[:4] == ["The fix", "hotfix-001: rollback plan written",
                                    "hotfix-001: severity P0",
                                    "hotfix-001: open the record: database connection pool "
                                    "exhausted causing 503 errors"]

    from_main, from_branch = flows.split("\n# Or git-flow", 1)
    shell.now += timedelta(minutes=40)
    if flow == "main":
        shell.block(from_main, {})
    else:  # still on the hotfix branch, as the opening left it
        shell.block("# Or git-flow" + from_branch, {})
    main = git(shell.server, "show", f"main:{RECORD}/hotfix.md").stdout
    assert "status: resolved" in main and "resolved_at: 20" in main  # the clock runs on main

    # 49 hours later, an ordinary change to main is refused, by the hook and the server.
    shell.now += timedelta(hours=49)
    shell.run("git switch -q main && echo docs > NOTES.md && git add NOTES.md && "
              "git commit -q -m 'Notes'")
    refused = shell.run("git push", expect=1)
    assert "HG201 post-mortem" in refused and "HG202 regression-test" in refused
    assert "remote: hotfix-gate pre-receive to main: blocked" in shell.run(
        "git push --no-verify", expect=1)

    # The follow-up, as the README shows it, unblocks it.
    (shell.clone / "tests").mkdir()
    (shell.clone / "tests/test_pool.py").write_text("def test_release():\n    pass\n")
    post_mortem = COMPLETE_POST_MORTEM.replace("status: complete", "status: draft")
    (shell.clone / RECORD / "post-mortem.md").write_text(post_mortem)
    shell.block(follow_up, {"write post-mortem.md": f"git commit -q -m 'Post-mortem' "
                                                    f"{RECORD}/post-mortem.md"})
    shell.run("git push")
    main = git(shell.server, "show", f"main:{RECORD}/hotfix.md").stdout
    assert "status: closed" in main and "tests/test_pool.py::test_release" in main
    assert git(shell.clone, "status", "--porcelain").stdout == ""
