"""Generate a large repository for benchmarks: N finished hotfix records on main
(every gate passes, even long after the deadlines) spread over M commits.

    .venv/bin/python -m benchmarks.generate DEST --records 1000 --commits 20000

It writes one `git fast-import` stream, so 20,000 commits take seconds. Each
commit changes `src/build.txt`; the commits that bring a record add its
folder (hotfix.md, post-mortem.md) and its regression test. Output is the
same on every run (fixed names, contents and dates). Standard library only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Iterator

EPOCH = 1_735_689_600  # 2025-01-01T00:00:00Z: the first commit
STEP = 600  # seconds between commits
AUTHOR = "Bench Responder <responder@example.com>"


def _iso(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def record_files(number: int, when: int) -> dict[str, str]:
    """A record that passes every gate: assessed, reviewed, rolled back plan,
    resolved, post-mortem complete, regression test present."""
    slug = f"incident-{number}"
    folder = f"specs/hotfix/{number:03d}-{slug}"
    test_path = f"tests/regressions/test_hotfix_{number:03d}.py"
    test_name = f"test_hotfix_{number:03d}"
    hotfix = f"""---
id: hotfix-{number:03d}
title: incident {number}
branch: hotfix/{number:03d}-{slug}
severity: P1
status: resolved
incident_start: '{_iso(when - 3600)}'
detected_at: '{_iso(when - 3300)}'
deployed_at: '{_iso(when - 1800)}'
resolved_at: '{_iso(when - 600)}'
rollback_plan: revert the fix commit and redeploy the previous release
reviewed_by: alice
regression_tests:
- {test_path}::{test_name}
---

# Hotfix {number:03d}: incident {number}

## Rollback Plan
Revert the fix commit and redeploy the previous release.
"""
    post_mortem = f"""---
status: complete
---
# Post-mortem: incident {number}

## Executive Summary
Requests failed for twenty minutes after a configuration change (incident {number}).

## Timeline
- T+0m alerts fired
- T+30m fix deployed

## Root Cause Analysis
A limit was lowered without a load test.

## Action Items
- [x] Regression test for the limit

## Lessons Learned
Limits need a load test before they change.
"""
    test = f"def {test_name}():\n    assert True\n"
    return {f"{folder}/hotfix.md": hotfix, f"{folder}/post-mortem.md": post_mortem,
            test_path: test}


def stream(records: int, commits: int) -> Iterator[bytes]:
    """The fast-import commands: commit k brings records k*N//M .. (k+1)*N//M - 1."""
    yield b"feature done\n"
    files = {"README.md": "# bench service\n", ".gitignore": "__pycache__/\n"}
    for k in range(commits):
        when = EPOCH + k * STEP
        changes = dict(files) if k == 0 else {}
        changes["src/build.txt"] = f"build {k}\n"
        first, last = k * records // commits, (k + 1) * records // commits
        if k == commits - 1:
            last = records
        for index in range(first, last):
            changes.update(record_files(index + 1, when))
        added = last - first
        message = (f"Add records {first + 1}..{last}" if added > 1 else
                   f"Add record {first + 1}" if added == 1 else f"Build {k}").encode()
        out = [b"commit refs/heads/main\n", b"mark :%d\n" % (k + 1),
               b"committer %s %d +0000\n" % (AUTHOR.encode(), when),
               b"data %d\n%s\n" % (len(message), message)]
        if k:
            out.append(b"from :%d\n" % k)
        for path, text in changes.items():
            data = text.encode()
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        yield b"".join(out)
    yield b"done\n"


def generate(dest: str, records: int, commits: int, checkout: bool = True) -> None:
    if os.path.exists(dest) and os.listdir(dest):
        raise SystemExit(f"generate.py: {dest} exists and is not empty; name a new folder")
    if commits < 1 or records < 0:
        raise SystemExit("generate.py: --commits must be at least 1 and --records at least 0")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    subprocess.run(["git", "init", "-q", "-b", "main", dest], check=True, env=env)
    for key, value in (("user.name", "Bench Responder"), ("user.email", "responder@example.com"),
                       ("commit.gpgsign", "false")):
        subprocess.run(["git", "-C", dest, "config", key, value], check=True, env=env)
    importer = subprocess.Popen(["git", "-C", dest, "fast-import", "--quiet"],
                                stdin=subprocess.PIPE, env=env)
    assert importer.stdin is not None
    for chunk in stream(records, commits):
        importer.stdin.write(chunk)
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("generate.py: git fast-import failed")
    if checkout:
        subprocess.run(["git", "-C", dest, "checkout", "-q", "-f", "main"], check=True, env=env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="a new folder for the repository")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=20000)
    parser.add_argument("--no-checkout", action="store_true", help="leave the working tree empty")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    generate(args.dest, args.records, args.commits, checkout=not args.no_checkout)
    print(f"{args.dest}: {args.records} records, {args.commits} commits on main "
          f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
