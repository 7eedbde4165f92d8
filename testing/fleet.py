"""Generate many small repositories of varied hotfix records: for the
multi-repository report benchmark and for the README's example page.

    .venv/bin/python -m testing.fleet DEST --repositories 200 --records 50

Each repository gets records spread over 2025 (severities, detection,
deployment and resolution times, open incidents, draft or late post-mortems,
missing or late regression tests, waivers, open action items), drawn from a
seeded random generator: the same arguments give the same repositories.
Every fifth repository sets tighter `targets:`. Standard library only.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = "2026-01-01T00:00:00Z"
YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
SERVICES = ("checkout", "payments", "search", "identity", "notifications", "catalog",
            "billing", "gateway")
MINUTES = {"P0": (10, 40), "P1": (40, 200), "P2": (60, 400), None: (60, 400)}


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _post_mortem(number: int, status: str, completed: datetime | None, actions: int) -> str:
    stamp = f"completed_at: '{_iso(completed)}'\n" if completed else ""
    items = "".join(f"- [ ] Follow-up {k + 1} for incident {number}\n" for k in range(actions))
    return f"""---
status: {status}
{stamp}---
# Post-mortem: incident {number}

## Executive Summary
Requests failed after a configuration change in incident {number}.

## Timeline
- T+0m alerts fired
- T+30m fix deployed

## Root Cause Analysis
A limit was lowered without a load test.

## Action Items
- [x] Regression test for the limit
{items}
## Lessons Learned
Limits need a load test before they change.
"""


def record_files(rng: random.Random, number: int, now: datetime) -> dict[str, str]:
    """One record with its post-mortem and, usually, its regression test."""
    severity = rng.choices(["P0", "P1", "P2", None], weights=[2, 4, 3, 1])[0]
    start = YEAR_START + timedelta(minutes=rng.randrange(0, 360 * 24 * 60))
    low, high = MINUTES[severity]
    # Slower early in the year than late: the trend the page should show.
    pace = 1.4 - 0.6 * (start - YEAR_START).days / 365
    detected = start + timedelta(minutes=round(pace * rng.randint(2, 10 + high // 6)))
    deployed = detected + timedelta(minutes=round(pace * rng.randint(low // 2, high)))
    resolved = deployed + timedelta(minutes=round(pace * rng.randint(5, high // 2)))
    still_open = rng.random() < 0.05 or start > now - timedelta(days=3)
    if still_open:
        status, deployed_at, resolved_at = "investigating", None, None
    else:
        status, deployed_at, resolved_at = rng.choice(["resolved", "closed"]), deployed, resolved
    slug = f"incident-{number}"
    folder = f"specs/hotfix/{number:03d}-{slug}"
    test_path = f"tests/regressions/test_hotfix_{number:03d}.py"
    fields = [f"id: hotfix-{number:03d}", f"title: incident {number}",
              f"branch: hotfix/{number:03d}-{slug}",
              f"severity: {severity or 'null'}", f"status: {status}",
              f"incident_start: '{_iso(start)}'", f"detected_at: '{_iso(detected)}'",
              f"deployed_at: {repr(_iso(deployed_at)) if deployed_at else 'null'}",
              f"resolved_at: {repr(_iso(resolved_at)) if resolved_at else 'null'}",
              "rollback_plan: revert the fix commit and redeploy", "reviewed_by: alice"]
    files: dict[str, str] = {}
    if resolved_at and rng.random() < 0.8:
        added = resolved_at + timedelta(hours=rng.choice([2, 20, 40, 70]))
        fields += ["regression_tests:", f"- {test_path}::test_hotfix_{number:03d}",
                   f"regression_tests_added_at: '{_iso(added)}'"]
        files[test_path] = f"def test_hotfix_{number:03d}():\n    assert True\n"
    else:
        fields.append("regression_tests: []")
    if rng.random() < 0.1:
        gate = rng.choice(["post-mortem", "regression-test", "quick-review"])
        fields += ["waivers:", f"- gate: {gate}", "  reason: vendor fix pending", "  by: lead"]
    files[f"{folder}/hotfix.md"] = ("---\n" + "\n".join(fields) + "\n---\n\n"
                                    f"# Hotfix {number:03d}\n\n## Rollback Plan\nRevert.\n")
    done = resolved_at is not None and rng.random() < 0.85
    completed = (resolved_at + timedelta(hours=rng.choice([6, 24, 40, 60, 100]))
                 if done and resolved_at else None)
    files[f"{folder}/post-mortem.md"] = _post_mortem(
        number, "complete" if done else "draft", completed,
        rng.choice([0, 0, 1, 1, 2, 3]) if done else 0)
    return files


def make_repository(dest: Path, records: int, seed: int, targets: str | None = None) -> Path:
    """One repository with `records` records, committed on main."""
    rng = random.Random(seed)
    now = datetime.fromisoformat(NOW.replace("Z", "+00:00"))
    dest.mkdir(parents=True)
    files = {"README.md": f"# {dest.name}\n"}
    if targets:
        files[".hotfix-gates.yaml"] = f"targets: {targets}\n"
    for number in range(1, records + 1):
        files.update(record_files(rng, number, now))
    for path, text in files.items():
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Fleet", GIT_AUTHOR_EMAIL="f@example.com",
               GIT_COMMITTER_NAME="Fleet", GIT_COMMITTER_EMAIL="f@example.com",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    for args in (["init", "-q", "-b", "main"], ["add", "-A"],
                 ["-c", "commit.gpgsign=false", "commit", "-q", "-m", "Records"]):
        subprocess.run(["git", "-C", str(dest), *args], check=True, env=env)
    return dest


def make_fleet(dest: Path, repositories: int, records: int, seed: int = 7) -> list[Path]:
    """`repositories` repositories under `dest`: named after services while
    the names last, then service-NNN."""
    made = []
    for i in range(repositories):
        name = SERVICES[i] if repositories <= len(SERVICES) else f"service-{i + 1:03d}"
        targets = "{P0: 45m, P1: 3h}" if i % 5 == 4 else None
        made.append(make_repository(dest / name, records, seed * 1000 + i, targets))
    return made


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dest", help="a new folder for the repositories")
    parser.add_argument("--repositories", type=int, default=200)
    parser.add_argument("--records", type=int, default=50)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = make_fleet(Path(args.dest), args.repositories, args.records, args.seed)
    print(f"{args.dest}: {len(made)} repositories of {args.records} records in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
