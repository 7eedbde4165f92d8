"""`hotfix-gate demo`: two incidents, start to finish, in a throwaway setup.

Everything is real: a bare repository standing in for the server with the
pre-receive hook installed, a clone with the pre-push and commit-msg hooks,
and the commands a responder types. Each command is printed as it could be
typed again by hand, with the HOTFIX_GATE_NOW that moves the clock along the
story (past times: the edits refuse a future one), and each commit is shown.
The server's hook ignores the pusher's HOTFIX_GATE_NOW: before a push, the
demo sets the server's own clock (`git config hotfix-gates.now`) and shows it.

The first incident is deployed from main after its merge; the second is
deployed from its hotfix branch and merged afterwards (git-flow). Fifty hours
on, the first one's post-mortem and regression test are overdue: a push to
main is refused, by the hook and by the server, until they are done.
"""

from __future__ import annotations

import contextlib
import io
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotfix_gates.model.errors import EXIT_OK, ToolError
from hotfix_gates.model.timeutil import format_timestamp

BOLD, RED, GREEN, CYAN, GREY = "1", "31", "32", "36", "90"
POOL = "database connection pool exhausted causing 503 errors"
SEARCH = "search index returns empty results"
POOL_BRANCH = "hotfix/001-database-connection-pool"
SEARCH_BRANCH = "hotfix/002-search-index-returns"
CLOCK_NOTE = "hotfix-gate: note: HOTFIX_GATE_NOW="

POOL_CODE = '''"""Connection pool of the demo service."""


def checkout(pool, fail=False):
    conn = pool.pop()
    if fail:
        return None
    return conn
'''
POOL_FIX = POOL_CODE.replace("        return None\n",
                             "        pool.append(conn)  # give it back on the early return\n"
                             "        return None\n")
REGRESSION_TEST = '''from app.pool import checkout


def test_connection_returned_on_early_exit():
    pool = ["c1"]
    assert checkout(pool, fail=True) is None
    assert pool == ["c1"]
'''
POST_MORTEM = """---
status: draft
---
# Post-mortem: hotfix-001

## Executive Summary
Checkout returned 503s for 58 minutes: an early return leaked pool connections.

## Timeline
| Time (UTC) | Event |
| --- | --- |
| T+0m | 503 alerts fire |
| T+40m | fix deployed from main |

## Root Cause Analysis
`checkout(fail=True)` returned without giving its connection back to the pool.

## Action Items
- [x] Regression test for the early return
- [ ] Alert when the pool is 80% used

## Lessons Learned
Pool saturation was not on any dashboard.
"""


def _styled(text: str, *codes: str) -> str:
    """ANSI colour on a terminal, plain text anywhere else."""
    if not codes or not sys.stdout.isatty():
        return text
    return f"\033[{';'.join(codes)}m{text}\033[0m"


