"""The gate registry: each gate is a small named unit with a stable code.

A gate looks at one record (and, for HG301, at all of them) and yields
findings. Gates do no git and no I/O of their own: the tree they may read
is handed to them in the context.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem
from hotfix_gates.model.timeutil import format_duration, format_timestamp

if TYPE_CHECKING:
    from hotfix_gates.git.trees import TreeView
    from hotfix_gates.parsing.config import Config

# Moments a judgement is made in; a gate applies when its moment is in force.
MERGE = "merge"  # merging into (or pushing to) a protected branch; also `check`
HOTFIX_PUSH = "hotfix-push"  # pushing the hotfix branch itself
DUE = "due"  # post-incident gates whose deadline has passed


@dataclass
class Context:
    record: HotfixRecord
    tree: TreeView
    config: Config
    now: datetime
    moments: frozenset[str]
    parse_findings: list[Finding] = field(default_factory=list)


@dataclass(frozen=True)
class Gate:
    code: str
    name: str
    level: Level
    applies: str  # when it applies, in words (for `hotfix-gate gates` and docs)
    passes: str  # when it passes, in words
    check: Callable[[Context], Iterable[Finding]]
    waivable: bool = True

    def finding(self, path: str, line: int, message: str, fix: str) -> Finding:
        return Finding(path, line, self.code, self.name, message, fix, self.level)


GATES: list[Gate] = []


def gate(code: str, name: str, level: Level, applies: str, passes: str,
         waivable: bool = True) -> Callable[[Callable[[Gate, Context], Iterable[Finding]]], Gate]:
    def register(func: Callable[[Gate, Context], Iterable[Finding]]) -> Gate:
        def check(ctx: Context) -> Iterable[Finding]:
            return func(unit, ctx)

        unit = Gate(code, name, level, applies, passes, check, waivable)
        GATES.append(unit)
        return unit

    return register


def _usable(ctx: Context, *keys: str) -> bool:
    """False when HG001 already reports the keys this gate needs."""
    return "*" not in ctx.record.invalid and not any(k in ctx.record.invalid for k in keys)


@gate("HG001", "record-valid", Level.ERROR, "always",
      "hotfix.md exists and its front matter parses with the documented types", waivable=False)
def record_valid(unit: Gate, ctx: Context) -> Iterator[Finding]:
    yield from ctx.parse_findings


@gate("HG101", "severity", Level.ERROR,
      "pushing the hotfix branch; merging into a protected branch",
      "severity is P0, P1 or P2")
def severity(unit: Gate, ctx: Context) -> Iterator[Finding]:
    rec = ctx.record
    if not ({MERGE, HOTFIX_PUSH} & ctx.moments) or not _usable(ctx, "severity"):
        return
    if rec.severity is None:
        yield unit.finding(rec.path, rec.line_of("severity"), "severity is not set",
                           "set severity: P0, P1 or P2 in the front matter "
                           "(or run `hotfix-gate set severity P1`)")


@gate("HG102", "rollback-plan", Level.ERROR,
      "merging into a protected branch (before deployment)",
      "rollback_plan is set, or the `## Rollback Plan` section has real content")
def rollback_plan(unit: Gate, ctx: Context) -> Iterator[Finding]:
    rec = ctx.record
    if MERGE not in ctx.moments or not _usable(ctx, "rollback_plan"):
        return
    if not rec.rollback_plan:
        yield unit.finding(rec.path, rec.line_of("rollback_plan"), "no rollback plan",
                           "say how to undo the fix in rollback_plan: or under "
                           "`## Rollback Plan` (or run `hotfix-gate set rollback-plan TEXT`)")


@gate("HG103", "quick-review", Level.WARN,
      "merging into a protected branch; P1 and P2 only (P0 may skip review)",
      "reviewed_by is set")
def quick_review(unit: Gate, ctx: Context) -> Iterator[Finding]:
    rec = ctx.record
    if MERGE not in ctx.moments or not _usable(ctx, "reviewed_by", "severity"):
        return
    if rec.severity in ("P1", "P2") and not rec.reviewed_by:
        yield unit.finding(rec.path, rec.line_of("reviewed_by"),
                           f"{rec.severity} fix has no quick review recorded",
                           "set reviewed_by: NAME (or run `hotfix-gate set reviewed-by NAME`)")


class Overdue:
    """The `overdue by ...` text of a due gate, formatted only when a finding
    uses it (most due gates pass, and hooks judge every record)."""

    def __init__(self, now: datetime, due: datetime, deadline: timedelta, which: str) -> None:
        self.now, self.due, self.deadline, self.which = now, due, deadline, which

    def __str__(self) -> str:
        return (f"overdue by {format_duration(self.now - self.due)}: due "
                f"{format_timestamp(self.due)}, {format_duration(self.deadline)} after "
                f"{self.which}")

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)


def _overdue(ctx: Context, name: str) -> tuple[bool, Overdue | str]:
    rec = ctx.record
    start = rec.clock_start
    if DUE not in ctx.moments or start is None:
        return False, ""
    deadline = ctx.config.deadline(name)
    due = start + deadline
    if ctx.now < due:
        return False, ""
    return True, Overdue(ctx.now, due, deadline,
                         "resolution" if rec.resolved_at else "deployment")


@gate("HG201", "post-mortem", Level.ERROR,
      "once the deadline (48h) after resolved_at, else deployed_at, has passed",
      "post-mortem.md has status: complete and every required section filled")
def post_mortem(unit: Gate, ctx: Context) -> Iterator[Finding]:
    due, when = _overdue(ctx, unit.name)
    if not due:
        return
    rec = ctx.record
    yield from post_mortem_problems(unit, ctx.tree, rec, when)


def read_post_mortem(tree: TreeView, rec: HotfixRecord) -> tuple[PostMortem | None, str, int]:
    """The record's post-mortem, or why there is none (problem, line)."""
    from hotfix_gates.gates.engine import folder_cache
    from hotfix_gates.git.trees import read
    from hotfix_gates.model.errors import TreeError
    from hotfix_gates.parsing.hotfix import parse_post_mortem

    path = f"{rec.folder}/post-mortem.md"

    def parse() -> tuple[PostMortem | None, str, int]:
        try:
            data = read(tree, path)
        except TreeError as exc:
            return None, str(exc), 1
        post, problem, line = parse_post_mortem(path, data)
        return post, problem or "", line

    cache, key = folder_cache(tree, rec.folder)
    if cache is None or key is None:
        return parse()
    return cache.post_mortem(key, parse, store=lambda: tree.kind(path) == "file")


