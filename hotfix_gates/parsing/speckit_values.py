"""The values of a spec-kit record's `**Label**: value` lines, as people write them.

Option lists with any separators (`[ ] P0 (outage) [x] P1 (major) [ ] P2`,
with or without `|`), a Status ticked like a progress list (the furthest
state checked), times with a note after them, and placeholders that mean
"not yet". What cannot be read without guessing is an HG001 finding.
"""

from __future__ import annotations

import re
from datetime import datetime

from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import format_timestamp, parse_timestamp
from hotfix_gates.parsing import guidance

TIME_EXAMPLE = "2025-10-01 14:32:18 UTC"
PLACEHOLDER_VALUE = re.compile(r"(?:TBD|TODO|N/?A|none|pending|unknown|-+|—|\?+)",
                               re.IGNORECASE)
LABEL_OF = {
    "id": "Hotfix ID", "branch": "Branch", "severity": "Severity", "status": "Status",
    "incident_start": "Incident Start", "detected_at": "Detection",
    "deployed_at": "Fix Deployed", "resolved_at": "Incident End", "reviewed_by": "Reviewed By",
}
# The Status options, in the order an incident moves through them.
_STATUS_OPTIONS = {
    "investigating": "investigating", "fixdeployed": "fix-deployed", "deployed": "fix-deployed",
    "monitoring": "monitoring", "resolved": "resolved", "postmortemcomplete": "closed",
    "postmortemcompleted": "closed", "closed": "closed",
}
STATUS_ORDER = ("investigating", "fix-deployed", "monitoring", "resolved", "closed")
STATUS_LISTING = "Investigating, Fix Deployed, Monitoring, Post-Mortem Complete"
UNUSED_TIME = "the time is not used"
_BOX = re.compile(r"\[([^\[\]\n]?)\]")
_SEPARATORS = " \t|,;/"
_NOTE_SPLIT = re.compile("[ \t]+[-\u2013\u2014][ \t]+")
_SEVERITY = re.compile(r"(P[0-2])\b", re.IGNORECASE)


def finding(path: str, line: int, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, line, "HG001", "record-valid", message, fix, level)


def plain(value: str) -> str | None:
    """A single text value, None while it is still a template placeholder."""
    value = value.strip().strip("`").strip()
    if (not guidance.value_text(value) or "###" in value
            or guidance.strip_placeholders(value)[1] or PLACEHOLDER_VALUE.fullmatch(value)):
        return None
    return value


def short(label: str) -> str:
    return label.split("(", 1)[0].strip()[:40]


