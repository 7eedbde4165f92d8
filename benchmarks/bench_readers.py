"""Every reader of record text on hostile input, with a time bound it checks.

    .venv/bin/python -m benchmarks.bench_readers [--check] [--scale 1.0]

Each case is given to each reader of Markdown or front matter: hotfix.md
with front matter (the case as its body, no rollback_plan key, so the body
is read), hotfix.md in the spec-kit form, post-mortem.md, the timeline and
action-item readers of `status` and `report`, `log`'s row placement, and
`migrate`'s derivation of front matter. Every case is run at full size and
at a quarter of it: `--check` exits 1 when a reader takes more than BOUND
seconds, or more than RATIO times as long at full size as at a quarter
(linear is 4, quadratic 16: the margin absorbs a busy machine).

It also prints what markdown-it-py costs: its import (`python -X
importtime`) and the parse of ordinary records.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hotfix_gates.commands.migrate import record_values
from hotfix_gates.editing.frontmatter import append_timeline_row
from hotfix_gates.model.errors import EditError
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem
from hotfix_gates.parsing.markdown import forget
from hotfix_gates.reporting.metrics import open_action_items, timeline_updates
from testing.repos import COMPLETE_POST_MORTEM

BOUND = 3.0  # seconds, for one reader on one case at full size
RATIO = 8.0  # full size against a quarter of it; linear is 4, quadratic 16
ROOT = Path(__file__).resolve().parents[1]
FOLDER = "specs/hotfix/001-bench"
HEAD = "---\nid: hotfix-001\nstatus: investigating\nincident_start: 2025-10-01T10:00:00Z\n---\n"
SPEC_KIT = "# Hotfix: bench\n\n**Hotfix ID**: hotfix-001\n**Status**: [x] Monitoring\n"
SECTIONS = "## Rollback Plan\n\n## Action Items\n\n## Timeline\n\n"
TABLE = "| Time (UTC) | Event |\n| --- | --- |\n"

# name -> text of n units; the full size is the n given here.
CASES: dict[str, tuple[Callable[[int], str], int]] = {
    "a 100 KB line": (lambda n: "word " * n, 20_000),
    "a 100 KB line of `[`": (lambda n: "[" * n, 100_000),
    "a 100 KB line of `\\`": (lambda n: "\\" * n, 100_000),
    "60,000 headings": (lambda n: "# h\n" * n, 60_000),
    "`|` and 2,000 spaces, 100 rows": (lambda n: TABLE + ("|" + " " * 2_000 + "\n") * n, 100),
    "4,900 task items": (lambda n: "- [ ] x\n" * n, 4_900),
    "4,900 table rows": (lambda n: TABLE + "| 2025-10-01T10:00:00Z | x |\n" * n, 4_900),
    "`<!--` x 50,000": (lambda n: "<!--" * n, 50_000),
    "4,900 fence lines": (lambda n: "```\n" * n, 4_900),
    "4,900 label lines": (lambda n: "**Detection**: later\n" * n, 4_900),
}


def _log(data: bytes) -> None:
    with contextlib.suppress(EditError):  # refused (too large): an answer, timed as one
        append_timeline_row(data, "2025-10-01T10:00:00Z", "bench")


def readers(text: str) -> dict[str, Callable[[], object]]:
    front = (HEAD + SECTIONS + text).encode()
    spec_kit = (SPEC_KIT + SECTIONS + text).encode()
    post = ("---\nstatus: complete\n---\n## Action Items\n" + text).encode()

    def status() -> None:
        record, _ = parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER, front)
        timeline_updates(record.body)
        open_action_items(parse_post_mortem("post-mortem.md", post)[0])

    return {
        "hotfix.md, front matter": lambda: parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER, front),
        "hotfix.md, spec-kit": lambda: parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER, spec_kit),
        "post-mortem.md": lambda: parse_post_mortem("post-mortem.md", post),
        "status/report": status,
        "log": lambda: _log(front),
        "migrate": lambda: record_values(parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER,
                                                      spec_kit)[0]),
    }


def timed(run: Callable[[], object], runs: int = 1) -> float:
    """The fastest of `runs` runs, in seconds (the others met a busier machine)."""
    best = float("inf")
    for _ in range(runs):
        forget()  # each run reads its text anew
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def measure(scale: float = 1.0, runs: int = 3) -> list[tuple[str, str, float, float]]:
    """(case, reader, seconds at full size, seconds at a quarter of it)."""
    for run in readers("# warm up\n").values():
        run()  # imports, compiled patterns
    out = []
    for case, (make, size) in CASES.items():
        full = max(2, int(size * scale))
        big, small = readers(make(full)), readers(make(max(1, full // 4)))
        for name in big:
            out.append((case, name, timed(big[name], runs), timed(small[name], runs)))
    return out


def failures(rows: list[tuple[str, str, float, float]], bound: float = BOUND,
             linear: bool = True) -> list[str]:
    """What is too slow; `linear=False` checks the bound only (short runs are noisy)."""
    bad = []
    for case, name, full, quarter in rows:
        if full > bound:
            bad.append(f"{case} / {name}: {full:.2f} s (bound {bound} s)")
        elif linear and full > 0.1 and full > RATIO * max(quarter, 0.01):
            bad.append(f"{case} / {name}: {full:.2f} s against {quarter:.2f} s at a quarter")
    return bad


def import_cost(module: str, runs: int = 7) -> tuple[float, bool]:
    """Median cumulative import time of `module` in ms (`python -X importtime`,
    bytecode cached as for an installed package), and whether it loads
    markdown_it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    found, loads = [], False
    with tempfile.TemporaryDirectory(prefix="bench-readers-") as cache:
        env["PYTHONPYCACHEPREFIX"] = cache
        for index in range(runs + 1):
            done = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"],
                                  capture_output=True, text=True, check=True, env=env)
            lines = done.stderr.splitlines()
            loads = any(line.endswith("| markdown_it") for line in lines)
            last = [line for line in lines if line.endswith(f"| {module}")]
            if index:  # the first run writes the bytecode
                found.append(int(re.split(r"\s*\|\s*", last[-1])[1]) / 1000)
    return statistics.median(found), loads


