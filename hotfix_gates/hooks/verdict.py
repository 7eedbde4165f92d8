"""How every hook reports: the findings, a summary, and how to rerun by hand.

Hooks write to stderr: git shows it to the pusher (as `remote:` lines for
pre-receive) and it never mixes with protocol output on stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from hotfix_gates.model.finding import Finding
from hotfix_gates.reporting.findings import summary


def report(
    findings: Sequence[Finding],
    records: int,
    *,
    hook: str,
    rerun: str = "hotfix-gate check",
    advisory: bool = False,
    stream: TextIO | None = None,
) -> int:
    """Print what the hook found; return 1 when something blocks (0 if advisory)."""
    out = stream if stream is not None else sys.stderr
    blocked = any(f.blocking for f in findings) and not advisory
    if not findings:
        return 0
    header = "blocked" if blocked else ("reminders" if advisory else "warnings")
    print(f"hotfix-gate {hook}: {header}", file=out)
    for finding in findings:
        print(f"  {finding.text()}", file=out)
    totals = summary(findings, records)
    if advisory:  # "blocked" would contradict a commit that goes ahead
        counts = totals.split(": ", 2)[-1]
        totals = (f"hotfix-gate: {counts} (reminders: this commit goes ahead; a merge into "
                  "a protected branch will not)")
    print(f"  {totals}", file=out)
    if blocked:
        print(f"  Fix the lines above, then rerun by hand: {rerun}", file=out)
        print("  In a real emergency, record why instead of skipping the hook: "
              "hotfix-gate waive CODE --reason TEXT", file=out)
    out.flush()
    return 1 if blocked else 0

