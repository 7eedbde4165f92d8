"""`status` rows: one per record, as JSON objects and as a text table that
fits 100 columns (a line of numbers, then the title, then the details)."""

from __future__ import annotations

from datetime import datetime, timedelta

from hotfix_gates.model.constants import GATE_NAMES, gate_code, id_number
from hotfix_gates.model.finding import Finding, Level, printable
from hotfix_gates.model.timeutil import format_duration, format_timestamp
from hotfix_gates.reporting.metrics import Facts, elapsed, is_open, last_update, record_id

STALE_AFTER = timedelta(minutes=15)  # the workflow asks for an update every 15 minutes
WIDTH = 100
SHORT = {"post-mortem": "post-mortem", "regression-test": "test", "open-incident": "resolution"}
_RANK = {"overdue": 0, "pending": 1, "waived": 2}

Row = dict[str, object]


def whole_minutes(delta: timedelta | None) -> int | None:
    """Rounded to the nearest minute (45m42s is 46 minutes)."""
    return None if delta is None else round(delta.total_seconds() / 60)


def _deadline_dict(deadline: object, now: datetime) -> dict[str, object]:
    due: datetime | None = getattr(deadline, "due", None)
    state: str = getattr(deadline, "state", "")
    left = whole_minutes(due - now) if due is not None and state != "met" else None
    return {"gate": getattr(deadline, "name", ""), "due": format_timestamp(due) if due else None,
            "state": state, "minutes_left": left}


def row(facts: Facts, findings: list[Finding], now: datetime) -> Row:
    record = facts.record
    deadlines = [_deadline_dict(d, now) for d in facts.deadlines]
    upcoming = [d for d in deadlines if d["state"] in _RANK and d["due"]]
    upcoming.sort(key=lambda d: (_RANK[str(d["state"])], str(d["due"])))
    kind, span = elapsed(record, now)
    if span is not None and span < timedelta(0):
        span = None  # a start in the future of --now: HG001 reports the record
    still_open = is_open(record)
    updated = last_update(record) if still_open else None
    waivers = [{"gate": GATE_NAMES.get(gate_code(w.gate) or "", w.gate), "reason": w.reason,
                "by": w.by,
                "until": format_timestamp(w.until) if w.until else None}
               for w in record.waivers if w.active(now)]
    problems = [f for f in findings if f.code == "HG001" and f.level is Level.ERROR]
    return {
        "id": record_id(record),
        "path": record.path,
        "title": record.title,
        "severity": record.severity,
        "status": record.status,
        "valid": not problems,
        "problems": len(problems),
        "open": still_open,
        "incident_start": format_timestamp(record.incident_start)
        if record.incident_start else None,
        "age_minutes": whole_minutes(span) if kind == "age" else None,
        "duration_minutes": whole_minutes(span) if kind == "duration" else None,
        "next_deadline": upcoming[0] if upcoming else None,
        "deadlines": {str(d["gate"]): {k: v for k, v in d.items() if k != "gate"}
                      for d in deadlines},
        "overdue": any(d["state"] == "overdue" for d in deadlines),
        "post_mortem": facts.post_mortem,
        "regression_tests": facts.tests,
        "waivers": waivers,
        "last_update": format_timestamp(updated) if updated else None,
        "minutes_since_update": whole_minutes(now - updated) if updated and updated <= now
        else None,
    }


def needs_attention(item: Row) -> bool:
    """Overdue, or invalid: a nag must not miss the record that needs a human."""
    return bool(item["overdue"]) or not item["valid"]


def _minutes(value: object) -> str:
    return format_duration(timedelta(minutes=int(value))) if isinstance(value, int) else "?"


def _when(text: object) -> str:
    """2025-10-03T16:00:00Z -> 2025-10-03 16:00Z."""
    value = str(text)
    return f"{value[:10]} {value[11:16]}Z" if len(value) >= 16 else value


