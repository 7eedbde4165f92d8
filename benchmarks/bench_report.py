"""`hotfix-gate report` over many repositories at once, as whole processes.

    .venv/bin/python -m benchmarks.bench_report [--repositories 200] [--records 50] [--runs 3]

Generates the repositories with testing/fleet.py (varied records: open and
resolved incidents, draft and late post-mortems, missing tests, waivers),
lists them in a file, then times `hotfix-gate report --repos-from FILE` as
JSON and as the HTML page with its charts. Prints, per format, the median
wall time, the CPU time (user + system, which load from other processes
does not inflate) and the peak memory. Reported, not asserted; the target
is 200 repositories of 50 records in under 30 s on 2 cores.
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
from pathlib import Path

from testing.fleet import NOW, make_fleet


def measure(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, int, int]:
    """Wall seconds, CPU seconds, peak memory (KiB) and bytes written of one run."""
    out = cwd / "out"
    start = time.perf_counter()
    with open(out, "wb") as sink:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=sink,
                                   stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    assert process.stderr is not None
    errors = process.stderr.read().decode()
    process.stderr.close()
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command[:6])} ... failed:\n{errors}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, out.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--formats", default="json,html")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="hotfix-gates-bench-report-"))
    try:
        started = time.perf_counter()
        made = make_fleet(root / "fleet", args.repositories, args.records)
        print(f"{len(made)} repositories of {args.records} records generated in "
              f"{time.perf_counter() - started:.1f} s (cores: {os.cpu_count()})")
        listing = root / "repositories.txt"
        listing.write_text("".join(f"{path}\n" for path in made))
        # Byte code on, in a private folder, as for any installed package.
        env = {k: v for k, v in os.environ.items()
               if k != "PYTHONDONTWRITEBYTECODE" and not k.startswith(("GIT_", "HOTFIX_GATE"))}
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        for fmt in args.formats.split(","):
            command = [sys.executable, "-m", "hotfix_gates.cli", "report", "--now", NOW,
                       "--repos-from", str(listing), "--format", fmt]
            measure(command, root, env)  # warm byte code and the page cache
            runs = [measure(command, root, env) for _ in range(args.runs)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = max(r[2] for r in runs)
            print(f"  report --format {fmt:<5} {wall:6.1f} s wall  {cpu:6.1f} s CPU  "
                  f"{peak / 1024:5.0f} MB peak  {runs[0][3] / 1024:7.0f} KB out  "
                  f"(median of {args.runs}; target < 30 s)")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
