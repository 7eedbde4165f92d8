"""Incident numbers: pure computations over hotfix records (no I/O).

The shells (`status`, `report`) read the tree and hand over `Facts`; every
clock and every count is computed here, so it can be tested by hand.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hotfix_gates.gates.builtin import GATES_BY_ID
from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import DONE_STATUSES, SEVERITIES, TESTS_ADDED_KEY
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import printable
from hotfix_gates.model.record import HotfixRecord, PostMortem
from hotfix_gates.model.timeutil import format_timestamp, parse_timestamp
from hotfix_gates.reporting.shapes import (
    Block,
    Month,
    Outcome,
    Outcomes,
    Report,
    Spread,
    WaiverCounts,
)

UNASSESSED = "unassessed"
GROUPS = (*SEVERITIES, UNASSESSED)
STALE_AFTER = timedelta(minutes=15)  # the workflow asks for an update every 15 minutes

if TYPE_CHECKING:
    from hotfix_gates.gates.engine import Deadline


@dataclass
class Facts:
    """One record and what the shell found next to it in the tree."""

    record: HotfixRecord
    post_mortem: str = "missing"  # complete | draft | missing | unreadable
    completed_at: datetime | None = None  # post-mortem front matter `completed_at`
    tests: str = "none"  # listed (all present) | missing | none | invalid
    action_items: list[str] = field(default_factory=list)
    deadlines: tuple[Deadline, ...] = ()  # the engine's, one per deadline gate
    valid: bool = True  # no HG001 error

    @property
    def tests_added_at(self) -> datetime | None:
        return optional_time(self.record.extra.get(TESTS_ADDED_KEY))


# -- small arithmetic ------------------------------------------------------


def minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def spread(values: Sequence[float]) -> Spread:
    """`{mean, median}` in minutes, rounded to 2 decimals; nulls without data."""
    return {"mean": rounded(mean(values)), "median": rounded(median(values))}


def optional_time(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        return parse_timestamp(value)[0]
    except TimeError:
        return None


# -- one record --------------------------------------------------------------


def record_id(record: HotfixRecord) -> str:
    """The id shown for a record (line breaks and terminal controls escaped):
    its `id`, else `hotfix-NNN` from its folder (a front matter that does not
    parse has no id, and the commands still take `--id NNN`), else the folder."""
    if record.id:
        return printable(record.id)
    if record.number is not None:
        return f"hotfix-{record.number:03d}"
    return printable(record.folder.rsplit("/", 1)[-1])


def group_of(record: HotfixRecord) -> str:
    return record.severity if record.severity in SEVERITIES else UNASSESSED


def is_open(record: HotfixRecord) -> bool:
    """Still going: not resolved in time nor in status."""
    return record.resolved_at is None and record.status not in DONE_STATUSES


def elapsed(record: HotfixRecord, now: datetime) -> tuple[str, timedelta | None]:
    """("age", now - start) while open; ("duration", resolved - start) after."""
    start = record.incident_start
    if is_open(record):
        return "age", (now - start) if start else None
    end = record.resolved_at
    return "duration", (end - start) if start and end else None


_BULLET_TIME = re.compile(r"(\S+(?:[ T]\d\d:\d\d(?::\d\d)?)?(?:[ \t]*(?:Z|UTC))?)")


def timeline_updates(body: str, first_line: int = 1) -> list[datetime]:
    """Timestamps of the rows under `## Timeline` in hotfix.md, as the
    Markdown reader sees them (nothing in a comment or a code block): table
    rows `| 2025-10-01T14:32:18Z | message |`, and list items starting with one."""
    from hotfix_gates.parsing import markdown

    try:
        doc = markdown.read(body, first_line)
    except markdown.TooLarge:
        return []
    section = doc.find("Timeline")
    if section is None:
        return []
    found = []
    for block in doc.under(section):
        if block.kind == "table":
            firsts = [row[0] for row in block.cells[1:] if row]
        elif block.kind == "paragraph" and block.item_start and block.lines:
            match = _BULLET_TIME.match(block.lines[0])
            firsts = [match.group(1)] if match else []
        else:
            continue
        for first in firsts:
            moment = optional_time(first.strip())
            if moment is not None:
                found.append(moment)
    return found


def last_update(record: HotfixRecord) -> datetime | None:
    """The latest timeline row, else the latest timestamp field."""
    rows = timeline_updates(record.body, record.body_line)  # read as the record was
    if rows:
        return max(rows)
    stamps = [record.incident_start, record.detected_at, record.deployed_at, record.resolved_at]
    known = [s for s in stamps if s is not None]
    return max(known) if known else None


def open_action_items(post: PostMortem | None) -> list[str]:
    """Unchecked task items (`- [ ] ...`) under Action Items that say
    something: template placeholders such as `- [ ] **AI-001**: [Action item]`
    are not actions, nor is anything inside a comment or a code block."""
    section = post.sections.get("action items") if post is not None else None
    if section is None or not section.text:
        return []
    from hotfix_gates.parsing import guidance, markdown

    try:
        doc = markdown.read(section.text)
    except markdown.TooLarge:
        return []
    return guidance.open_tasks(doc, doc.blocks)


def deadline_outcome(done: bool, clock: datetime | None, allowed: timedelta,
                     done_at: datetime | None, now: datetime) -> Outcome:
    """How a post-incident duty stands against its deadline (clock + allowed):

    - done, with a `done_at` time: on_time if done_at <= deadline, else late;
    - done, no time given: on_time if now <= deadline (it is done and the
      deadline has not passed) or the clock has not started; else undated
      (done, but when cannot be known from the record);
    - not done: overdue once now >= deadline (as the gates judge), else
      pending (also while the clock has not started).
    """
    due = clock + allowed if clock is not None else None
    if done:
        if due is None:
            return "on_time"
        if done_at is not None:
            return "on_time" if done_at <= due else "late"
        return "on_time" if now <= due else "undated"
    if due is not None and now >= due:
        return "overdue"
    return "pending"


# -- the report ----------------------------------------------------------------


def in_window(record: HotfixRecord, since: datetime | None, until: datetime | None) -> bool:
    """incident_start in [since, until); a record without one is in only the
    unbounded window."""
    start = record.incident_start
    if start is None:
        return since is None and until is None
    return (since is None or start >= since) and (until is None or start < until)


def _named(groups: dict[str, list[str]]) -> dict[str, list[str]]:
    return {key: ids for key, ids in groups.items() if ids}


@dataclass(frozen=True)
class Entry:
    """One record as the report counts it: its facts, the configuration of
    its repository (targets and deadlines can differ between repositories),
    and its name in the report (with its repository's label when several
    repositories are reported together)."""

    facts: Facts
    config: Config
    name: str


def entries(facts: Iterable[Facts], config: Config, label: str | None = None) -> list[Entry]:
    """The records of one repository; `label` qualifies their names."""
    return [Entry(f, config, f"{label}:{record_id(f.record)}" if label else record_id(f.record))
            for f in facts]


def summarize(facts: Sequence[Facts], config: Config, now: datetime,
              severity: str | None) -> Block:
    """The numbers for one group of records (a severity, or all of them)."""
    target = config.targets.get(severity) if severity in SEVERITIES else None
    shown = rounded(minutes(target)) if target is not None else None
    return summarize_entries(entries(facts, config), now, severity, shown)


# Records a number could not use, named by the timestamp (or "record") at fault.
Gaps = dict[str, list[str]]


def _durations(readable: Sequence[Entry], key: str, missing: Gaps, unreadable: Gaps,
               before_start: Gaps) -> list[tuple[Entry, float]]:
    """Minutes from incident_start to the timestamp `key`, per record that
    has both in that order; the others are named in the gaps under `key`."""
    values: list[tuple[Entry, float]] = []
    missing[key], unreadable[key], before_start[key] = [], [], []
    for e in readable:
        rec = e.facts.record
        end: datetime | None = getattr(rec, key)
        if end is None:
            (unreadable if key in rec.invalid else missing)[key].append(e.name)
            continue
        if rec.incident_start is None:
            continue  # named under incident_start already
        if end < rec.incident_start:
            before_start[key].append(e.name)
            continue
        values.append((e, minutes(end - rec.incident_start)))
    return values


def tally(found: Iterable[Outcome]) -> Outcomes:
    """How many of `found` stand at each outcome."""
    counts = Counter(found)
    return {"on_time": counts["on_time"], "late": counts["late"],
            "overdue": counts["overdue"], "pending": counts["pending"],
            "undated": counts["undated"]}


def _past_limit(entry: Entry, now: datetime) -> bool:
    """Open with no resolution recorded past the configured limit (HG204's rule)."""
    record = entry.facts.record
    start = record.incident_start
    return (record.resolved_at is None and start is not None
            and now >= start + entry.config.deadline("resolution"))


def summarize_entries(items: Sequence[Entry], now: datetime, severity: str | None,
                      target_minutes: float | None) -> Block:
    """The numbers for one group of records: a severity (`severity`), or all
    of them (None). Each record is held to its own repository's target and
    deadlines; `target_minutes` is only what the block shows."""
    ids = [e.name for e in items]
    open_ids = [e.name for e in items if is_open(e.facts.record)]
    missing: Gaps = {"incident_start": []}
    unreadable: Gaps = {"incident_start": []}
    before_start: Gaps = {}
    # A record whose front matter cannot be read at all is named once.
    unreadable["record"] = [e.name for e in items if "*" in e.facts.record.invalid]
    readable = [e for e in items if "*" not in e.facts.record.invalid]
    for e in readable:
        rec = e.facts.record
        if rec.incident_start is None:
            bad = "incident_start" in rec.invalid
            (unreadable if bad else missing)["incident_start"].append(e.name)
    # In this order: the gaps name their timestamps in it.
    mttr = _durations(readable, "resolved_at", missing, unreadable, before_start)
    detect = _durations(readable, "detected_at", missing, unreadable, before_start)
    deploy = _durations(readable, "deployed_at", missing, unreadable, before_start)

    within: int | None = None  # no severity, no target
    missed: int | None = None
    if severity is None or severity in SEVERITIES:
        # Each record against its own severity's target in its own repository.
        judged = [(e, v) for e, v in mttr if e.facts.record.severity in SEVERITIES]
        within = sum(v <= minutes(e.config.targets[str(e.facts.record.severity)])
                     for e, v in judged)
        missed = len(judged) - within

    post_mortems = tally(
        deadline_outcome(e.facts.post_mortem == "complete", e.facts.record.clock_start,
                         e.config.deadline("post-mortem"), e.facts.completed_at, now)
        for e in items)
    tests = tally(
        deadline_outcome(e.facts.tests == "listed", e.facts.record.clock_start,
                         e.config.deadline("regression-test"), e.facts.tests_added_at, now)
        for e in items)
    return {
        "count": len(items),
        "open": len(open_ids),
        "records": ids,
        "open_records": open_ids,
        "open_past_limit": [e.name for e in items if _past_limit(e, now)],
        "mttr_minutes": spread([v for _, v in mttr]),
        "detect_minutes": spread([v for _, v in detect]),
        "deploy_minutes": spread([v for _, v in deploy]),
        "target_minutes": target_minutes,
        "within_target": within,
        "missed_target": missed,
        "post_mortems": post_mortems,
        "regression_tests": tests,
        "open_action_items": sum(len(e.facts.action_items) for e in items),
        "waivers": waiver_counts((e.facts for e in items), now),
        "missing": _named(missing),
        "unreadable": _named(unreadable),
        "before_start": _named(before_start),
    }


def waiver_counts(facts: Iterable[Facts], now: datetime) -> WaiverCounts:
    count = active = 0
    by_gate: dict[str, int] = {}
    for f in facts:
        for waiver in f.record.waivers:
            count += 1
            active += waiver.active(now)
            unit = GATES_BY_ID.get(waiver.gate)
            name = unit.name if unit else waiver.gate
            by_gate[name] = by_gate.get(name, 0) + 1
    return {"count": count, "active": active, "by_gate": dict(sorted(by_gate.items()))}


def mttr_by_month(facts: Iterable[Facts]) -> list[Month]:
    """Mean and median MTTR per month of incident_start (UTC), oldest first."""
    months: dict[str, list[float]] = {}
    for f in facts:
        rec = f.record
        if rec.incident_start and rec.resolved_at and rec.resolved_at >= rec.incident_start:
            month = f"{rec.incident_start:%Y-%m}"
            months.setdefault(month, []).append(minutes(rec.resolved_at - rec.incident_start))
    return [{"month": month, "count": len(values), **spread(values)}
            for month, values in sorted(months.items())]


DEADLINE_NAMES = ("post-mortem", "regression-test")


def targets_minutes(config: Config) -> dict[str, float | None]:
    return {sev: rounded(minutes(config.targets[sev])) for sev in SEVERITIES}


def deadlines_minutes(config: Config) -> dict[str, float | None]:
    return {name: rounded(minutes(config.deadline(name))) for name in DEADLINE_NAMES}


def build_report(facts: Sequence[Facts], config: Config, now: datetime,
                 since: datetime | None = None, until: datetime | None = None) -> Report:
    """The whole report as plain data (what `--format json` prints)."""
    return report_of(entries(facts, config), now, since, until,
                     targets_minutes(config), deadlines_minutes(config))


def report_of(items: Sequence[Entry], now: datetime, since: datetime | None,
              until: datetime | None, targets: dict[str, float | None],
              deadlines: dict[str, float | None]) -> Report:
    """The report over `items`; `targets` and `deadlines` (minutes) are what
    it shows as the configuration (null where repositories disagree)."""
    chosen = [e for e in items if in_window(e.facts.record, since, until)]
    # With a window, a record without a readable incident_start cannot be
    # placed in it: it is named here instead of being dropped.
    unplaced = [e.name for e in items
                if e.facts.record.incident_start is None and (since or until)]
    groups: dict[str, list[Entry]] = {group: [] for group in GROUPS}
    for e in chosen:
        groups[group_of(e.facts.record)].append(e)
    return {
        "version": 1,
        "now": format_timestamp(now),
        "since": format_timestamp(since) if since else None,
        "until": format_timestamp(until) if until else None,
        "targets_minutes": targets,
        "deadlines_minutes": deadlines,
        "by_severity": {group: summarize_entries(members, now, group, targets.get(group))
                        for group, members in groups.items()},
        "totals": summarize_entries(chosen, now, None, None),
        "unplaced": unplaced,
        "action_items": [{"id": e.name, "severity": group_of(e.facts.record), "item": item}
                         for e in chosen for item in e.facts.action_items],
        "mttr_by_month": mttr_by_month(e.facts for e in chosen),
        "mttr_by_month_by_severity": {
            group: mttr_by_month(e.facts for e in members) for group, members in groups.items()},
    }
