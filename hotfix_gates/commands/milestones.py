"""`hotfix-gate detected|deployed|monitoring|resolved|closed`: stamp a
milestone and move the status forward, never back (a milestone recorded
after the status has moved past it, or corrected, keeps the status).

Milestones happen in order (incident_start <= detected_at <= deployed_at <=
resolved_at). `monitoring` watches a deployed fix and `closed` ends the
record once its follow-up is done (post-mortem complete, regression test
listed; a gate waived in the record counts as done); neither has a time of
its own in the record.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from hotfix_gates.commands.record_edit import (
    Change,
    Outcome,
    Target,
    apply,
    check_order,
    edit_record,
    moment,
    old_value,
    show,
)
from hotfix_gates.model.constants import STATUSES
from hotfix_gates.model.errors import ToolError
from hotfix_gates.model.timeutil import format_timestamp

RANK = {status: rank for rank, status in enumerate(STATUSES)}


def _status_change(target: Target, status: str, verb: str) -> list[tuple[str, object, object]]:
    current = target.record.status
    if current is not None and RANK[current] > RANK[status]:
        raise ToolError(f"{target.rel}: status is {current}; `{verb}` would move it back to "
                        f"{status} (edit status by hand if that is really meant)")
    if current == status:
        return []
    return [("status", old_value(target, "status"), status)]


def _write(target: Target, changes: list[tuple[str, object, object]], message: str,
           note: str = "") -> Outcome:
    new = target.data
    for key, _, value in changes:
        new = apply(target, new, _setter(key, value))
    summary = ", ".join(f"{key}: {show(old)} -> {show(value)}" for key, old, value in changes)
    return Outcome([Change(target.rel, target.data, new, (summary or "no change") + note)],
                   message)


def _setter(key: str, value: object) -> Callable[[bytes], bytes]:
    from hotfix_gates.editing.frontmatter import set_key

    return lambda data: set_key(data, key, value)


def _milestone(record_id: str | None, at: str | None, commit: bool, key: str,
               status: str | None) -> int:
    from hotfix_gates.editing.yamlemit import Stamp

    when = moment(at)
    verb = key.removesuffix("_at")

    def work(target: Target) -> Outcome:
        check_order(target.record, key, when)
        changes: list[tuple[str, object, object]] = [
            (key, old_value(target, key), Stamp.of(when))]
        note = ""
        current = target.record.status
        if status is not None and current is not None and RANK[current] > RANK[status]:
            # A milestone recorded late or corrected: the time changes, and the
            # status, which only moves forward, stays where it is.
            note = f" (status stays {current})"
        elif status is not None:
            changes += _status_change(target, status, verb)
        if key == "resolved_at" and target.record.deployed_at is None:
            note += " (no deployment recorded: the post-incident clock starts at resolution)"
        return _write(target, changes, f"{verb} at {format_timestamp(when)}", note)

    return edit_record(record_id, commit, work)


def detected(at: str | None, record_id: str | None, commit: bool = False) -> int:
    """Record when the incident was detected (status stays as it is)."""
    return _milestone(record_id, at, commit, "detected_at", None)


def deployed(at: str | None, record_id: str | None, commit: bool = False) -> int:
    """Record when the fix reached production; status becomes fix-deployed."""
    return _milestone(record_id, at, commit, "deployed_at", "fix-deployed")


def resolved(at: str | None, record_id: str | None, commit: bool = False) -> int:
    """Record when the incident ended; status becomes resolved. The
    post-mortem and regression-test deadlines count from this time."""
    return _milestone(record_id, at, commit, "resolved_at", "resolved")


def monitoring(record_id: str | None, commit: bool = False) -> int:
    """The deployed fix is being watched; status becomes monitoring."""

    def work(target: Target) -> Outcome:
        if target.record.deployed_at is None:
            raise ToolError("monitoring watches a deployed fix, and none is recorded; run "
                            "`hotfix-gate deployed --at TIME` first")
        return _write(target, _status_change(target, "monitoring", "monitoring"),
                      "monitoring the fix")

    return edit_record(record_id, commit, work)


def closed(record_id: str | None, commit: bool = False) -> int:
    """Close the record once its follow-up is done: resolved, post-mortem
    complete, regression test listed (or the gate waived)."""
    from hotfix_gates.editing.clock import edit_moment

    now = edit_moment(None)

    def work(target: Target) -> Outcome:
        if target.record.resolved_at is None:
            raise ToolError("the incident has no resolution recorded; run `hotfix-gate "
                            "resolved --at TIME` first")
        missing = _unfinished(target, now)
        if missing:
            raise ToolError(f"not closed: {'; '.join(missing)}; or waive the gate")
        return _write(target, _status_change(target, "closed", "closed"), "closed")

    return edit_record(record_id, commit, work)


def _unfinished(target: Target, now: datetime) -> list[str]:
    """What keeps the record open: HG201 and HG202 unmet and not waived."""
    from hotfix_gates.gates.tests import check_entry
    from hotfix_gates.git.repository import work_tree

    record = target.record
    waived = {w.gate for w in record.waivers if w.active(now)} - target.config.not_waivable
    missing = []
    if "HG201" not in waived and not _post_mortem_complete(target):
        missing.append("post-mortem not complete (`post-mortem-complete`)")
    if "HG202" not in waived:
        tree = work_tree(target.repo)
        if not record.regression_tests:
            missing.append("no regression test listed (`regression-test PATH::NAME`)")
        elif any(check_entry(tree, target.config, entry) for entry in record.regression_tests):
            missing.append("a listed regression test is not found (`check` says which)")
    return missing


def _post_mortem_complete(target: Target) -> bool:
    from hotfix_gates.git.repository import work_tree
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.model.tree import read
    from hotfix_gates.parsing.hotfix import parse_post_mortem

    rel = f"{target.folder}/post-mortem.md"
    tree = work_tree(target.repo)
    if tree.kind(rel) != "file":
        return False
    try:
        post, _, _ = parse_post_mortem(rel, read(tree, rel))
    except TreeError:
        return False
    return post is not None and post.status == "complete" and not post.unwritten()