def options(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """An option list -> ([(box, label)], [labels with no box]). Each box
    starts an option that runs to the next box, whatever separates them; with
    no box at all, the options are separated by `|`."""
    boxes = list(_BOX.finditer(value))
    if not boxes:
        return [], [part.strip() for part in value.split("|") if part.strip()]
    boxed = []
    for index, box in enumerate(boxes):
        stop = boxes[index + 1].start() if index + 1 < len(boxes) else len(value)
        boxed.append((box.group(1), value[box.end():stop].strip(_SEPARATORS)))
    return boxed, []


def _checked(record: HotfixRecord, line: int, value: str, what: str, listing: str,
             findings: list[Finding]) -> tuple[list[str], bool]:
    """The checked options' labels, and whether the line could be read: a
    box marked with something other than x, or several options with no box,
    is an HG001 finding."""
    boxed, bare = options(value)
    if boxed:
        odd = [box for box, _ in boxed if box.strip() not in ("", "x", "X")]
        if odd:
            findings.append(finding(
                record.path, line, f"the {what} line has a box marked [{odd[0]}]",
                f"mark the chosen {what} with [x] and leave the others [ ]"))
            return [], False
        return [label for box, label in boxed if box in ("x", "X")], True
    if not bare or not guidance.value_text(" | ".join(bare)):
        return [], True  # empty, or still the template's placeholder
    if len(bare) > 1:
        findings.append(finding(
            record.path, line, f"the {what} line lists {len(bare)} options and checks none",
            f"check the chosen one with [x] (or keep only it): {listing}"))
        return [], False
    return bare, True


def severity(record: HotfixRecord, line: int, value: str,
             findings: list[Finding]) -> str | None:
    checked, readable = _checked(record, line, value, "severity", "P0, P1, P2", findings)
    if len(checked) > 1:
        named = ", ".join(short(c) for c in checked[:4]) + (", ..." if len(checked) > 4 else "")
        findings.append(finding(record.path, line,
                                f"{len(checked)} severity options are checked ({named})",
                                "leave exactly one of P0, P1, P2 checked with [x]"))
        readable = False
    if not readable:
        record.invalid.add("severity")
        return None
    if not checked:
        return None
    match = _SEVERITY.match(checked[0])
    if match is None:
        record.invalid.add("severity")
        findings.append(finding(record.path, line, f"unknown severity {short(checked[0])!r}",
                                "check one of P0, P1 or P2 with [x]"))
        return None
    return match.group(1).upper()


def status(record: HotfixRecord, line: int, value: str,
           findings: list[Finding]) -> str | None:
    """The furthest state checked (a Status line is often ticked as a
    progress list); nothing checked yet is investigating."""
    checked, readable = _checked(record, line, value, "status", STATUS_LISTING, findings)
    if not readable:
        record.invalid.add("status")
        return None
    states = []
    for label in checked:
        state = _STATUS_OPTIONS.get(re.sub(r"[^a-z]", "", short(label).lower()))
        if state is None:
            record.invalid.add("status")
            findings.append(finding(record.path, line, f"unknown status {short(label)!r}",
                                    f"check one of {STATUS_LISTING} with [x]"))
            return None
        states.append(state)
    return max(states, key=STATUS_ORDER.index) if states else "investigating"


def moment(record: HotfixRecord, key: str, line: int, value: str,
           findings: list[Finding]) -> datetime | None:
    label = LABEL_OF[key]
    when = _NOTE_SPLIT.split(value.strip(), maxsplit=1)[0].strip().strip("`*_ \t")
    if (not when or guidance.strip_placeholders(when)[1] or not guidance.value_text(when)
            or PLACEHOLDER_VALUE.fullmatch(when)):
        return None
    try:
        found, naive = parse_timestamp(when)
    except TimeError:
        record.invalid.add(key)
        findings.append(finding(
            record.path, line, f"**{label}**: {when!r:.60} is not a time",
            f"write it like {TIME_EXAMPLE} (a note may follow after ' - ')"))
        return None
    if naive:
        findings.append(finding(
            record.path, line, f"**{label}** has no time zone; read as UTC",
            f"write it with its zone, like {found:%Y-%m-%d %H:%M:%S} UTC", Level.WARN))
    return found


def fill(record: HotfixRecord, key: str, line: int, value: str,
         findings: list[Finding]) -> None:
    """Set `key` of `record` from the value of its line."""
    if key in ("id", "branch", "reviewed_by"):
        setattr(record, key, plain(value))
    elif key == "severity":
        record.severity = severity(record, line, value, findings)
    elif key == "status":
        record.status = status(record, line, value, findings)
    else:
        setattr(record, key, moment(record, key, line, value, findings))


def unstarted_clock(record: HotfixRecord, findings: list[Finding]) -> None:
    """A deployment or an end time that the Status line contradicts (it says
    nothing is deployed yet) is not used: a script that writes its creation
    time into every time line must not start the post-incident clock."""
    if record.status != "investigating":
        return
    where = record.lines.get("status")
    for key in ("deployed_at", "resolved_at"):
        when = getattr(record, key)
        if when is None:
            continue
        setattr(record, key, None)
        findings.append(finding(
            record.path, record.line_of(key),
            f"**{LABEL_OF[key]}** says {format_timestamp(when)} but the Status line says "
            f"Investigating: {UNUSED_TIME}",
            f"check on the Status line (line {where}) the state reached, or clear this time"
            if where else "add a **Status**: line checking the state reached, or clear this time",
            Level.WARN))
