"""Records settled for good: judged again only when what they are judged on changes.

A push to main judges every record, because deadlines move with the clock.
A record that passed every gate in force, whose every deadline had already
come and was met, and that carries no waiver, passes the same gates at any
later time for as long as what they read is unchanged (only a time in the
future of the clock could fail, and the clock only moves on). What they read
is pinned by git ids:

- the record's folder: hotfix.md and post-mortem.md, both regular files
  there (a symlink reads outside it);
- each listed test: the first name of its path below the root (a folder or
  the file itself), whose id pins everything below it, with the root's own
  check of that name (flaws, case twins); the path reaches its file with no
  symlink on the way;
- the copies the target and the server's default branch hold (HG205), each
  a parse its folder id pins;
- the configuration in force and the moments judged.

The parse cache keeps, under a key made of these, the time of the judgement
and the gates that applied; a judgement at that time or later serves them
without running the gates. Anything else is judged in full every time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hotfix_gates.gates.registry import Moment
from hotfix_gates.gates.tests import entry_path
from hotfix_gates.model.constants import POST_MORTEM_FILE
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.tree import checkout_problem, resolve
from hotfix_gates.parsing.records import folder_key

if TYPE_CHECKING:
    from hotfix_gates.gates.subject import Run, Subject
    from hotfix_gates.model.tree import TreeView

KIND = "settled"


def context(run: Run, moments: frozenset[Moment]) -> str | None:
    """What the keys of one judgement's records share; None without a cache,
    or for a judgement with no deadline (a hotfix branch, a commit: a few
    cheap gates, nothing to save)."""
    if run.cache is None or Moment.POST_INCIDENT not in moments:
        return None
    config = replace(run.config, source="")  # where it was read says nothing of what it says
    sides = f"{run.baseline is not None}:{run.reference is not None}"
    return f"{sorted(moments)}\0{config!r}\0{sides}"


def key(subject: Subject, shared: str) -> str | None:
    """The record's key, or None when what it is judged on is not pinned."""
    record = subject.record
    folder = subject.key
    if folder is None or record.waivers or record.invalid:
        return None
    try:
        tests = _tests(subject.run.tree, record.regression_tests)
    except TreeError:
        return None
    copies = _copies(subject)
    if tests is None or copies is None:
        return None
    return "\0".join((shared, folder, tests, copies))


def recall(subject: Subject, found_key: str) -> tuple[str, ...] | None:
    """The codes of the gates that applied, when the record was settled under
    this key at or before the judgement's clock."""
    cache = subject.run.cache
    found = cache.lookup(KIND, found_key, _entry) if cache is not None else None
    if found is None:
        return None
    when, codes = found
    return codes if subject.run.now.timestamp() >= when else None


def remember(subject: Subject, codes: tuple[str, ...], shared: str,
             found_key: str | None) -> None:
    """Keep a record that passed everything, every deadline met (the engine
    decides that), once its files are known to be pinned. `found_key` is the
    key before the judgement; None is computed again (the copies the
    judgement read are in the cache now)."""
    run, record = subject.run, subject.record
    cache, folder = run.cache, subject.key
    found_key = found_key or key(subject, shared)
    if cache is None or folder is None or found_key is None or subject.parse_findings:
        return
    if not cache.knows("records", folder):
        return  # hotfix.md is not a regular file of the folder
    if "HG201" in codes and run.tree.kind(f"{record.folder}/{POST_MORTEM_FILE}") != "file":
        return
    try:
        for entry in record.regression_tests:
            path = entry_path(entry)
            if resolve(run.tree, path) != path:
                return  # a symlink on the way: its target is not pinned by the key
    except TreeError:
        return
    cache.put(KIND, found_key, (run.now.timestamp(), codes))


def _tests(tree: TreeView, entries: list[str]) -> str | None:
    parts = []
    for entry in entries:
        top = entry_path(entry).split("/", 1)[0]
        kind = tree.kind(top)
        if kind not in ("dir", "file") or checkout_problem(tree, top) is not None:
            return None
        parts.append(f"{entry}\1{kind}:{tree.object_id(top)}")
    return "\2".join(parts)


def _copies(subject: Subject) -> str | None:
    run, record = subject.run, subject.record
    cache = run.cache
    assert cache is not None
    out = []
    for tree, folders, numbers in ((run.baseline, run.target_folders, run.target_numbers),
                                   (run.reference, run.reference_folders,
                                    run.reference_numbers)):
        if tree is None:
            continue
        same = [record.folder] if record.folder in folders else (
            numbers.get(record.number, []) if record.number is not None else [])
        for folder in same:
            copy = folder_key(tree, folder)
            if copy is None or not cache.knows("records", copy):
                return None  # a copy whose parse its folder id does not pin
            out.append(copy)
        out.append("|")
    return "\1".join(out)


def _entry(found: object) -> tuple[float, tuple[str, ...]] | None:
    if (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], float)
            and isinstance(found[1], tuple) and all(isinstance(c, str) for c in found[1])):
        return found[0], found[1]
    return None
