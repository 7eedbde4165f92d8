"""A record must be consistent to be judged (HG001): the keys the gates need
are there, the milestones are in order and agree with the status, and
nothing lies in the future of the judging clock (a future `resolved_at`
would hold the post-incident deadlines off forever).

The judging clock is the one of whoever judges: the server hook and CI use
their own, so a date written on a laptop with a moved clock is caught there.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from hotfix_gates.model.constants import MILESTONES
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import format_timestamp

SKEW = timedelta(minutes=5)  # clocks of laptops, CI runners and servers differ a little
CODE, NAME = "HG001", "record-valid"
REQUIRED = ("id", "incident_start", "status")
# Status -> the milestone it needs (resolved and closed: HG203 says it).
NEEDS = {"fix-deployed": "deployed_at", "monitoring": "deployed_at"}
EXAMPLE = "2025-10-01T14:32:18Z"
_LABELS = {  # how a Markdown-only record writes each key
    "id": "Hotfix ID", "status": "Status", "incident_start": "Incident Start",
    "detected_at": "Detection", "deployed_at": "Fix Deployed", "resolved_at": "Incident End",
}


def problems(record: HotfixRecord, now: datetime) -> Iterator[Finding]:
    if "*" in record.invalid:
        return
    yield from _required(record)
    yield from _order(record)
    yield from _status(record)
    yield from _future(record, now)


def _finding(record: HotfixRecord, key: str, message: str, fix: str) -> Finding:
    return Finding(record.path, record.line_of(key), CODE, NAME, message, fix, Level.ERROR)


def _where(record: HotfixRecord, key: str) -> str:
    if record.format == "legacy":
        return f"the **{_LABELS.get(key, key)}**: line"
    return key


def _required(record: HotfixRecord) -> Iterator[Finding]:
    for key in REQUIRED:
        if key in record.invalid or getattr(record, key) is not None:
            continue
        if record.format == "legacy" and key == "id":
            continue  # the folder number is its id
        value = {"id": f"hotfix-{record.number:03d}" if record.number is not None
                 else "hotfix-NNN", "incident_start": EXAMPLE, "status": "investigating"}[key]
        if record.format == "legacy":
            fix = f"fill in {_where(record, key)}"
        else:
            fix = f"add `{key}: {value}` to the front matter"
        yield _finding(record, key, f"{key} is missing", fix)


def _order(record: HotfixRecord) -> Iterator[Finding]:
    """Each milestone that is set is not before the ones before it."""
    earlier: tuple[str, datetime] | None = None
    for key in MILESTONES:
        moment: datetime | None = getattr(record, key)
        if moment is None or key in record.invalid:
            continue
        if earlier is not None and moment < earlier[1]:
            yield _finding(record, key, f"{key} {format_timestamp(moment)} is before "
                           f"{earlier[0]} {format_timestamp(earlier[1])}",
                           f"correct {_where(record, key)} or {_where(record, earlier[0])}: "
                           "milestones go start <= detected <= deployed <= resolved")
            continue
        earlier = (key, moment)


def _status(record: HotfixRecord) -> Iterator[Finding]:
    status = record.status
    if status is None or "status" in record.invalid:
        return
    needed = NEEDS.get(status)
    if needed is not None and getattr(record, needed) is None and needed not in record.invalid:
        verb = needed.removesuffix("_at")
        yield _finding(record, "status", f"status is {status} but {needed} is not set",
                       f"record the deployment (`hotfix-gate {verb} --at TIME`), or correct "
                       "the status")
    if status == "investigating":
        for key in ("deployed_at", "resolved_at"):
            if getattr(record, key) is not None:
                yield _finding(record, "status", f"status is investigating but {key} is set",
                               f"move the status on (`hotfix-gate {key.removesuffix('_at')}"
                               f" --at TIME` sets both), or clear {_where(record, key)}")
                break


def _future(record: HotfixRecord, now: datetime) -> Iterator[Finding]:
    limit = now + SKEW
    for key in MILESTONES:
        moment: datetime | None = getattr(record, key)
        if moment is not None and moment > limit:
            yield _finding(record, key, f"{key} {format_timestamp(moment)} is in the future "
                           f"(judged at {format_timestamp(now)})",
                           f"write the real time in {_where(record, key)}")
    for waiver in record.waivers:
        if waiver.at is not None and waiver.at > limit:
            yield Finding(record.path, waiver.line, CODE, NAME,
                          f"a waiver of {waiver.gate} is dated in the future "
                          f"({format_timestamp(waiver.at)}); it does not count",
                          "record waivers with `hotfix-gate waive`, which dates them now",
                          Level.ERROR)


def waiver_counts(at: datetime | None, now: datetime) -> bool:
    """A waiver dated in the future of the judging clock is not honoured."""
    return at is None or at <= now + SKEW
