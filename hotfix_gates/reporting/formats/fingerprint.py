"""A finding's identity across runs, for platforms that track findings
between pipelines (GitLab's Code Quality widget, SARIF result matching)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from hotfix_gates.model.finding import Finding

# Messages say how late or how old something is ("overdue by 3d 2h: due
# 2025-10-03T16:00:00Z", "open 9d 4h"): true today, different tomorrow.
# Times and durations are left out of the identity.
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?Z|\b\d+[wdhm](?: \d+[wdhm])*\b")


def stable_message(message: str) -> str:
    """The message with its times and durations blanked."""
    return _TIME.sub("#", message)


def fingerprints(findings: Sequence[Finding]) -> list[str]:
    """One fingerprint per finding, in order: a hash of the gate, the file
    (which names the record's folder) and the stable part of the message.
    Not the line: editing a record moves lines, and it is still the same
    problem. Identical findings are told apart by their order."""
    seen: dict[str, int] = {}
    out = []
    for finding in findings:
        subject = "\0".join((finding.code, finding.path, stable_message(finding.message)))
        count = seen.get(subject, 0)
        seen[subject] = count + 1
        if count:
            subject += f"\0{count}"
        data = subject.encode("utf-8", "surrogatepass")
        out.append(hashlib.sha256(data).hexdigest()[:32])
    return out
