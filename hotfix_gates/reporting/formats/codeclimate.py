"""GitLab Code Quality: the subset of the Code Climate issue format that
GitLab reads (`artifacts:reports:codequality`), so findings show in the merge
request widget and beside the changed lines.

Severity says what a finding does to the merge:

| finding | severity |
| --- | --- |
| blocks the merge (level error, not waived) | `blocker` |
| a warning (level warn) | `minor` |
| waived (by an active, audited waiver) | `info` |
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from hotfix_gates.model.finding import Finding, printable
from hotfix_gates.reporting.formats.fingerprint import fingerprints


def severity(finding: Finding) -> str:
    if finding.waiver is not None:
        return "info"
    return "blocker" if finding.blocking else "minor"


def description(finding: Finding) -> str:
    text = f"{finding.code} {finding.name}: {finding.message}"
    if finding.fix:
        text += f"; {finding.fix}"
    if finding.waiver is not None:
        text += f" [waived: {finding.waiver.describe()}]"
    return printable(text)


def render_codeclimate(findings: Sequence[Finding]) -> str:
    """A JSON array of issues (GitLab refuses a byte order mark: none is written)."""
    issues = [
        {
            "description": description(finding),
            "check_name": f"{finding.code} {finding.name}",
            "fingerprint": fingerprint,
            "severity": severity(finding),
            # GitLab matches the path to the merge request's files: an unprintable
            # name cannot match anyway, and must not make the report unreadable.
            "location": {"path": printable(finding.path),
                         "lines": {"begin": max(finding.line, 1)}},
        }
        for finding, fingerprint in zip(findings, fingerprints(findings), strict=True)
    ]
    return json.dumps(issues, indent=2)
