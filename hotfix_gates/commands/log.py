"""`hotfix-gate log MESSAGE`: a timestamped row in the record's `## Timeline` table."""

from __future__ import annotations

from hotfix_gates.commands.record_edit import (
    MAX_TEXT,
    Change,
    Outcome,
    Target,
    apply,
    edit_record,
    moment,
    show,
    text,
)
from hotfix_gates.model.errors import ToolError
from hotfix_gates.model.timeutil import format_timestamp


def log(message: str, at: str | None, record_id: str | None, commit: bool = False) -> int:
    """Append a timestamped row to the record's `## Timeline` table."""
    from hotfix_gates.editing.frontmatter import append_timeline_row, table_cell

    cell = table_cell(text("the log message", message))
    if not cell:
        raise ToolError("the log message is empty; say what happened")
    if len(cell) > MAX_TEXT:
        raise ToolError(f"the log message is longer than {MAX_TEXT} characters")
    stamp = format_timestamp(moment(at))

    def work(target: Target) -> Outcome:
        new = apply(target, target.data, lambda data: append_timeline_row(data, stamp, message))
        first = " ".join(cell.replace("<br>", " ").split())
        short = first if len(first) <= 50 else first[:47] + "..."
        return Outcome([Change(target.rel, target.data, new, f"timeline: + {stamp} {show(cell)}")],
                       f"log {stamp}: {short}")

    return edit_record(record_id, commit, work)
