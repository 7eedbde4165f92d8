"""The raw pre-push hook as a whole process, against `python -c "import pygit2"`.

    .venv/bin/python -m benchmarks.bench_pre_push [--runs 15] [--keep DIR]

Builds two repositories with benchmarks/generate.py (20 records over 200
commits; 1,000 records over 20,000 commits), installs the hook script that
`hotfix-gate install` writes, and runs it the way git does: `.git/hooks/pre-push
origin URL` in the repository, one `<local ref> <local id> <remote ref> <remote id>`
line on stdin. Every record passes every gate even long after its deadlines,
so each run exits 0, and after the first one every record is settled (see
hotfix_gates/gates/settled.py) and served from the cache; the case "judged
in full" drops the settled records from the cache before each run, as after
a change of the configuration. The runs of all cases are interleaved, after
one untimed round that compiles byte code; the table shows medians and each
median over the import-pygit2 median of the same run. The first timed run of
each case is also shown on its own: it starts with no parse cache. Reported,
not asserted.

Targets: push to main <= 1.3x import-pygit2 with 20 records, <= 2x with 1,000;
pushing 5,000 new commits costs the same as pushing 1 (no history walks).
"""

from __future__ import annotations

import argparse
import os
import pickle
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.generate import generate

NOW = "2030-01-01T00:00:00Z"  # every deadline long past: all gates apply
Z = "0" * 40


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout.strip()


def install_hook(repo: Path) -> Path:
    """The hook `hotfix-gate install` writes (this interpreter), else the smallest one."""
    try:
        from hotfix_gates.commands.install import render

        text = render("pre-push", sys.executable)
    except ImportError:
        text = f'#!/bin/sh\nexec "{sys.executable}" -m hotfix_gates.hooks.pre_push "$@"\n'
    path = repo / ".git" / "hooks" / "pre-push"
    path.write_text(text)
    path.chmod(0o755)
    return path


def env(work: Path) -> dict[str, str]:
    """The hooks' environment. Byte code is allowed (kept under WORK), as in any
    installed package: without it every run recompiles our modules but not
    pygit2's, which would measure the compiler, not the hook."""
    out = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "HOTFIX_GATE", "PYTHONDONTWRITEBYTECODE"))}
    out["HOTFIX_GATE_NOW"] = NOW
    out["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
    return out


class Case:
    def __init__(self, name: str, argv: list[str], cwd: Path, stdin: str = "",
                 fresh_cache: Path | None = None, unsettle: bool = False) -> None:
        self.name = name
        self.argv = argv
        self.cwd = cwd
        self.stdin = stdin.encode()
        self.fresh_cache = fresh_cache
        self.unsettle = unsettle
        self.times: list[float] = []
        self.first: float | None = None

    def run(self, environ: dict[str, str]) -> None:
        if self.first is None and self.fresh_cache is not None:
            shutil.rmtree(self.fresh_cache, ignore_errors=True)
        elif self.unsettle and self.fresh_cache is not None:
            drop_settled(self.fresh_cache / "parse-cache.pickle")
        started = time.perf_counter()
        done = subprocess.run(self.argv, cwd=self.cwd, input=self.stdin, capture_output=True,
                              env=environ)
        elapsed = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: exit {done.returncode}\n"
                             f"{done.stderr.decode(errors='replace')[-2000:]}")
        if self.first is None:
            self.first = elapsed
        else:
            self.times.append(elapsed)

    @property
    def median(self) -> float:
        return statistics.median(self.times)


def drop_settled(path: Path) -> None:
    """The parse cache without its settled records: every record is judged."""
    if path.exists():
        with open(path, "rb") as handle:
            data = pickle.load(handle)
        data["settled"] = {}
        with open(path, "wb") as handle:
            pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)


def build(work: Path) -> list[Case]:
    small, large = work / "records-20", work / "records-1000"
    started = time.perf_counter()
    generate(str(small), 20, 200, checkout=False)
    generate(str(large), 1000, 20_000, checkout=False)
    print(f"generated both repositories in {time.perf_counter() - started:.1f} s",
          file=sys.stderr)
    cases = [
        Case("python -c pass", [sys.executable, "-c", "pass"], work),
        Case('python -c "import pygit2"', [sys.executable, "-c", "import pygit2"], work),
    ]
    for repo, label in ((small, "20 records"), (large, "1,000 records")):
        hook = str(install_hook(repo))
        argv = [hook, "origin", "https://example.com/service.git"]
        tip = git(repo, "rev-parse", "main")
        cache = repo / ".git" / "hotfix-gates"
        one = f"refs/heads/main {tip} refs/heads/main {git(repo, 'rev-parse', 'main~1')}\n"
        cases.append(Case(f"push to main, {label}, 1 new commit", argv, repo, one, cache))
        if repo is large:
            # A copy of its own: dropping the settled records must not reach the other cases.
            full = work / "records-1000-full"
            shutil.copytree(repo, full, symlinks=True)
            cases.append(Case(f"push to main, {label}, judged in full",
                              [str(full / ".git/hooks/pre-push"), *argv[1:]], full, one,
                              full / ".git" / "hotfix-gates", unsettle=True))
            many = git(repo, "rev-parse", "main~5000")
            cases.append(Case(f"push to main, {label}, 5,000 new commits", argv, repo,
                              f"refs/heads/main {tip} refs/heads/main {many}\n", cache))
            hotfix = f"refs/heads/hotfix/500-x {tip} refs/heads/hotfix/500-incident-500 {Z}\n"
            cases.append(Case(f"push hotfix/500-*, {label}", argv, repo, hotfix, cache))
            feature = f"refs/heads/feature {tip} refs/heads/feature/login {Z}\n"
            cases.append(Case(f"push feature/*, {label} (not judged)", argv, repo, feature))
            cases.append(Case(f"delete a branch, {label}", argv, repo,
                              f"(delete) {Z} refs/heads/old {tip}\n"))
    return cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="timed runs per case (median)")
    parser.add_argument("--keep", metavar="DIR", help="build in DIR and keep it")
    args = parser.parse_args(argv)
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-pre-push-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        cases = build(work)
        environ = env(work)
        for case in cases:
            case.run(environ)  # compile byte code: not what is measured
            case.first, case.times = None, []
        for _ in range(args.runs + 1):  # the first round starts cold and is shown apart
            for case in cases:
                case.run(environ)
        base = statistics.median(cases[1].times)
        print(f"{'case':<48} {'median':>8} {'x pygit2':>9} {'first run':>10}")
        for case in cases:
            first = f"{case.first * 1000:8.0f}ms" if case.first is not None else ""
            print(f"{case.name:<48} {case.median * 1000:6.0f}ms {case.median / base:8.2f}x "
                  f"{first:>10}")
        print(f"({args.runs} runs each, interleaved; {os.cpu_count()} CPUs; "
              f"Python {sys.version.split()[0]})")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
