"""The judged tree against the merge target (the server's branch tip, CI's
`--base`): what a push to a protected branch must keep of it.

- Its configuration keeps loading (HG002): the target's configuration judges
  the push, and the push must not leave a broken one for the next.
- A record keeps its milestones (HG205): a time recorded on the target does
  not move later or disappear, and the status does not move back, or the
  post-incident clock would start again (or never).
- A record is not dropped before its work is done (HG206): deleting,
  renaming or moving its folder would take its obligations with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import CONFIG_FILE, MILESTONES, STATUSES
from hotfix_gates.model.errors import ConfigError, TreeError
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.model.timeutil import format_timestamp
from hotfix_gates.model.tree import TreeView, resolve

if TYPE_CHECKING:
    from hotfix_gates.gates.subject import Run, Subject


def brought_config(run: Run) -> Config | ConfigError | None:
    """The configuration the judged tree brings in place of the target's one
    in force (the defaults when it has none), or why it does not load; None
    when its own judged it or it keeps the target's file. Read once per run,
    by HG002 and HG207 alike (Run.brought_config)."""
    name = run.config_file
    if name is None or brings_nothing(run, name):
        return None
    if run.tree.kind(name) is None:
        return Config()  # deleted: the defaults would judge the next push
    from hotfix_gates.parsing.config import load_config

    try:
        return load_config(run.tree, None if name == CONFIG_FILE else name)
    except ConfigError as exc:
        return exc


def config_problem(run: Run) -> ConfigError | None:
    """Why the judged tree's own configuration does not load, when the one in
    force came from the target and the judged tree changes it."""
    brought = run.brought_config
    return brought if isinstance(brought, ConfigError) else None


def file_id(tree: TreeView, name: str) -> str | None:
    try:
        return tree.object_id(resolve(tree, name))
    except TreeError:
        return None


def brings_nothing(run: Run, name: str) -> bool:
    """Whether the judged tree holds the target's own `name`. A folder, a
    submodule or a dangling link leads to no file, like no entry at all; but
    it breaks the configuration, and the next push would be judged by the
    last valid one in the pushed history, which the pusher wrote."""
    if run.baseline is None:
        return False
    return _entry(run.tree, name) == _entry(run.baseline, name)


def _entry(tree: TreeView, name: str) -> tuple[str | None, str | None]:
    return tree.kind(name), file_id(tree, name) or tree.object_id(name)


def moved(record: HotfixRecord, target: HotfixRecord, where: str = "the target branch",
          *, later_only: bool = False) -> Iterator[tuple[str, str]]:
    """(key, what happened) for each milestone that the target's copy (on
    `where`) holds and `record` moves later or drops, and for a status that
    moves back; with `later_only`, only the milestones moved later."""
    if "*" in record.invalid or "*" in target.invalid:
        return  # HG001 says why one of them cannot be read
    for key in MILESTONES:
        before = getattr(target, key)
        after = getattr(record, key)
        if before is None or key in target.invalid or key in record.invalid:
            continue
        if after is None and not later_only:
            yield key, f"{key} {format_timestamp(before)} on {where} is not set here"
        elif after is not None and after > before:
            yield key, (f"{key} moved later: {format_timestamp(before)} on {where}, "
                        f"{format_timestamp(after)} here")
    was, now = target.status, record.status
    if (not later_only and was in STATUSES and now in STATUSES
            and STATUSES.index(now) < STATUSES.index(was)):
        yield "status", f"status moved back: {was} on {where}, {now} here"


def unfinished(subject: Subject) -> list[str]:
    """What a removed record (read from the target) still owes; empty when
    its post-incident work is done."""
    record = subject.record
    if subject.unreadable:
        return ["it cannot be read"]
    owed = []
    if record.resolved_at is None:
        owed.append("no resolution recorded")
    post = subject.post_mortem.state
    if post != "complete":
        owed.append(f"post-mortem {post}")
    tests = subject.tests.state
    if tests != "listed":
        owed.append({"none": "no regression test", "missing": "regression test not found",
                     "invalid": "regression tests unreadable"}.get(tests, tests))
    return owed
