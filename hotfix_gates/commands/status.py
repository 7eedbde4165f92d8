"""`hotfix-gate status`: every incident at a glance, and what is overdue."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import EXIT_BLOCKED, EXIT_OK
from hotfix_gates.model.timeutil import format_duration, format_timestamp, resolve_now

if TYPE_CHECKING:
    from hotfix_gates.git.trees import TreeView
    from hotfix_gates.model.finding import Finding
    from hotfix_gates.model.record import HotfixRecord
    from hotfix_gates.parsing.config import Config
    from hotfix_gates.reporting.metrics import Facts

DEADLINE_GATES = ("post-mortem", "regression-test")


# -- shared with `report`: the tree, the clock, and the facts per record -------


def clock(now_text: str | None) -> datetime:
    return resolve_now(now_text)


def open_tree(rev: str | None) -> tuple[TreeView, Config]:
    """The working tree (or the tree at REV) and the configuration in it."""
    from hotfix_gates.git.repository import open_repo, rev_tree, work_tree
    from hotfix_gates.parsing.config import load_config

    repo = open_repo()
    # No parse cache: it keeps no section text, and the report reads Action Items.
    tree: TreeView = rev_tree(repo, rev) if rev else work_tree(repo)
    config = load_config(tree)
    return tree, config


def gather(tree: TreeView, config: Config
           ) -> tuple[list[tuple[Facts, list[Finding]]], list[Finding]]:
    """Every record with its facts and parse findings; folder-level problems."""
    from hotfix_gates.gates.engine import load_records

    loaded, problems = load_records(tree, config)
    loaded.sort(key=lambda item: (item[0].number is None, item[0].number or 0, item[0].folder))
    return [(facts_of(tree, record), findings) for record, findings in loaded], problems


def facts_of(tree: TreeView, record: HotfixRecord) -> Facts:
    """What the gates would say about the record's post-mortem and tests,
    whether or not their deadline has come."""
    from hotfix_gates.gates import builtin as gates
    from hotfix_gates.model.constants import COMPLETED_KEY
    from hotfix_gates.reporting.metrics import Facts, open_action_items, optional_time

    facts = Facts(record)
    post, problem, _ = gates.read_post_mortem(tree, record)
    if post is None:
        facts.post_mortem = "missing" if "does not exist" in problem else "unreadable"
    elif list(gates.post_mortem_problems(gates.post_mortem, tree, record, "status")):
        facts.post_mortem = "draft"
    else:
        facts.post_mortem = "complete"
        facts.completed_at = optional_time(_front_matter_value(tree, post.path, COMPLETED_KEY))
    facts.action_items = open_action_items(post)
    if {"*", "regression_tests"} & record.invalid:
        facts.tests = "invalid"
    elif not record.regression_tests:
        facts.tests = "none"
    elif list(gates.regression_test_problems(gates.regression_test, tree, record, "status")):
        facts.tests = "missing"
    else:
        facts.tests = "listed"
    return facts


def _front_matter_value(tree: TreeView, path: str, key: str) -> object:
    from hotfix_gates.git.trees import read
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.parsing.hotfix import (
        NoFrontMatter,
        UnclosedFrontMatter,
        decode,
        split_front_matter,
    )
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

    try:
        block = split_front_matter(decode(read(tree, path)))
        return load_mapping(block.yaml_text, block.yaml_line).values.get(key)
    except (TreeError, UnicodeDecodeError, YamlProblem, NoFrontMatter, UnclosedFrontMatter):
        return None  # read as "no such key": the gate reports the file itself


def show_problems(problems: list[Finding]) -> None:
    for finding in problems:
        print(f"hotfix-gate: warning: {finding.text()}", file=sys.stderr)


# -- one row per record -------------------------------------------------------


@dataclass
class Deadline:
    gate: str
    due: datetime | None
    state: str  # met | pending | overdue | waived | off | not-started | invalid
    left: timedelta | None  # due - now; negative once passed

    def as_dict(self) -> dict[str, object]:
        left = None if self.state == "met" else _whole_minutes(self.left)
        return {"due": format_timestamp(self.due) if self.due else None, "state": self.state,
                "minutes_left": left}


def _whole_minutes(delta: timedelta | None) -> int | None:
    return None if delta is None else int(delta.total_seconds() // 60)


def deadlines(tree: TreeView, config: Config, now: datetime, facts: Facts,
              parse_findings: list[Finding]) -> list[Deadline]:
    """Each post-incident deadline, judged by the gates themselves with the
    configured levels and the record's waivers applied (as `check` does)."""
    from hotfix_gates.gates import builtin as gates
    from hotfix_gates.gates.engine import apply_policy
    from hotfix_gates.model.finding import Level

    record = facts.record
    ctx = gates.Context(record, tree, config, now, frozenset({gates.DUE}), parse_findings)
    units = {"post-mortem": gates.post_mortem, "regression-test": gates.regression_test}
    met = {"post-mortem": facts.post_mortem == "complete",
           "regression-test": facts.tests == "listed"}
    out = []
    for name in DEADLINE_GATES:
        start = record.clock_start
        due = start + config.deadline(name) if start else None
        left = due - now if due else None
        if "*" in record.invalid:
            state = "invalid"  # nothing in the record can be read; HG001 says why
        elif met[name]:
            state = "met"
        elif config.level(units[name].code, units[name].level) is Level.OFF:
            state = "off"  # turned off in the configuration
        elif name == "regression-test" and facts.tests == "invalid":
            state = "invalid"  # HG001 reports the record; the gate cannot judge it
        elif due is None:
            state = "not-started"
        elif now < due:
            state = "pending"
        else:
            found = apply_policy(list(units[name].check(ctx)), record, config, now)
            if any(f.waiver is None for f in found):
                state = "overdue"
            elif found:
                state = "waived"
            else:
                state = "met"  # the gate found nothing after all
        out.append(Deadline(name, due, state, left))
    return out