class Story:
    """The throwaway setup, its clock, and how each step is run and shown."""

    def __init__(self, root: Path, start: datetime) -> None:
        self.root = root
        self.server = root / "service.git"
        self.clone = root / "service"
        self.start = start
        self.clock = start
        self.server_clock = ""  # the time set in the server's git config (hotfix-gates.now)

    # --- showing -----------------------------------------------------------------

    def say(self, text: str) -> None:
        print(_styled(f"\n# {text}", CYAN, BOLD))

    def at(self, offset: timedelta) -> str:
        self.clock = self.start + offset
        return format_timestamp(self.clock)

    def _show(self, command: str, output: str, code: int, expect: int) -> None:
        prefix = f"HOTFIX_GATE_NOW={format_timestamp(self.clock)} "
        print(_styled(f"$ {prefix}{command}", BOLD))
        for line in output.rstrip().splitlines():
            if not line.startswith(CLOCK_NOTE):  # the prefix above says the same
                print(f"  {line}")
        if code != 0:
            print(_styled(f"  [exit {code}: {'blocked' if code == 1 else 'refused'}]", RED))
        if code != expect:
            raise ToolError(f"the demo went off its script at `{command}` (exit {code}); "
                            "please report it")

    @contextlib.contextmanager
    def _environment(self) -> Iterator[None]:
        """The clock and a committer for this step; nothing from the caller's git."""
        saved = dict(os.environ)
        stamp = format_timestamp(self.clock)
        for name in list(os.environ):
            if name.startswith(("GIT_", "HOTFIX_GATE", "SPECIFY_", "PRE_COMMIT")):
                del os.environ[name]
        os.environ.update(HOTFIX_GATE_NOW=stamp, GIT_AUTHOR_DATE=stamp,
                          GIT_COMMITTER_DATE=stamp, GIT_CONFIG_NOSYSTEM="1")
        try:
            yield
        finally:
            os.environ.clear()
            os.environ.update(saved)

    # --- running -----------------------------------------------------------------

    def gate(self, *args: str, expect: int = 0, where: Path | None = None) -> str:
        """`hotfix-gate ARGS` as typed in the clone (run in this process)."""
        from hotfix_gates.cli import main

        out, err = io.StringIO(), io.StringIO()
        with self._environment(), contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            code = main(["-C", str(where or self.clone), *args])
        shown = " ".join(shlex.quote(a) for a in args)
        if where is not None:
            shown = f"-C {os.path.relpath(where, self.clone)} {shown}"
        self._show(f"hotfix-gate {shown}", out.getvalue() + err.getvalue(), code, expect)
        return out.getvalue()

    def git(self, *args: str, expect: int = 0, quiet: bool = False,
            cwd: Path | None = None) -> str:
        """`git ARGS` in the clone (or `cwd`), with the hooks running as they would for you."""
        stamp = format_timestamp(self.clock)
        if args[0] == "push" and self.server_clock != stamp:
            # The server's hook judges at its own time, never the pusher's HOTFIX_GATE_NOW.
            self.server_clock = stamp
            self.git("-C", os.path.relpath(self.server, self.clone), "config",
                     "hotfix-gates.now", stamp)
        with self._environment():
            done = subprocess.run(["git", *args], cwd=cwd or self.clone, capture_output=True,
                                  text=True, check=False)
        output = done.stdout + done.stderr
        if args[0] in ("commit", "merge") and done.returncode == 0:
            output += self._commit_line()
        if not quiet:
            shown = " ".join(shlex.quote(a) for a in args)
            self._show(f"git {shown}", output, min(done.returncode, 1), expect)
        elif done.returncode != 0:
            raise ToolError(f"git {args[0]} failed in the demo: {output.strip()}")
        return done.stdout

    def _commit_line(self) -> str:
        done = subprocess.run(["git", "log", "-1", "--format=[%h] %s"], cwd=self.clone,
                              capture_output=True, text=True, check=False)
        branch = subprocess.run(["git", "branch", "--show-current"], cwd=self.clone,
                                capture_output=True, text=True, check=False).stdout.strip()
        return f"committed on {branch}: {done.stdout.strip()}\n"

    def write(self, rel: str, text: str) -> None:
        path = self.clone / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        print(_styled(f"  (the responder writes {rel})", GREY))


@contextlib.contextmanager
def _workspace(keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="hotfix-gates-demo-"))
    try:
        yield root
    finally:
        if keep:
            print(f"\nThe demo is kept in {root}: service/ (the clone), service.git (the "
                  "server)")
        else:
            shutil.rmtree(root, ignore_errors=True)


