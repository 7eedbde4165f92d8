"""The raw commit-msg hook on an ordinary commit, against `python -c pass`.

    .venv/bin/python -m benchmarks.bench_commit_msg [--runs 41] [--check]

The hook is the script `hotfix-gate install` writes, run as git runs it (from
the working tree's root, with the message file and $GIT_INDEX_FILE) on a
staged change to README.md, in a repository with no record, in one with 20
records, and in one with 20 records and a `.hotfix-gates.yaml` (its settings
come from the blob-id cache after the first run): on main (protected: the
hook asks git whether a record changed) and on a feature branch (it asks git
for the index's configuration only). Each of the two commands runs `--runs`
times, alternating, and the medians are compared, so a machine that gets
busier mid-run slows both alike.

Targets: <= 2x `python -c pass` on a feature branch, <= 3x on a protected
one. Python's bytecode cache is on (in a private folder), as it is for an
installed package; with PYTHONDONTWRITEBYTECODE=1 every start also compiles
the hook's modules. `--check` exits 1 when a ratio is above its target.
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

LIMITS = {"main": 3.0, "feature": 2.0}  # protected branch, ordinary branch


def build(root: Path, records: int, config: str = "") -> Path:
    repo = make_repo(root)
    for number in range(1, records + 1):
        write_record(repo, number, f"incident-{number}", severity="P1",
                     rollback_plan="git revert the fix", reviewed_by="alice")
    if config:
        (repo / ".hotfix-gates.yaml").write_text(config)
    commit_all(repo, f"{records} records")
    git(repo, "branch", "feature/retry-budget")
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
    parser.add_argument("--check", action="store_true", help="exit 1 over a target")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="bench-commit-msg-") as folder:
        return run(Path(folder), args.runs, args.check)


def run(work: Path, runs: int, check: bool) -> int:
    env = clean_env(GIT_INDEX_FILE=".git/index", PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    empty = build(work / "no-records", 0)
    busy = build(work / "twenty-records", 20)
    configured = build(work / "configured", 20, "protected_branches: [main, 'release/*']\n"
                                                "deadlines: {post-mortem: 24h}\n")

    over = []
    print(f"{'repository':<16} {'branch':<22} {'hook ms':>8} {'pass ms':>8} {'ratio':>6} "
          f"{'target':>6}")
    for repo in (empty, busy, configured):
        for branch in ("main", "feature/retry-budget"):
            git(repo, "checkout", "-q", branch)
            hook, bare = compare(repo, runs, env)
            limit = LIMITS[branch.split("/")[0]]
            if hook / bare > limit:
                over.append(f"{repo.name} {branch}")
            print(f"{repo.name:<16} {branch:<22} {hook * 1000:8.1f} {bare * 1000:8.1f} "
                  f"{hook / bare:6.2f} {limit:6.1f}")
    print(f"medians of {runs} alternating runs; python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cpus; over target: {', '.join(over) or 'none'}")
    return 1 if check and over else 0


if __name__ == "__main__":
    sys.exit(main())
