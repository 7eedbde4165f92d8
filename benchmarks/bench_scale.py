"""Scale: `hotfix-gate check` over many records, and pre-receive over many refs.

Reported, not asserted (the test suite holds the cheap assertions):

    .venv/bin/python -m benchmarks.bench_scale [--records 10000] [--refs 1000]

Each measured command runs as its own child process; its peak memory is the
child's max RSS from getrusage, so the numbers are the tool's and not git's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from testing.repos import clean_env, commit_all, front_matter, git, make_repo, record_fields

WORK = Path(__file__).resolve().parent / ".work" / "scale"
NOW = "2025-12-01T00:00:00Z"
LIMIT_MB = 200


def build_records(repo: Path, count: int) -> None:
    """`count` records: a mix of ready, unready, resolved and overdue ones."""
    specs = repo / "specs/hotfix"
    tests = repo / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_regressions.py").write_text(
        "".join(f"def test_fix_{n}():\n    pass\n" for n in range(count)))
    for number in range(1, count + 1):
        slug = f"incident-{number}"
        folder = specs / f"{number:03d}-{slug}"
        folder.mkdir(parents=True)
        fields = record_fields(number, slug)
        if number % 4:
            fields.update(severity="P1", rollback_plan="git revert the fix", reviewed_by="alice")
        if number % 3 == 0:
            fields.update(status="resolved", deployed_at="2025-10-01T15:00:00Z",
                          resolved_at="2025-10-01T16:00:00Z",
                          regression_tests=[f"tests/test_regressions.py::test_fix_{number}"])
        (folder / "hotfix.md").write_text(front_matter(fields) + "\n# Hotfix\n")
        (folder / "post-mortem.md").write_text("---\nstatus: draft\n---\n# Post-mortem\n")


def measure(repo: Path, *args: str, module: str = "hotfix_gates.cli",
            stdin: str | None = None, env: dict[str, str] | None = None) -> dict[str, object]:
    """Run one command in a fresh child; its wall time, exit code and max RSS."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "start = time.perf_counter()\n"
        "data = sys.stdin.buffer.read()\n"
        "done = subprocess.run(sys.argv[1:], input=data, capture_output=True)\n"
        "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps({'seconds': time.perf_counter() - start, 'code': done.returncode,\n"
        "                  'max_rss_mb': usage.ru_maxrss / 1024,\n"
        "                  'tail': done.stderr.decode(errors='replace')[-300:]\n"
        "                          + done.stdout.decode(errors='replace')[-300:]}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, sys.executable, "-m", module, *args], cwd=repo,
        input=(stdin or "").encode(), capture_output=True, env=env or clean_env(), check=True)
    measured: dict[str, object] = json.loads(result.stdout)
    return measured


def bench_check(count: int) -> list[tuple[str, dict[str, object]]]:
    repo = make_repo(WORK / f"check-{count}")
    started = time.perf_counter()
    build_records(repo, count)
    commit_all(repo, f"{count} records")
    print(f"built {count} records in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    shutil.rmtree(repo / ".git/hotfix-gates", ignore_errors=True)
    return [
        ("check (working tree)", measure(repo, "check", "--now", NOW)),
        ("check --rev HEAD (cold cache)", measure(repo, "check", "--rev", "HEAD", "--now", NOW)),
        ("check --rev HEAD (warm cache)", measure(repo, "check", "--rev", "HEAD", "--now", NOW)),
        ("check --format json", measure(repo, "check", "--format", "json", "--now", NOW)),
    ]


def _fast_import_refs(repo: Path, base: str, refs: int) -> list[tuple[str, str]]:
    """`refs` branches, each one commit on `base` that edits one record
    (so every pushed commit has its own tree); (ref, commit id) pairs."""
    stream = []
    names = []
    for n in range(refs):
        number = n % 20 + 1
        ref = f"refs/heads/hotfix/{number:03d}-incident-{n}"
        path = f"specs/hotfix/{number:03d}-incident-{number}/hotfix.md"
        text = (repo / path).read_text() + f"\nUpdate {n}.\n"
        data = text.encode()
        stream.append(f"commit {ref}\nmark :{n + 1}\n"
                      f"committer Bench <bench@example.com> {1_760_000_000 + n} +0000\n"
                      f"data 7\nupdate\nfrom {base}\n"
                      f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        names.append(ref)
    marks = repo / ".git/bench-marks"
    subprocess.run(["git", "fast-import", "--quiet", f"--export-marks={marks}"], cwd=repo,
                   input=b"".join(stream), check=True, env=clean_env())
    ids = dict(line.split() for line in marks.read_text().splitlines())
    return [(ref, ids[f":{n + 1}"]) for n, ref in enumerate(names)]


def bench_pre_receive(refs: int, records: int) -> list[tuple[str, dict[str, object]]]:
    """One push creating `refs` hotfix branches (each its own commit) and
    moving main, fed to the pre-receive hook in a server repository holding
    `records` records."""
    try:
        import hotfix_gates.hooks.pre_receive  # noqa: F401
    except ImportError:
        return [("pre-receive", {"skipped": "hotfix_gates.hooks.pre_receive is not built yet"})]
    repo = make_repo(WORK / f"refs-{refs}")
    count = max(records, 20)
    build_records(repo, count)
    old = git(repo, "rev-parse", "HEAD").stdout.strip()
    new = commit_all(repo, "records")
    zero = "0" * 40
    lines = [f"{zero} {commit} {ref}" for ref, commit in _fast_import_refs(repo, new, refs)]
    lines.append(f"{old} {new} refs/heads/main")
    # main moved on by one commit that edits one record: judged against its tip
    edited = repo / "specs/hotfix/001-incident-1/hotfix.md"
    edited.write_text(edited.read_text() + "\nOne more note.\n")
    moved = commit_all(repo, "a note on one record")
    bare = WORK / f"refs-{refs}.git"
    git(WORK, "clone", "-q", "--bare", "--mirror", str(repo), str(bare))
    git(bare, "update-ref", "refs/heads/main", old)
    git(bare, "config", "hotfix-gates.now", NOW)  # the server's clock is its own
    hook = "hotfix_gates.hooks.pre_receive"
    many = measure(bare, module=hook, stdin="\n".join(lines) + "\n")
    git(bare, "update-ref", "refs/heads/main", new)
    one = f"{new} {moved} refs/heads/main\n"
    measure(bare, module=hook, stdin=one)  # warms the parse cache, as the push before would
    return [(f"pre-receive, {refs} refs + main, {count} records", many),
            (f"pre-receive, main: 1 of {count} records edited",
             measure(bare, module=hook, stdin=one))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--refs", type=int, default=1_000)
    args = parser.parse_args(argv)
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    results = bench_check(args.records) + bench_pre_receive(args.refs, min(args.records, 1000))
    for name, measured in results:
        if "skipped" in measured:
            print(f"{name:<46} skipped: {measured['skipped']}")
            continue
        rss = float(str(measured["max_rss_mb"]))
        verdict = "ok" if rss < LIMIT_MB else f"OVER {LIMIT_MB} MB"
        print(f"{name:<46} exit {measured['code']}  {float(str(measured['seconds'])):6.2f} s  "
              f"max RSS {rss:6.1f} MB  {verdict}")
        if measured["code"] not in (0, 1):
            print(f"    {measured['tail']!r}")
    if not os.environ.get("KEEP_BENCH"):
        shutil.rmtree(WORK, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