def next_deadline(items: list[Deadline]) -> Deadline | None:
    """The unmet deadline to look at first: overdue, then pending, then waived."""
    rank = {"overdue": 0, "pending": 1, "waived": 2}
    open_items = [d for d in items if d.state in rank and d.due is not None]
    if not open_items:
        return None
    return min(open_items, key=lambda d: (rank[d.state], d.due))


def status_row(tree: TreeView, config: Config, now: datetime, facts: Facts,
               parse_findings: list[Finding]) -> dict[str, object]:
    from hotfix_gates.gates.builtin import GATES_BY_ID
    from hotfix_gates.model.finding import Level
    from hotfix_gates.reporting.metrics import elapsed, is_open, last_update, record_id

    record = facts.record
    items = deadlines(tree, config, now, facts, parse_findings)
    upcoming = next_deadline(items)
    kind, span = elapsed(record, now)
    still_open = is_open(record)
    updated = last_update(record) if still_open else None
    waivers = []
    for waiver in record.waivers:
        if waiver.active(now):
            unit = GATES_BY_ID.get(waiver.gate)
            waivers.append({"gate": unit.name if unit else waiver.gate, "reason": waiver.reason,
                            "by": waiver.by,
                            "until": format_timestamp(waiver.until) if waiver.until else None})
    return {
        "id": record_id(record),
        "path": record.path,
        "title": record.title,
        "severity": record.severity,
        "status": record.status,
        "valid": not any(f.level is Level.ERROR for f in parse_findings),
        "open": still_open,
        "incident_start": format_timestamp(record.incident_start)
        if record.incident_start else None,
        "age_minutes": _whole_minutes(span) if kind == "age" else None,
        "duration_minutes": _whole_minutes(span) if kind == "duration" else None,
        "next_deadline": None if upcoming is None else {"gate": upcoming.gate,
                                                        **upcoming.as_dict()},
        "deadlines": {d.gate: d.as_dict() for d in items},
        "overdue": any(d.state == "overdue" for d in items),
        "post_mortem": facts.post_mortem,
        "regression_tests": facts.tests,
        "waivers": waivers,
        "last_update": format_timestamp(updated) if updated else None,
        "minutes_since_update": _whole_minutes(now - updated) if updated else None,
    }