def _next(item: Row) -> str:
    upcoming = item["next_deadline"]
    deadlines = item["deadlines"]
    if isinstance(upcoming, dict) and isinstance(deadlines, dict):
        names = [SHORT.get(str(name), str(name)) for name, d in deadlines.items()
                 if d["state"] == upcoming["state"] and d["due"] == upcoming["due"]]
        left, due = upcoming["minutes_left"], _when(upcoming["due"])
        if upcoming["state"] == "overdue":
            return f"{'+'.join(names)} OVERDUE by {_minutes(-int(str(left)))}, due {due}"
        if upcoming["state"] == "waived":
            return f"{'+'.join(names)} waived, due {due}"
        return f"{'+'.join(names)} in {_minutes(left)}, due {due}"
    states = [d["state"] for d in deadlines.values()] if isinstance(deadlines, dict) else []
    if states and all(s in ("met", "off") for s in states):
        return "all met"
    if "not-started" in states:
        return "clock starts at deploy" if item["open"] else "no resolved_at"
    return "-"


def _cells(item: Row) -> list[str]:
    if item["age_minutes"] is not None:
        age = f"open {_minutes(item['age_minutes'])}"
    elif item["duration_minutes"] is not None:
        age = f"took {_minutes(item['duration_minutes'])}"
    else:
        age = "?"
    status = str(item["status"] or "?") if item["valid"] else "INVALID"
    return [printable(str(item["id"]))[:24], str(item["severity"] or "-"), status, age,
            _next(item)]


def _details(item: Row) -> str:
    if not item["valid"]:
        # First, so that the width never cuts the fix; what the record says
        # about its updates cannot be trusted while it does not read.
        count = int(str(item["problems"]))
        one = f" --id {item['id']}" if id_number(str(item["id"])) is not None else ""
        return (f"{count} HG001 problem{'s' if count != 1 else ''}: run `hotfix-gate check"
                f"{one}`; post-mortem {item['post_mortem']}")
    parts = [f"post-mortem {item['post_mortem']}", f"tests {item['regression_tests']}"]
    waivers = item["waivers"]
    if isinstance(waivers, list) and waivers:
        parts.append("waived " + ", ".join(
            f"{w['gate']}" + (f" until {_when(w['until'])}" if w["until"] else "")
            for w in waivers))
    since = item["minutes_since_update"]
    if isinstance(since, int):
        stale = " (stale)" if timedelta(minutes=since) > STALE_AFTER else ""
        parts.append(f"last update {_minutes(since)} ago{stale}")
    return ", ".join(parts)


def _fit(text: str) -> str:
    return text if len(text) <= WIDTH else text[:WIDTH - 3] + "..."


def render_text(rows: list[Row], total: int, attention_only: bool, problems: int = 0) -> str:
    """The table; `problems` counts the blocking findings outside the records
    (a hidden or malformed specs folder), printed above it."""
    noun = f"{total} record{'s' if total != 1 else ''}"
    if not rows and problems:
        return (f"no record is overdue ({noun}), but the records cannot all be read: "
                f"{problems} problem{'s' if problems != 1 else ''} above")
    if not rows:
        return f"nothing is overdue or invalid ({noun})" if attention_only else \
            "no hotfix records"
    header = ["ID", "SEV", "STATUS", "AGE", "NEXT DEADLINE"]
    table = [header, *(_cells(item) for item in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(header) - 1)]

    def line(cells: list[str]) -> str:
        fixed = "  ".join(c.ljust(w) for c, w in zip(cells[:-1], widths, strict=True))
        return _fit(f"{fixed}  {cells[-1]}".rstrip())

    out = [line(header)]
    for item, cells in zip(rows, table[1:], strict=True):
        out.append(line(cells))
        out.append(_fit("    " + printable(str(item["title"] or "(no title)"))))
        out.append(_fit("    " + _details(item)))
    late = sum(bool(item["overdue"]) for item in rows)
    invalid = sum(not item["valid"] for item in rows)
    summary = f"{noun}, {late} overdue"
    if invalid:
        summary += f", {invalid} invalid"
    out.append(summary)
    return "\n".join(out)
