"""`hotfix-gate demo`: one incident's life in a throwaway repository.

Everything runs for real: a repository made with pygit2 in a temporary
folder, the same commands a responder types, and the pre-push hook fed the
line git would give it. The clock is moved with HOTFIX_GATE_NOW so the 48-hour
rule can be shown in seconds.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hotfix_gates.model.timeutil import format_timestamp

BOLD, RED, GREEN, CYAN = "1", "31", "32", "36"

DESCRIPTION = "database connection pool exhausted causing 503 errors"
ZERO = "0" * 40

POOL_CODE = '''"""Connection pool of the demo service."""


def checkout(pool, fail=False):
    conn = pool.pop()
    if fail:
        pool.append(conn)  # the fix: give the connection back on the early return
        return None
    return conn
'''

REGRESSION_TEST = '''from service.pool import checkout


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
| T+40m | fix deployed |

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


def _say(text: str) -> None:
    print(_styled(f"\n# {text}", CYAN, BOLD))


def _run(args: list[str], clock: datetime, *, stdin: str | None = None,
         module: str = "hotfix_gates.cli") -> int:
    """Run a command of ours as its own process, as a user would."""
    shown = "hotfix-gate " + " ".join(shlex.quote(a) for a in args)
    if module != "hotfix_gates.cli":
        shown = f"git push  # the pre-push hook runs: {module.rsplit('.', 1)[-1]}"
    print(_styled(f"$ {shown}", BOLD))
    env = dict(os.environ, HOTFIX_GATE_NOW=format_timestamp(clock))
    env.pop("SPECIFY_HOTFIX", None)
    result = subprocess.run([sys.executable, "-m", module, *args], input=stdin, text=True,
                            capture_output=True, env=env, check=False)
    for line in (result.stdout + result.stderr).rstrip().splitlines():
        print(f"  {line}")
    verdict = {0: "exit 0", 1: "exit 1: blocked", 2: "exit 2: error"}.get(result.returncode,
                                                                        str(result.returncode))
    print(_styled(f"  [{verdict}]", GREEN if result.returncode == 0 else RED))
    return result.returncode


def _commit(path: Path, message: str) -> str:
    import pygit2

    repo = pygit2.Repository(str(path))
    index = repo.index
    index.add_all()
    index.write()
    signature = pygit2.Signature("Demo Responder", "responder@example.com")
    parents = [] if repo.head_is_unborn else [repo.head.target]
    ref = "HEAD"
    oid = repo.create_commit(ref, signature, signature, message, index.write_tree(), parents)
    return str(oid)


def _branch_tip(path: Path) -> tuple[str, str]:
    import pygit2

    repo = pygit2.Repository(str(path))
    return repo.head.name, str(repo.head.target)


@contextmanager
def _workspace(keep: bool) -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="hotfix-gates-demo-"))
    try:
        yield root / "service"
    finally:
        if keep:
            print(f"\nThe demo repository is kept at {root / 'service'}")
        else:
            shutil.rmtree(root, ignore_errors=True)


def demo(keep: bool) -> int:
    """Walk one incident through the gates in a throwaway repository."""
    import pygit2

    start = (datetime.now(UTC) - timedelta(days=3)).replace(microsecond=0)
    with _workspace(keep) as service:
        pygit2.init_repository(str(service), initial_head="main")
        (service / "service").mkdir()
        (service / "service/__init__.py").write_text("")
        (service / "service/pool.py").write_text(POOL_CODE.replace(
            "        pool.append(conn)  # the fix: give the connection back on the early return\n",
            ""))
        _commit(service, "demo service")
        previous = os.getcwd()
        os.chdir(service)
        try:
            return _story(service, start)
        finally:
            os.chdir(previous)


def _story(service: Path, start: datetime) -> int:
    _say("03:12 UTC, production returns 503s. Open an emergency hotfix:")
    if _run(["new", DESCRIPTION], start) != 0:
        return 2
    record = next((service / "specs/hotfix").glob("001-*"))

    _say("The fix is written first (that is the TDD exception), but the gates are not met:")
    (service / "service/pool.py").write_text(POOL_CODE)
    _run(["check"], start + timedelta(minutes=10))

    _say("The branch is committed and pushed to main: the pre-push hook refuses it.")
    _commit(service, "Give the connection back on early return")
    ref, tip = _branch_tip(service)
    _run([], start + timedelta(minutes=12), module="hotfix_gates.hooks.pre_push",
         stdin=f"{ref} {tip} refs/heads/main {ZERO}\n")

    _say("Assess severity and write how to undo the fix, without hand-editing YAML:")
    _run(["set", "severity", "P0"], start + timedelta(minutes=14))
    _run(["set", "rollback-plan", "git revert the pool fix and redeploy the previous image"],
         start + timedelta(minutes=15))
    _run(["check"], start + timedelta(minutes=16))
    _commit(service, "Assess hotfix-001")
    ref, tip = _branch_tip(service)
    if _run([], start + timedelta(minutes=17), module="hotfix_gates.hooks.pre_push",
            stdin=f"{ref} {tip} refs/heads/main {ZERO}\n") == 0:
        print("  (the push goes through)")

    _say("Record detection, deployment and resolution. The 48-hour clock starts at resolution:")
    _run(["detected", "--at", format_timestamp(start + timedelta(minutes=4))],
         start + timedelta(minutes=18))
    _run(["log", "Pool fix merged; deploying"], start + timedelta(minutes=19))
    _run(["deployed", "--at", format_timestamp(start + timedelta(minutes=40))],
         start + timedelta(minutes=41))
    resolved = start + timedelta(minutes=58)
    _run(["resolved", "--at", format_timestamp(resolved)], resolved)

    _say("47 hours later nothing is due yet:")
    _run(["check"], resolved + timedelta(hours=47))
    _say("49 hours later the post-mortem and the regression test are overdue:")
    _run(["check"], resolved + timedelta(hours=49))

    _say("Write the regression test and finish the post-mortem:")
    (service / "tests").mkdir(exist_ok=True)
    (service / "tests/test_pool.py").write_text(REGRESSION_TEST)
    (record / "post-mortem.md").write_text(POST_MORTEM)
    print("  (wrote tests/test_pool.py and the sections of post-mortem.md)")
    _run(["regression-test", "tests/test_pool.py::test_connection_returned_on_early_exit"],
         resolved + timedelta(hours=50))
    _run(["post-mortem-complete"], resolved + timedelta(hours=50))
    code = _run(["check"], resolved + timedelta(hours=50))
    _run(["report", "--format", "text"], resolved + timedelta(hours=50))

    _say("In your own repository:")
    print("  pip install /path/to/hotfix-gates && hotfix-gate install  # pre-push, commit-msg")
    print("  or add the pre-commit plugin (see the README), and run the pre-receive hook"
               " or `hotfix-gate check --base main` in CI, where --no-verify cannot skip it.")
    return 0 if code == 0 else 1
