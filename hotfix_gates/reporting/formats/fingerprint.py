"""A finding's identity across runs, for platforms that track findings
between pipelines (GitLab's Code Quality widget, SARIF result matching)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from hotfix_gates.model.finding import Finding

# A due gate's message says how late it is ("(overdue by 3d 2h: due
# 2025-10-03T16:00:00Z, 48h after resolution)"): true today, different
# tomorrow. That clause is left out of the identity.
_OVERDUE = "overdue by "
_OVERDUE_ENDS = (" after resolution", " after deployment")


def stable_message(message: str) -> str:
    """The message without its time-dependent clause."""
    start = message.find(_OVERDUE)
    if start < 0:
        return message
    ends = [message.find(end, start) for end in _OVERDUE_ENDS]
    found = [(at, len(end)) for at, end in zip(ends, _OVERDUE_ENDS, strict=True) if at >= 0]
    if not found:
        return message[:start] + "overdue"
    at, length = min(found)
    return message[:start] + "overdue" + message[at + length:]


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
