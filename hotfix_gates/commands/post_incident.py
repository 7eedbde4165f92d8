"""`hotfix-gate regression-test` and `hotfix-gate post-mortem-complete`: the
post-incident work, listed and dated (`report` counts it on time or late).

A test is named like git names files: relative to the current folder, and
stored relative to the repository root. It must exist and define the name
given, as HG202 will check; `--not-yet` lists one that is still to be written.
"""

from __future__ import annotations

import os
import shlex
from datetime import datetime
from functools import partial
from pathlib import Path

from hotfix_gates.commands.record_edit import (
    Change,
    Outcome,
    Target,
    apply,
    edit_record,
    moment,
    old_value,
    show,
    text,
)
from hotfix_gates.model.errors import ToolError, TreeError
from hotfix_gates.model.timeutil import format_timestamp

ADDED_AT = "regression_tests_added_at"
FORM = "give the test as PATH or PATH::NAME, like tests/test_pool.py::test_release"


def entry_from_here(given: str, root: Path) -> str:
    """`PATH[::NAME]` as typed in the current folder -> relative to the root."""
    from hotfix_gates.model.tree import normalize

    entry = text("the test", given).strip()
    path, sep, names = entry.partition("::")
    path = path.strip()
    if not path or "\n" in entry or "\r" in entry or len(entry) > 1000:
        raise ToolError(FORM)
    here = Path(os.getcwd()).resolve()
    full = Path(path) if os.path.isabs(path) else here / path
    full = full.parent.resolve() / full.name if full.name not in ("", ".", "..") else full
    rel = os.path.relpath(os.path.normpath(full), root.resolve())
    if rel == ".." or rel.startswith(".." + os.sep):
        raise ToolError(f"{path} is outside the repository {root}; {FORM}")
    try:
        clean = normalize(rel.replace(os.sep, "/"))
    except TreeError as exc:
        raise ToolError(f"{exc}; {FORM}") from None
    return f"{clean}{sep}{names}"


def regression_test(test: str, at: str | None, record_id: str | None, commit: bool = False,
                    remove: bool = False, not_yet: bool = False) -> int:
    """List a regression test that guards the fix (HG202) and date it:
    regression_tests_added_at is set the first time (or to --at). With
    --remove, take a listed test off the list."""
    if remove:
        if at or not_yet:
            raise ToolError("--remove takes only the test to take off the list (no --at, "
                            "no --not-yet)")
        return edit_record(record_id, commit, lambda target: _remove(target, test))
    when = moment(at)
    return edit_record(record_id, commit, lambda target: _add(target, test, when, at, not_yet))


def _add(target: Target, given: str, when: datetime, at: str | None,
         not_yet: bool) -> Outcome:
    from hotfix_gates.editing.frontmatter import append_item, set_key
    from hotfix_gates.editing.yamlemit import Stamp

    entry = entry_from_here(given, target.root)
    start = target.record.incident_start
    if start is not None and when < start:
        raise ToolError(f"{format_timestamp(when)} is before incident_start "
                        f"{format_timestamp(start)}; pass --at with the real time")
    notes = _check_present(target, given, entry, not_yet)
    listed = old_value(target, "regression_tests")
    changes: list[str] = []
    new = target.data
    if not (isinstance(listed, list) and entry in listed):
        new = apply(target, new, lambda data: append_item(data, "regression_tests", entry))
        changes.append(f"regression_tests: + {entry}")
    old = old_value(target, ADDED_AT)
    if old is None or at:
        new = apply(target, new, lambda data: set_key(data, ADDED_AT, Stamp.of(when)))
        changes.append(f"{ADDED_AT}: {show(old)} -> {format_timestamp(when)}")
    summary = ", ".join(changes) or f"{entry} is already listed"
    return Outcome([Change(target.rel, target.data, new, summary)],
                   f"regression test {entry}", notes)


def _check_present(target: Target, given: str, entry: str, not_yet: bool) -> list[str]:
    """Refuse a test HG202 would not find in the working tree (unless
    --not-yet); remind that an uncommitted one counts once committed."""
    from hotfix_gates.editing.commit import pending
    from hotfix_gates.gates.tests import check_entry
    from hotfix_gates.git.repository import work_tree

    tree = work_tree(target.repo)
    problem = check_entry(tree, target.config, entry)
    path = entry.partition("::")[0]
    if problem is not None:
        if not_yet:
            return [f"{problem.message}; HG202 counts the test once it is written and committed"]
        hint = ""
        root_form = given.strip().partition("::")[0]
        if root_form != path and tree.kind(root_form) == "file":
            hint = f" (paths are relative to this folder; from the root it is {root_form})"
        raise ToolError(f"{problem.message}{hint}; check it, or pass --not-yet to list a test "
                        "not written yet")
    if pending(target.root, [path])[0]:
        typed = shlex.quote(given.strip().partition("::")[0].strip())
        return [f"{path} is not committed yet, and HG202 counts it only once it is: "
                f"`git add {typed} && git commit`"]
    return []