# -- output ---------------------------------------------------------------------


COLUMNS = ("ID", "SEV", "STATUS", "AGE", "NEXT DEADLINE", "POST-MORTEM", "TESTS", "WAIVED",
           "LAST UPDATE")


def _minutes_text(value: object) -> str:
    return format_duration(timedelta(minutes=int(value))) if isinstance(value, int) else "?"


def _text_cells(row: dict[str, object]) -> list[str]:
    from hotfix_gates.reporting.metrics import STALE_AFTER

    if row["age_minutes"] is not None:
        age = f"open {_minutes_text(row['age_minutes'])}"
    elif row["duration_minutes"] is not None:
        age = f"took {_minutes_text(row['duration_minutes'])}"
    else:
        age = "?"
    upcoming = row["next_deadline"]
    deadlines: dict[str, dict[str, object]] = row["deadlines"]  # type: ignore[assignment]
    if isinstance(upcoming, dict):
        left = upcoming["minutes_left"]
        if upcoming["state"] == "overdue":
            when = f"OVERDUE by {_minutes_text(-int(left))}" if isinstance(left, int) else "OVERDUE"
        elif upcoming["state"] == "waived":
            when = "waived"
        else:
            when = f"in {_minutes_text(left)}"
        # Both gates usually fall due together: name every one in the same state.
        names = [gate for gate, d in deadlines.items()
                 if d["state"] == upcoming["state"] and d["due"] == upcoming["due"]]
        deadline = f"{'+'.join(names)} {when}"
    else:
        states = [d["state"] for d in deadlines.values()]
        if all(s == "met" for s in states):
            deadline = "all met"
        elif "not-started" in states:
            deadline = "clock starts at deploy" if row["open"] else "no resolved_at"
        else:
            deadline = "-"
    since = row["minutes_since_update"]
    if isinstance(since, int):
        stale = " (stale)" if timedelta(minutes=since) > STALE_AFTER else ""
        update = f"{_minutes_text(since)} ago{stale}"
    else:
        update = "-"
    waivers = row["waivers"]
    waived = ",".join(str(w["gate"]) for w in waivers) if isinstance(waivers, list) else ""
    status = str(row["status"] or "?") + ("" if row["valid"] else " (invalid)")
    return [str(row["id"]), str(row["severity"] or "-"), status, age, deadline,
            str(row["post_mortem"]), str(row["regression_tests"]), waived or "-", update]


def _records(count: int) -> str:
    return f"{count} record{'s' if count != 1 else ''}"


def render_text(rows: list[dict[str, object]], total: int, overdue_only: bool) -> str:
    if not rows:
        return f"nothing is overdue ({_records(total)})" if overdue_only else "no hotfix records"
    table = [list(COLUMNS), *(_text_cells(row) for row in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(COLUMNS))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
             .rstrip() for line in table]
    late = sum(bool(row["overdue"]) for row in rows)
    lines.append(f"{_records(total)}, {late} overdue")
    return "\n".join(lines)


def status(overdue_only: bool, fmt: str, now_text: str | None, rev: str | None) -> int:
    """One line per incident: severity, status, age, the next deadline and
    how far off (or overdue) it is, post-mortem and regression-test state,
    waivers, and time since the last timeline update."""
    now = clock(now_text)
    tree, config = open_tree(rev)
    gathered, problems = gather(tree, config)
    show_problems(problems)
    rows = [status_row(tree, config, now, facts, found) for facts, found in gathered]
    overdue = any(row["overdue"] for row in rows)
    shown = [row for row in rows if row["overdue"]] if overdue_only else rows
    if fmt == "json":
        print(json.dumps(shown, indent=2))
    else:
        print(render_text(shown, len(rows), overdue_only))
    return EXIT_BLOCKED if overdue_only and overdue else EXIT_OK
