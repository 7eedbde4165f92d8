"""How every hook reports: the findings, a summary, how to rerun the same
judgement by hand, and the honest way out (a waiver) where there is one.

Hooks write to stderr: git shows it to the pusher (as `remote:` lines for
pre-receive) and it never mixes with protocol output on stdout.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NamedTuple, TextIO

from hotfix_gates.gates.builtin import GATES_BY_ID, record_id
from hotfix_gates.gates.engine import Judgement
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding
from hotfix_gates.reporting.findings import counts, summary


class Outcome(NamedTuple):
    """What a hook keeps of a judgement: enough to print it, nothing more
    (a push of many refs must not keep every record in memory)."""

    findings: tuple[Finding, ...]
    records: int
    waive: tuple[str, ...] = ()  # commands that would waive the blocking findings
    notes: tuple[str, ...] = ()

    @property
    def blocked(self) -> bool:
        return any(f.blocking for f in self.findings)


def outcome(judgement: Judgement, config: Config, notes: Sequence[str] = ()) -> Outcome:
    hints: dict[str, None] = {}
    for verdict in judgement.verdicts:
        for finding in verdict.findings:
            gate = GATES_BY_ID.get(finding.code)
            if (finding.blocking and gate is not None and gate.waivable
                    and gate.code not in config.not_waivable):
                hints[f"hotfix-gate waive {gate.name} --id {record_id(verdict.subject)} "
                      "--reason TEXT --until 24h"] = None
    return Outcome(tuple(judgement.findings), len(judgement.records), tuple(hints),
                   tuple(notes))


def report(result: Outcome, *, hook: str, rerun: str = "hotfix-gate check",
           advisory: bool = False, stream: TextIO | None = None) -> int:
    """Print what the hook found; return 1 when something blocks (0 if advisory)."""
    out = stream if stream is not None else sys.stderr
    findings = result.findings
    if not findings:
        return 0
    blocked = result.blocked and not advisory
    header = "blocked" if blocked else ("reminders" if advisory else "warnings")
    print(f"hotfix-gate {hook}: {header}", file=out)
    for finding in findings:
        print(f"  {finding.text()}", file=out)
    for note in result.notes:
        print(f"  note: {note}", file=out)
    print(f"  {_totals(findings, result.records, advisory)}", file=out)
    if blocked:
        print(f"  Fix the lines above, then rerun by hand: {rerun}", file=out)
        if result.waive:
            print("  In a real emergency, record why instead of skipping the hook:", file=out)
            for hint in result.waive[:5]:
                print(f"    {hint}", file=out)
    out.flush()
    return 1 if blocked else 0


def _totals(findings: Sequence[Finding], records: int, advisory: bool) -> str:
    totals = summary(findings, records)
    if not advisory:
        return totals
    # "blocked" would contradict a commit that goes ahead.
    text = totals.split(": ", 2)[-1]
    if counts(findings)["blocking"]:
        return (f"hotfix-gate: {text} (reminders: this commit goes ahead; a merge into a "
                "protected branch will not until they are met)")
    return f"hotfix-gate: {text} (reminders only: nothing here stops a merge)"
