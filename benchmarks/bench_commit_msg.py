"""The raw commit-msg hook on an ordinary commit, against `python -c pass`.

    .venv/bin/python -m benchmarks.bench_commit_msg [--runs 41] [--check]

The hook is the script `hotfix-gate install` writes, run as git runs it (from
the working tree's root, with the message file and $GIT_INDEX_FILE) on a
staged change to README.md, in a repository with no record and in one with 20
records: on main (protected) and on a feature branch. Each of the two
commands runs `--runs` times, alternating, and the medians are compared, so a
machine that gets busier mid-run slows both alike.

Python's bytecode cache is on (in a private folder), as it is for an installed
package; with PYTHONDONTWRITEBYTECODE=1 every start also compiles the hook's
modules. `--check` exits 1 when a ratio is above 3.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from hotfix_gates.commands.install import render
from testing.repos import clean_env, commit_all, git, make_repo, write_record

LIMIT = 3.0


def build(root: Path, records: int) -> Path:
    repo = make_repo(root)
    for number in range(1, records + 1):
        write_record(repo, number, f"incident-{number}", severity="P1",
                     rollback_plan="git revert the fix", reviewed_by="alice")
    commit_all(repo, f"{records} records")
    hook = repo / ".git" / "hooks" / "commit-msg"
    hook.write_text(render("commit-msg", sys.executable))
    hook.chmod(0o755)
    (repo / ".git" / "COMMIT_EDITMSG").write_text("an ordinary change\n")
    (repo / "README.md").write_text("an ordinary change\n")
    git(repo, "add", "README.md")
    return repo


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0 or done.stderr:
        raise SystemExit(f"{' '.join(command)} in {cwd}: exit {done.returncode}\n"
                         f"{done.stderr.decode(errors='replace')}")
    return elapsed


def compare(repo: Path, runs: int, env: dict[str, str]) -> tuple[float, float]:
    hook = [str(repo / ".git" / "hooks" / "commit-msg"), ".git/COMMIT_EDITMSG"]
    bare = [sys.executable, "-c", "pass"]
    for _ in range(3):  # warm the file cache and the bytecode cache
        timed(hook, repo, env)
        timed(bare, repo, env)
    hook_times, bare_times = [], []
    for _ in range(runs):
        bare_times.append(timed(bare, repo, env))
        hook_times.append(timed(hook, repo, env))
    return statistics.median(hook_times), statistics.median(bare_times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=41)
    parser.add_argument("--check", action="store_true", help=f"exit 1 above {LIMIT}x")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-commit-msg-") as folder:
        return run(Path(folder), args.runs, args.check)


def run(work: Path, runs: int, check: bool) -> int:
    env = clean_env(GIT_INDEX_FILE=".git/index", PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    empty = build(work / "no-records", 0)
    busy = build(work / "twenty-records", 20)
    git(busy, "branch", "feature/retry-budget")

    worst = 0.0
    print(f"{'repository':<16} {'branch':<22} {'hook ms':>8} {'pass ms':>8} {'ratio':>6}")
    for repo, branch in ((empty, "main"), (busy, "main"), (busy, "feature/retry-budget")):
        git(repo, "checkout", "-q", branch)
        hook, bare = compare(repo, runs, env)
        worst = max(worst, hook / bare)
        print(f"{repo.name:<16} {branch:<22} {hook * 1000:8.1f} {bare * 1000:8.1f} "
              f"{hook / bare:6.2f}")
    print(f"worst ratio {worst:.2f} (limit {LIMIT}); medians of {runs} alternating runs; "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    return 1 if check and worst > LIMIT else 0


if __name__ == "__main__":
    sys.exit(main())
