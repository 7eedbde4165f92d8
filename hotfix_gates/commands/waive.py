"""`hotfix-gate waive GATE --reason TEXT [--until T]`: an audited waiver of
one gate for one record, the honest alternative to `git push --no-verify`."""

from __future__ import annotations

import difflib
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix_gates.commands.record_edit import (
    Change,
    Outcome,
    Target,
    apply,
    edit_record,
    moment,
    show,
    text,
)
from hotfix_gates.model.errors import TimeError, ToolError
from hotfix_gates.model.timeutil import format_timestamp, parse_duration, parse_timestamp

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.gates.registry import Gate


def git_identity(repo: pygit2.Repository) -> str:
    """`user.name <user.email>` from git's configuration; ToolError when unset."""
    import pygit2

    values: dict[str, str] = {}
    try:
        config = repo.config
        for key in ("user.name", "user.email"):
            try:
                value = config[key]
            except KeyError:
                continue
            if isinstance(value, str) and value.strip():
                values[key] = value.strip()
    except pygit2.GitError as exc:
        raise ToolError(f"cannot read git's configuration: {exc}") from None
    missing = [key for key in ("user.name", "user.email") if key not in values]
    if missing:
        verb = "are" if len(missing) > 1 else "is"
        raise ToolError(f"a waiver records who granted it, but git's {' and '.join(missing)} "
                        f"{verb} not set; run `git config user.name \"Your Name\"` and "
                        "`git config user.email you@example.com`")
    identity = f"{values['user.name']} <{values['user.email']}>"
    if any(ch in identity for ch in "\r\n"):
        raise ToolError("git's user.name or user.email spans several lines; fix it with git config")
    return identity


def find_gate(given: str) -> Gate:
    """The gate named by code or name, in any case; an unknown one is refused
    with the closest names."""
    from hotfix_gates.gates.builtin import GATES_BY_ID, find_gate

    found = find_gate(given)
    if found is not None:
        return found
    wanted = given.strip().lower()
    names = {name.lower(): name for name in GATES_BY_ID}
    close = difflib.get_close_matches(wanted, names, n=2, cutoff=0.6)
    hint = f"did you mean {' or '.join(names[c] for c in close)}? " if close else ""
    raise ToolError(f"unknown gate {given.strip()!r:.40}; {hint}`hotfix-gate gates` lists them")


def waive(gate_id: str, reason: str | None, until: str | None, at: str | None,
          record_id: str | None, commit: bool = False) -> int:
    """Record an audited waiver of one gate for this record: the gate is
    reported as waived, not blocking, until --until. The honest
    alternative to `git push --no-verify`."""
    from hotfix_gates.editing.frontmatter import append_item
    from hotfix_gates.editing.yamlemit import Stamp

    unit = find_gate(gate_id)
    if not unit.waivable:
        fix = ("fix the record instead" if unit.code == "HG001"
               else "renumber the records instead")
        raise ToolError(f"{unit.code} {unit.name} cannot be waived; {fix}")
    from hotfix_gates.parsing.values import says_nothing

    why = text("--reason", reason or "").strip()
    if says_nothing(why):  # empty, invisible, TBD: the record would not honour it
        raise ToolError("a waiver needs --reason TEXT saying why the gate is skipped")
    if "\n" in why or "\r" in why:
        raise ToolError("--reason must be one line")
    if len(why) > 1000:
        raise ToolError("--reason is longer than 1000 characters; link to the details instead")
    start = moment(at)
    expires = _until(until, start) if until else None

    def work(target: Target) -> Outcome:
        if unit.code in target.config.not_waivable:
            raise ToolError(f"{target.config.source} does not allow waiving {unit.code} "
                            f"{unit.name} (waivable: false); meet the gate instead")
        by = git_identity(target.repo)
        item: dict[str, object] = {
            "gate": unit.code, "reason": why, "by": by, "at": Stamp.of(start),
            "until": Stamp.of(expires) if expires else None,
        }
        new = apply(target, target.data, lambda data: append_item(data, "waivers", item))
        lasting = f"until {format_timestamp(expires)}" if expires else "with no end"
        summary = f"waivers: + {unit.code} {unit.name} waived by {by} {lasting}: {show(why)}"
        return Outcome([Change(target.rel, target.data, new, summary)],
                       f"waive {unit.code} {unit.name} {lasting}", _elsewhere(target, unit))

    return edit_record(record_id, commit, work)


def _elsewhere(target: Target, unit: Gate) -> list[str]:
    """A note when the waived gate finds nothing in the record now while other
    gates block it: the waiver of the wrong gate leaves the push blocked."""
    from hotfix_gates.gates.engine import MERGE_CHECK, judge
    from hotfix_gates.gates.subject import Run
    from hotfix_gates.git.repository import work_tree
    from hotfix_gates.model.timeutil import resolve_now

    judgement = judge(Run(work_tree(target.repo), target.config, resolve_now(None)),
                      MERGE_CHECK, [target.folder])
    found = [f for f in judgement.findings if f.path.startswith(f"{target.folder}/")]
    if any(f.code == unit.code for f in found):
        return []
    blocking = sorted({f"{f.code} {f.name}" for f in found if f.blocking})
    if not blocking:
        return []
    return [f"{unit.code} {unit.name} finds nothing to waive in {target.label} now; what "
            f"blocks a merge is {', '.join(blocking)}"]


def _until(given: str, start: datetime) -> datetime:
    try:
        end = start + parse_duration(given)
    except TimeError:
        try:
            end = parse_timestamp(given)[0]
        except TimeError as exc:
            raise ToolError(f"--until: {exc} (or a duration such as 24h)") from None
    end = end.replace(microsecond=0)
    if end <= start:
        raise ToolError(f"--until {format_timestamp(end)} is not after the waiver's time "
                        f"{format_timestamp(start)}; give a later time")
    return end