def parse_cost() -> dict[str, float]:
    """Median ms to read ordinary records (markdown-it-py already imported)."""
    fixtures = ROOT / "tests" / "fixtures" / "legacy"
    spec_kit = (fixtures / "filled" / "hotfix.md").read_bytes()
    spec_kit_post = (fixtures / "post-mortem-complete.md").read_bytes()
    ours = COMPLETE_POST_MORTEM.encode()
    plain = (HEAD.replace("---\n", "---\nrollback_plan: revert\n", 1) + "# x\n").encode()
    samples: dict[str, Callable[[], object]] = {
        "spec-kit hotfix.md (filled)": lambda: parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER,
                                                            spec_kit),
        "spec-kit post-mortem.md (written)": lambda: parse_post_mortem("p.md", spec_kit_post),
        "post-mortem.md with front matter (written)": lambda: parse_post_mortem("p.md", ours),
        "hotfix.md, front matter, rollback_plan set": lambda: parse_hotfix(
            f"{FOLDER}/hotfix.md", FOLDER, plain),
    }
    out = {}
    for name, run in samples.items():
        run()
        out[name] = statistics.median(timed(run) for _ in range(200)) * 1000
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 past a bound")
    parser.add_argument("--scale", type=float, default=1.0, help="size of the cases")
    args = parser.parse_args(argv)
    rows = measure(args.scale)
    width = max(len(case) for case, *_ in rows)
    print(f"{'case':<{width}}  {'reader':<24} {'full s':>7} {'1/4 s':>7}")
    for case, name, full, quarter in rows:
        print(f"{case:<{width}}  {name:<24} {full:7.3f} {quarter:7.3f}")
    for module in ("markdown_it", "hotfix_gates.parsing.hotfix", "hotfix_gates.hooks.judge"):
        ms, loads = import_cost(module)
        print(f"import {module}: {ms:.1f} ms (median, -X importtime)"
              + ("" if module == "markdown_it" else
                 f"; markdown_it {'loaded' if loads else 'not loaded'}"))
    for name, ms in parse_cost().items():
        print(f"read {name}: {ms:.2f} ms")
    bad = failures(rows)
    for line in bad:
        print(f"TOO SLOW: {line}")
    return 1 if args.check and bad else 0


if __name__ == "__main__":
    sys.exit(main())