def post_mortem_problems(unit: Gate, tree: TreeView, rec: HotfixRecord,
                         when: str | Overdue) -> Iterator[Finding]:
    path = f"{rec.folder}/post-mortem.md"
    post, problem, line = read_post_mortem(tree, rec)
    if post is None:
        yield unit.finding(path if "does not exist" not in problem else rec.path,
                           line if "does not exist" not in problem else
                           rec.line_of("resolved_at"),
                           f"post-mortem is missing or unreadable ({problem}; {when})",
                           f"write {path} (copy the template with `hotfix-gate new`'s layout)")
        return
    missing = post.unwritten()
    for name in missing:
        section = post.sections.get(name.lower())
        yield unit.finding(path, section.line if section else 1,
                           f"post-mortem section '{name}' is "
                           f"{'empty' if section else 'missing'} ({when})",
                           f"write the {name} section (template guidance does not count)")
    if post.status is None and rec.format == "legacy":
        # A Markdown-only record declares it on hotfix.md's Status line.
        if rec.status != "closed":
            yield unit.finding(rec.path, rec.line_of("status"), "post-mortem is not marked "
                               f"complete: status is {rec.status or 'not set'} ({when})",
                               "once it is finished, check [x] Post-Mortem Complete on this "
                               "**Status**: line")
    elif post.status != "complete":
        state = f"status is {post.status}" if post.status else "status is not set"
        yield unit.finding(path, post.status_line, f"post-mortem is not complete: {state} "
                           f"({when})", "finish it and set status: complete in its front matter "
                           "(or run `hotfix-gate post-mortem-complete`)")


@gate("HG202", "regression-test", Level.ERROR,
      "once the deadline (48h) after resolved_at, else deployed_at, has passed",
      "regression_tests is non-empty and every entry exists in the tree")
def regression_test(unit: Gate, ctx: Context) -> Iterator[Finding]:
    due, when = _overdue(ctx, unit.name)
    if not due or not _usable(ctx, "regression_tests"):
        return
    yield from regression_test_problems(unit, ctx.tree, ctx.record, when)


def regression_test_problems(unit: Gate, tree: TreeView, rec: HotfixRecord,
                             when: str | Overdue) -> Iterator[Finding]:
    """What stops the listed regression tests from counting (none listed, a
    path or test name not in the tree); nothing when they are all present."""
    line = rec.line_of("regression_tests")
    if not rec.regression_tests:
        yield unit.finding(rec.path, line, f"no regression test recorded ({when})",
                           "add the test and list it in regression_tests: "
                           "[tests/test_x.py::test_name] (or run `hotfix-gate regression-test "
                           "tests/test_x.py::test_name`)")
        return
    yield from _missing_tests(unit, tree, rec, line)


MAX_TESTS_CHECKED = 200


