"""`hotfix-gate set severity|reviewed-by|rollback-plan|incident-start`: one
front-matter key, without hand-editing YAML."""

from __future__ import annotations

import sys
from pathlib import Path

from hotfix_gates.commands.record_edit import (
    MAX_TEXT,
    Change,
    Outcome,
    Target,
    apply,
    check_order,
    edit_record,
    old_value,
    show,
    text,
)
from hotfix_gates.model.constants import SEVERITIES
from hotfix_gates.model.errors import ToolError
from hotfix_gates.model.timeutil import format_timestamp


def _set(record_id: str | None, commit: bool, key: str, value: object, message: str) -> int:
    from hotfix_gates.editing.frontmatter import set_key

    def work(target: Target) -> Outcome:
        old = old_value(target, key)
        new = apply(target, target.data, lambda data: set_key(data, key, value))
        return Outcome([Change(target.rel, target.data, new, f"{key}: {show(old)} -> "
                               f"{show(value)}")], message)

    return edit_record(record_id, commit, work)


def set_severity(level: str, record_id: str | None, commit: bool = False) -> int:
    """Set the severity: P0 (outage), P1 (major), P2 (minor)."""
    wanted = level.strip().upper()
    if wanted not in SEVERITIES:
        raise ToolError(f"severity must be P0, P1 or P2, not {level!r:.40}")
    return _set(record_id, commit, "severity", wanted, f"severity {wanted}")


def set_reviewed_by(name: str, record_id: str | None, commit: bool = False) -> int:
    """Record who gave the fix its quick review."""
    clean = text("reviewed-by", name).strip()
    if not clean or "\n" in clean or "\r" in clean:
        raise ToolError("reviewed-by needs a name on one line, like `set reviewed-by \"Ana Ruiz\"`")
    if len(clean) > 200:
        raise ToolError("reviewed-by is longer than 200 characters; give a name")
    return _set(record_id, commit, "reviewed_by", clean, f"reviewed by {clean}")


def set_rollback_plan(text_given: str | None, file: str | None, record_id: str | None,
                      commit: bool = False) -> int:
    """Say how to undo the fix (several lines are kept as a YAML block)."""
    if (text_given is None) == (file is None):
        raise ToolError("give the rollback plan as TEXT or with --file FILE (one of them)")
    plan = _read_text_file(file) if file is not None else text_given
    assert plan is not None
    plan = text("the rollback plan", plan)
    # Trailing blanks would force a quoted one-line form; the plan reads better as a block.
    clean = "\n".join(line.rstrip() for line in plan.strip().splitlines())
    if not clean:
        raise ToolError("the rollback plan is empty; say how to undo the fix")
    if len(clean) > MAX_TEXT:
        raise ToolError(f"the rollback plan is longer than {MAX_TEXT} characters")
    return _set(record_id, commit, "rollback_plan", clean, "rollback plan written")


def _read_text_file(name: str) -> str:
    try:
        if name == "-":
            data = sys.stdin.buffer.read(MAX_TEXT + 1)
        else:
            with Path(name).open("rb") as handle:
                data = handle.read(MAX_TEXT + 1)
    except OSError as exc:
        raise ToolError(f"--file {name}: {exc.strerror}") from None
    if len(data) > MAX_TEXT:
        raise ToolError(f"--file {name}: longer than {MAX_TEXT} bytes; a rollback plan is short")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ToolError(f"--file {name}: not UTF-8 text") from None


def set_incident_start(time: str, record_id: str | None, commit: bool = False) -> int:
    """Correct when the incident began (`new` records the moment it ran)."""
    from hotfix_gates.editing.clock import edit_moment
    from hotfix_gates.editing.frontmatter import set_key
    from hotfix_gates.editing.yamlemit import Stamp

    moment = edit_moment(time, "incident-start")

    def work(target: Target) -> Outcome:
        check_order(target.record, "incident_start", moment)
        old = old_value(target, "incident_start")
        new = apply(target, target.data,
                    lambda data: set_key(data, "incident_start", Stamp.of(moment)))
        return Outcome([Change(target.rel, target.data, new,
                               f"incident_start: {show(old)} -> {format_timestamp(moment)}")],
                       f"incident started at {format_timestamp(moment)}")

    return edit_record(record_id, commit, work)