def demo(keep: bool) -> int:
    """Walk two incidents through the gates in a throwaway setup."""
    if shutil.which("git") is None:
        raise ToolError("the demo runs git, which is not on PATH; install git first")
    # Three days ago on the hour: the story ends in the past, as edits must.
    start = (datetime.now(UTC) - timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    with _workspace(keep) as root:
        story = Story(root, start)
        _setup(story)
        _deploy_from_main(story)
        _deploy_from_the_branch(story)
        _fifty_hours_later(story)
    return EXIT_OK


def _setup(story: Story) -> None:
    story.say("A server (a bare repository) and your clone of it, in a new folder; then "
              "everything runs in service/:")
    story.git("init", "-q", "--bare", "-b", "main", "service.git", cwd=story.root)
    story.git("clone", "-q", "service.git", "service", cwd=story.root)
    story.git("config", "user.name", "Demo Responder", quiet=True)
    story.git("config", "user.email", "responder@example.com", quiet=True)
    story.git("config", "commit.gpgsign", "false", quiet=True)
    story.git("symbolic-ref", "HEAD", "refs/heads/main", quiet=True)
    story.write("app/__init__.py", "")
    story.write("app/pool.py", POOL_CODE)
    story.git("add", "-A")
    story.git("commit", "-q", "-m", "The demo service")
    story.git("push", "-q", "-u", "origin", "main")
    story.say("The hooks: pre-receive on the server, pre-push and commit-msg in your clone:")
    story.gate("install", where=story.server)
    story.gate("install")


def _deploy_from_main(story: Story) -> None:
    story.say(f"{story.at(timedelta())}: checkout returns 503s. Open the hotfix; --commit puts "
              "the record on its branch:")
    story.gate("new", POOL, "--commit")
    story.say("The fix comes first (tests may follow: the emergency exception):")
    story.at(timedelta(minutes=10))
    story.write("app/pool.py", POOL_FIX)
    story.git("commit", "-q", "-am", "Give the connection back on the early return")
    story.git("push", "-q", "-u", "origin", POOL_BRANCH, expect=1)
    story.say("The hook wants the severity. Each edit is committed, since the hooks read "
              "commits:")
    story.at(timedelta(minutes=12))
    story.gate("set", "severity", "P0", "--commit")
    story.gate("set", "rollback-plan", "git revert the pool fix; redeploy the previous image",
               "--commit")
    story.git("push", "-q", "-u", "origin", POOL_BRANCH)
    story.say("Flow 1, deploy from main after the merge: merge, push, deploy from main, and "
              "record it there:")
    story.at(timedelta(minutes=20))
    story.git("checkout", "-q", "main")
    story.git("merge", "-q", "--no-ff", POOL_BRANCH, "-m", f"Merge {POOL_BRANCH}")
    story.git("push", "-q", "origin", "main")
    story.at(timedelta(minutes=41))
    story.gate("deployed", "--id", "1",
               "--at", format_timestamp(story.start + timedelta(minutes=40)), "--commit")
    story.at(timedelta(minutes=58))
    story.gate("resolved", "--id", "1", "--commit")
    story.git("push", "-q", "origin", "main")
    print(_styled("  (main now holds resolved_at: the 48-hour clock of hotfix-001 runs there)",
                  GREY))


def _deploy_from_the_branch(story: Story) -> None:
    story.say(f"{story.at(timedelta(hours=3))}: search returns nothing. Flow 2, git-flow: "
              "deploy from the hotfix branch, merge after:")
    story.gate("new", SEARCH, "--severity", "P1", "--commit")
    story.at(timedelta(hours=3, minutes=20))
    story.write("app/search.py", "def search(index, words):\n    return index.find(words)\n")
    story.git("add", "app/search.py")
    story.git("commit", "-q", "-m", "Query the index again")
    story.gate("set", "rollback-plan", "redeploy search v2.3.1", "--commit")
    story.gate("set", "reviewed-by", "Ana Ruiz", "--commit")
    story.at(timedelta(hours=3, minutes=40))
    story.gate("deployed", "--commit")
    story.at(timedelta(hours=4))
    story.gate("resolved", "--commit")
    story.git("push", "-q", "-u", "origin", SEARCH_BRANCH)
    story.say("Finish the hotfix: the merge brings its dates to main (until then main cannot "
              "see them):")
    story.at(timedelta(hours=4, minutes=5))
    story.git("checkout", "-q", "main")
    story.git("merge", "-q", "--no-ff", SEARCH_BRANCH, "-m", f"Merge {SEARCH_BRANCH}")
    story.git("push", "-q", "origin", "main")


def _fifty_hours_later(story: Story) -> None:
    later = timedelta(minutes=58) + timedelta(hours=49)
    story.say(f"{story.at(later)}: 49 hours after hotfix-001 was resolved, an ordinary change "
              "to main:")
    story.write("README.md", "The demo service.\n")
    story.git("add", "README.md")
    story.git("commit", "-q", "-m", "Add a README")
    story.git("push", "-q", "origin", "main", expect=1)
    story.say("--no-verify skips your hook, not the server's:")
    story.git("push", "-q", "--no-verify", "origin", "main", expect=1)
    story.say("What unblocks it: the regression test and the post-mortem, each committed:")
    story.at(later + timedelta(minutes=30))
    story.write("tests/test_pool.py", REGRESSION_TEST)
    story.git("add", "tests/test_pool.py")
    story.git("commit", "-q", "-m", "Regression test for the pool leak")
    story.gate("regression-test", "tests/test_pool.py::test_connection_returned_on_early_exit",
               "--id", "1", "--commit")
    story.write("specs/hotfix/001-database-connection-pool/post-mortem.md", POST_MORTEM)
    story.git("commit", "-q", "-m", "Post-mortem of hotfix-001",
              "specs/hotfix/001-database-connection-pool/post-mortem.md")
    story.gate("post-mortem-complete", "--id", "1", "--commit")
    story.gate("closed", "--id", "1", "--commit")
    story.git("push", "-q", "origin", "main")
    story.say("What is due next: hotfix-002's follow-up, counted from its own resolution:")
    story.gate("status")
    story.say("In your own repository: pip install this folder (or its git URL), then\n"
              "# `hotfix-gate install` (or the pre-commit plugin); on the server side, where\n"
              "# --no-verify cannot skip it, the pre-receive hook or `hotfix-gate check --base "
              "main`.")
