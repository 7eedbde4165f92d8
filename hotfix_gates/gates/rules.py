"""Whether a push weakens the rules that judge the next one (HG207).

The server and CI judge a push with the target's configuration, so a push
that relaxes `.hotfix-gates.yaml` is judged by the strict rules; but once it
lands, the next push is judged by the relaxed ones. A push may tighten the
rules freely; to loosen them, someone who administers the judging side
accepts that exact file: its blob id in `git config hotfix-gates.accept-rules`
on the server (or in $HOTFIX_GATE_ACCEPT_RULES for CI, from a variable that
only maintainers set).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hotfix_gates.gates.target import brings_nothing, file_id
from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import DEFAULT_DEADLINES
from hotfix_gates.model.finding import Level
from hotfix_gates.model.timeutil import format_deadline

if TYPE_CHECKING:
    from hotfix_gates.gates.registry import Gate
    from hotfix_gates.gates.subject import Run

_STRICTNESS = {Level.OFF: 0, Level.WARN: 1, Level.ERROR: 2}


def weakenings(before: Config, after: Config, gates: tuple[Gate, ...]) -> list[str]:
    """What `after` relaxes of `before`, one phrase each; empty when it keeps
    or tightens every rule."""
    found = []
    if after.specs_dir != before.specs_dir:
        found.append(f"specs_dir moves from {before.specs_dir} to {after.specs_dir}")
    dropped = [p for p in before.protected_branches if p not in after.protected_branches]
    if dropped:
        found.append(f"protected_branches drops {', '.join(dropped)}")
    for key in DEFAULT_DEADLINES:
        allowed, later = before.deadline(key), after.deadline(key)
        if later > allowed:
            found.append(f"deadlines.{key} {format_deadline(allowed)} -> "
                         f"{format_deadline(later)}")
    for gate in gates:
        was, now = before.level(gate.code, gate.level), after.level(gate.code, gate.level)
        if _STRICTNESS[now] < _STRICTNESS[was]:
            found.append(f"{gate.code} {gate.name} {was} -> {now}")
    for code in sorted(before.not_waivable - after.not_waivable):
        found.append(f"{code} becomes waivable")
    return found


def accepted(blob_id: str, ids: frozenset[str]) -> bool:
    """Whether the judging side accepted this version of the file, by its
    full blob id: an abbreviation also names any file ground to start with
    it (seven digits are 2**28 tries; twelve, a night on a graphics card)."""
    return blob_id.lower() in {given.lower() for given in ids}


def rules_weakened(run: Run, gates: tuple[Gate, ...]
                   ) -> tuple[str, str, list[str], str] | None:
    """(file, blob id, what it relaxes, how the next push would get it) when
    the judged tree brings a configuration laxer than the one in force; None
    otherwise, and when it does not load (HG002 says why)."""
    name = run.config_file
    if name is None:
        return None  # the judged tree's own configuration judged it
    if brings_nothing(run, name):
        if run.next_config is None:
            return None  # the same file as the target's: this push does not bring it
        after, key = run.next_config
        found = key.removeprefix("blob:") if key.startswith("blob:") else ""
        relaxed = weakenings(run.config, after, gates)
        if not relaxed or (found and accepted(found, run.accepted_rules)):
            return None
        return name, found, relaxed, "stays broken, so the last valid one in the pushed history"
    brought = run.brought_config
    if not isinstance(brought, Config):
        return None  # HG002 says why it does not load
    blob = file_id(run.tree, name)
    relaxed = weakenings(run.config, brought, gates)
    if not relaxed or (blob is not None and accepted(blob, run.accepted_rules)):
        return None
    return name, blob or "", relaxed, ""