_DEFINITION = re.compile(r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.MULTILINE)
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class ScannedFile:
    """What one scan of a test file found: the names it defines (a
    `def`/`class` in Python, every whole word elsewhere), and for other
    languages the text, to find titles with spaces as written."""

    python: bool
    defined: frozenset[str]
    text: str = ""

    @classmethod
    def scan(cls, path: str, text: str) -> ScannedFile:
        if path.endswith(".py"):
            return cls(True, frozenset(_DEFINITION.findall(text)))
        return cls(False, frozenset(_WORD.findall(text)), text)

    def undefined(self, names: list[str]) -> list[str]:
        """The names no test in the file defines; `[param]` suffixes are ignored."""
        missing = []
        for name in names:
            bare = name.split("[", 1)[0].strip()
            if bare in self.defined:
                continue
            if not self.python and not _WORD.fullmatch(bare) and re.search(
                    rf"(?<!\w){re.escape(bare)}(?!\w)", self.text):
                continue  # a test title with spaces or punctuation, found as written
            missing.append(name)
        return missing


def undefined_tests(path: str, text: str, names: list[str]) -> list[str]:
    """The names that no test in the file defines."""
    return ScannedFile.scan(path, text).undefined(names)


# One scan per test file per tree judged: many records often name tests in
# the same file, and rescanning it for each made a run quadratic.
_SCANNED: weakref.WeakKeyDictionary[object, dict[str, ScannedFile]] = weakref.WeakKeyDictionary()


def _scanned(tree: TreeView, path: str) -> ScannedFile:
    from hotfix_gates.git.trees import read

    files = _SCANNED.setdefault(tree, {})
    found = files.get(path)
    if found is None:
        found = files[path] = ScannedFile.scan(path, read(tree, path).decode("utf-8", "replace"))
    return found


def _missing_tests(unit: Gate, tree: TreeView, rec: HotfixRecord,
                   line: int) -> Iterator[Finding]:
    from hotfix_gates.git.trees import normalize, resolve
    from hotfix_gates.model.errors import TreeError

    for entry in rec.regression_tests[:MAX_TESTS_CHECKED]:
        path, _, names = entry.partition("::")
        wanted = [name for name in names.split("::") if name.strip()]
        try:
            clean = normalize(path.strip())
            if not clean:
                raise TreeError("empty path")
            target = resolve(tree, clean)
            missing = _undefined_in(tree, target, wanted) if wanted else []
        except TreeError as exc:
            yield unit.finding(rec.path, line, f"regression test {entry!r:.120}: {exc}",
                               "commit the test file and list its path relative to the "
                               "repository root")
            continue
        for name in missing:
            yield unit.finding(rec.path, line,
                               f"regression test {entry!r:.120}: {name:.80} is not in {clean}",
                               "name a test defined in that file (path::test_name)")
    if len(rec.regression_tests) > MAX_TESTS_CHECKED:
        yield unit.finding(rec.path, line,
                           f"{len(rec.regression_tests)} regression tests listed; only the first "
                           f"{MAX_TESTS_CHECKED} were checked",
                           "list the tests that guard this fix, not the whole suite")


def _undefined_in(tree: TreeView, path: str, names: list[str]) -> list[str]:
    def compute() -> list[str]:
        return _scanned(tree, path).undefined(names)

    cache = getattr(tree, "cache", None)
    oid = tree.object_id(path) if cache is not None else None  # type: ignore[attr-defined]
    if cache is None or not oid:
        return compute()
    key = f"{path}:{oid}:{'::'.join(names)}"
    found: list[str] = cache.memo("tests", key, compute, list, list)
    return found


@gate("HG203", "resolution-recorded", Level.ERROR, "status is resolved or closed",
      "resolved_at is set")
def resolution_recorded(unit: Gate, ctx: Context) -> Iterator[Finding]:
    rec = ctx.record
    if not _usable(ctx, "status", "resolved_at"):
        return
    if rec.status in ("resolved", "closed") and rec.resolved_at is None:
        yield unit.finding(rec.path, rec.line_of("status"),
                           f"status is {rec.status} but resolved_at is not set",
                           "set resolved_at: the time the incident ended "
                           "(or run `hotfix-gate resolved --at TIME`)")


@gate("HG301", "unique-id", Level.ERROR, "always", "no two records share a number",
      waivable=False)
def unique_id(unit: Gate, ctx: Context) -> Iterator[Finding]:
    return iter(())  # judged across all records: see duplicate_numbers


def duplicate_numbers(records: Iterable[HotfixRecord]) -> Iterator[Finding]:
    from hotfix_gates.model.constants import id_number

    by_number: dict[int, list[HotfixRecord]] = {}
    for rec in records:
        number = rec.number if rec.number is not None else id_number(rec.id)
        if number is not None:
            by_number.setdefault(number, []).append(rec)
    for number, group in sorted(by_number.items()):
        if len(group) < 2:
            continue
        folders = ", ".join(r.folder for r in group)
        for rec in group:
            yield unique_id.finding(rec.path, rec.line_of("id"),
                                    f"number {number:03d} is used by {len(group)} records "
                                    f"({folders})",
                                    "renumber all but the first: rename the folder and "
                                    "update id and branch")


GATES_BY_ID: dict[str, Gate] = {g.code: g for g in GATES} | {g.name: g for g in GATES}
