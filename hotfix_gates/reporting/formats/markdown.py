"""Findings as a Markdown table, for a CI job's summary page (GitHub's
`$GITHUB_STEP_SUMMARY`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from hotfix_gates.model.finding import Finding, printable
from hotfix_gates.reporting.findings import summary

# A job summary holds at most 1 MiB: past this many rows, the log has the rest.
MAX_ROWS = 500
# Text from a record must not become Markdown or HTML (a link, a table cell
# break, a tag): every ASCII punctuation character is escaped.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def cell(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", printable(text))


def status(finding: Finding) -> str:
    if finding.waiver is not None:
        return "waived"
    return "**blocking**" if finding.blocking else "warning"


def render_markdown(findings: Sequence[Finding], records: int, title: str) -> str:
    lines = [f"### {cell(title)}", "", summary(findings, records), ""]
    if not findings:
        return "\n".join(lines)
    lines += ["| | where | gate | finding | how to fix |", "| --- | --- | --- | --- | --- |"]
    for finding in findings[:MAX_ROWS]:
        fix = finding.fix
        if finding.waiver is not None:
            fix = f"waived: {finding.waiver.describe()}"
        lines.append(f"| {status(finding)} | {cell(f'{finding.path}:{finding.line}')} | "
                     f"{cell(f'{finding.code} {finding.name}')} | {cell(finding.message)} | "
                     f"{cell(fix)} |")
    if len(findings) > MAX_ROWS:
        lines += ["", f"... and {len(findings) - MAX_ROWS} more: the job's log lists them all."]
    return "\n".join(lines) + "\n"
