"""`hotfix-gate check` over 1,000 records, as whole processes.

    .venv/bin/python -m benchmarks.bench_check [--runs 9] [--records 1000]

Generates a repository with benchmarks/generate.py (every record resolved
long ago, so every gate, post-mortem and regression test is read), then
times `hotfix-gate check` on the working tree, `check --rev HEAD` with no
parse cache, and `check --rev HEAD` with the cache of the previous run.
Prints medians next to `python -c "import pygit2"`. Reported, not asserted;
the target is under 1 second for the working tree.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
NOW = "2030-01-01T00:00:00Z"


def timed(command: list[str], cwd: Path, env: dict[str, str],
          before: Callable[[], None] | None = None) -> float:
    if before is not None:
        before()
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False,
                            env=env)
    elapsed = time.perf_counter() - start
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--records", type=int, default=1000)
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="hotfix-gates-bench-"))
    try:
        repo = root / "repo"
        subprocess.run([sys.executable, str(HERE / "generate.py"), str(repo), "--records",
                        str(args.records), "--commits", str(args.records)], check=True,
                       capture_output=True)
        # Byte code on, in a private folder, as for any installed package.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        gate = [sys.executable, "-m", "hotfix_gates.cli", "check", "--now", NOW]
        cache = repo / ".git" / "hotfix-gates"

        def drop_cache() -> None:
            shutil.rmtree(cache, ignore_errors=True)

        cases: dict[str, tuple[list[str], Callable[[], None] | None]] = {
            'python -c "import pygit2"': ([sys.executable, "-c", "import pygit2"], None),
            "check (working tree)": (gate, None),
            "check --rev HEAD (no cache)": ([*gate, "--rev", "HEAD"], drop_cache),
            "check --rev HEAD (cached)": ([*gate, "--rev", "HEAD"], None),
        }
        for command, before in cases.values():  # warm byte code and the page cache
            timed(command, repo, env, before)
        samples: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (command, before) in cases.items():
                samples[name].append(timed(command, repo, env, before))
        base = statistics.median(samples['python -c "import pygit2"'])
        print(f"{args.records} records, median of {args.runs} runs (cores: {os.cpu_count()})")
        for name, values in samples.items():
            median = statistics.median(values)
            print(f"  {name:<32} {median * 1000:7.0f} ms  {median / base:4.1f}x import pygit2")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