def _remove(target: Target, given: str) -> Outcome:
    from hotfix_gates.editing.frontmatter import remove_item, set_key
    from hotfix_gates.editing.verify import front_matter_values

    listed = old_value(target, "regression_tests")
    items = [item for item in listed if isinstance(item, str)] if isinstance(listed, list) else []
    wanted = given.strip()
    if wanted not in items:
        wanted = entry_from_here(given, target.root)
    # A file names every test listed in it (`tests/test_pool.py` takes off
    # `tests/test_pool.py::test_release`), unless it is itself an entry.
    gone = [wanted] if wanted in items else [] if "::" in wanted else list(dict.fromkeys(
        item for item in items if item.partition("::")[0] == wanted))
    if not gone:
        shown = ", ".join(items[:5]) + (" ..." if len(items) > 5 else "") or "none"
        raise ToolError(f"{given.strip()!r:.80} is not listed in regression_tests (listed: "
                        f"{shown})")
    new = target.data
    for entry in gone:
        for _ in range(items.count(entry)):  # a test listed twice goes entirely
            new = apply(target, new, partial(remove_item, key="regression_tests", item=entry))
    summary = ", ".join(f"regression_tests: - {entry}" for entry in gone)
    left = front_matter_values(new)
    if not left.get("regression_tests") and left.get(ADDED_AT) is not None:
        # The date says when the test was listed; with none listed it would
        # count a later one as on time.
        new = apply(target, new, lambda data: set_key(data, ADDED_AT, None))
        summary += f", {ADDED_AT}: {show(old_value(target, ADDED_AT))} -> null"
    return Outcome([Change(target.rel, target.data, new, summary)],
                   f"regression test {wanted if len(gone) > 1 else gone[0]} removed")


def post_mortem_complete(at: str | None, record_id: str | None, commit: bool = False) -> int:
    """Mark the post-mortem complete (HG201): sets status: complete and
    completed_at in post-mortem.md, once every required section is written."""
    when = moment(at)
    return edit_record(record_id, commit, lambda target: _complete(target, when, at))


def _complete(target: Target, when: datetime, at: str | None) -> Outcome:
    from hotfix_gates.editing.document import BOM
    from hotfix_gates.editing.frontmatter import set_key
    from hotfix_gates.editing.verify import front_matter_values, verify_front_matter
    from hotfix_gates.editing.yamlemit import Stamp
    from hotfix_gates.git.repository import work_tree
    from hotfix_gates.model.errors import EditError
    from hotfix_gates.model.tree import read
    from hotfix_gates.parsing.hotfix import parse_post_mortem

    rel = f"{target.folder}/post-mortem.md"
    tree = work_tree(target.repo)
    if tree.kind(rel) != "file":
        raise ToolError(f"{rel} is missing or not a regular file; write the post-mortem first "
                        "(`hotfix-gate new` makes one from the template)")
    try:
        data = read(tree, rel)
    except TreeError as exc:
        raise ToolError(f"cannot read {rel}: {exc}") from None
    post, problem, line = parse_post_mortem(rel, data)
    if post is None:
        raise ToolError(f"{rel}:{line}: {problem}; fix it, then run this again")
    if not data.removeprefix(BOM).startswith(b"---"):
        raise ToolError(f"{rel} has no front matter; add the lines `---`, `status: draft`, "
                        "`---` at the top, then run this again")
    unwritten = post.unwritten()
    if unwritten:
        listed = ", ".join(f"'{name}'" for name in unwritten)
        raise ToolError(f"{rel}: {listed} not written yet (template guidance does not count); "
                        "write them, then run this again")
    resolved = target.record.resolved_at or target.record.deployed_at
    if resolved is not None and when < resolved:
        raise ToolError(f"completed_at {format_timestamp(when)} would be before the "
                        f"resolution {format_timestamp(resolved)}; pass --at with the real time")
    try:
        old = front_matter_values(data)
    except EditError as exc:
        raise ToolError(f"cannot edit {rel}: {exc}") from None
    changes: list[str] = []
    new = data
    if post.status != "complete":
        new = apply(target, new, lambda d: set_key(d, "status", "complete",
                                                   verify_front_matter), rel)
        changes.append(f"status: {show(old.get('status'))} -> complete")
    if old.get("completed_at") is None or at:
        new = apply(target, new, lambda d: set_key(d, "completed_at", Stamp.of(when),
                                                   verify_front_matter), rel)
        changes.append(f"completed_at: {show(old.get('completed_at'))} -> "
                       f"{format_timestamp(when)}")
    return Outcome([Change(rel, data, new, ", ".join(changes) or "already complete")],
                   "post-mortem complete")
