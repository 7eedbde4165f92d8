"""Whether the regression tests a record lists are really in the tree (HG202).

An entry is `path`, or `path::name[::name...]` (pytest's node ids; `[param]`
suffixes are ignored). It counts when the file is a committed test outside
the hotfix records and, with names, when each name is a test there:

- Python (decided on the file a symlink leads to): the file is a module a
  test runner collects (`test*.py` or `*_test.py`, as pytest and unittest
  find them by default; never a type stub), and the names are real
  `def`/`class` statements found by Python's own parser, nested as written
  (`Class::method`), never text in a docstring or comment. The last name is
  a test: a `test*` function, or a class holding one, that runs: not in code
  that never runs (`if False:`, `if TYPE_CHECKING:`, `if __name__ ==
  "__main__":`), not skipped unconditionally (`@pytest.mark.skip`,
  `@unittest.skip`, `__test__ = False`, a module-level `pytest.skip` or
  `raise`). A file listed without a name must hold at least one such test.
- Other languages: the file looks like a test (a `test` or `spec` part in
  its path), and each name appears in it as a whole word or phrase.

Each test file is read and scanned once per run, whatever the number of
records naming it, and a run's reading is bounded, so a push cannot make the
server scan gigabytes. Python's parser reads about 1-3 MB a second, so the
hooks also bound what they parse (HOOK_PARSE_BYTES, for every ref of a push
together: they share one Scans, whose files are keyed by blob id). What is
left unread is a problem of this run only, never cached: the next run
reads on.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

from hotfix_gates.model.constants import LEGACY_FOLDER
from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.tree import TreeView, checkout_problem, normalize, read, resolve

if TYPE_CHECKING:
    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.model.config import Config
    from hotfix_gates.model.record import HotfixRecord

MAX_TESTS_CHECKED = 200  # per record: a record guards a fix, not the whole suite
MAX_RUN_BYTES = 64 * 1024 * 1024  # test code read in one run
HOOK_PARSE_BYTES = 8 * 1024 * 1024  # Python parsed by one hook run: a few seconds at worst
MAX_PHRASE_LOOKUPS = 5000  # names searched as text in one run (each a scan of a file)
_WORD = re.compile(r"\w+")
_TEST_PATH = re.compile(r"test|spec", re.IGNORECASE)
_TEST_MODULE = re.compile(r"test.*\.py|.*_test\.py", re.DOTALL)


class Problem(NamedTuple):
    entry: str
    message: str
    fix: str


@dataclass
class Scanned:
    """One test file, scanned: its definitions (Python) or words (other files)."""

    python: bool
    text: str
    error: str = ""  # why a Python file could not be read as Python
    # ("Class", "method"), ("test_x",) -> "" for a test that runs, else why it is not one
    defined: dict[tuple[str, ...], str] = field(default_factory=dict)
    words: frozenset[str] = frozenset()

    def has_tests(self) -> bool:
        return any(not why for why in self.defined.values())

    def missing(self, names: list[str], scans: Scans) -> list[tuple[str, str]]:
        """(name, why) for the names that the file does not define as a test
        (Python) or contain; why is "" for a name not there at all."""
        bare = [name.split("[", 1)[0].strip() for name in names]
        if self.python:
            for depth in range(len(bare)):  # Class, then Class::method, ...
                if tuple(bare[:depth + 1]) not in self.defined:
                    return [(names[depth], "")]
            why = self.defined[tuple(bare)]
            return [(names[-1], why)] if why else []
        return [(name, "") for name, want in zip(names, bare, strict=True)
                if not self._contains(want, scans)]

    def _contains(self, phrase: str, scans: Scans) -> bool:
        if _WORD.fullmatch(phrase):
            return phrase in self.words
        scans.lookups += 1
        if scans.lookups > MAX_PHRASE_LOOKUPS:
            raise _OverBudget("searched", f"more than {MAX_PHRASE_LOOKUPS} test titles to "
                                          "look up")
        start = self.text.find(phrase)
        while start >= 0:  # str.find is linear; a title is found as written
            end = start + len(phrase)
            before = self.text[start - 1:start]
            after = self.text[end:end + 1]
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return True
            start = self.text.find(phrase, start + 1)
        return False


@dataclass
class Scans:
    """What one run has scanned (by path and blob id, so judgements of
    several trees may share it), and how much it has read and parsed."""

    files: dict[str, Scanned] = field(default_factory=dict)
    read_bytes: int = 0
    lookups: int = 0
    parsed_bytes: int = 0
    parse_limit: int = MAX_RUN_BYTES


class _OverBudget(Exception):
    def __init__(self, verb: str, what: str) -> None:
        super().__init__(f"{verb}: {what} in one run")


def problems(tree: TreeView, record: HotfixRecord, config: Config, scans: Scans,
             cache: ParseCache | None = None) -> Iterator[Problem]:
    """Why the listed tests do not count; nothing when they all do."""
    entries = record.regression_tests
    for entry in entries[:MAX_TESTS_CHECKED]:
        found = _entry_problem(tree, config, scans, cache, entry)
        if found is not None:
            yield found
    if len(entries) > MAX_TESTS_CHECKED:
        yield Problem(f"{len(entries)} entries", f"{len(entries)} regression tests listed; "
                      f"only the first {MAX_TESTS_CHECKED} were checked",
                      "list the tests that guard this fix, not the whole suite")


def check_entry(tree: TreeView, config: Config, entry: str) -> Problem | None:
    """One entry judged alone, as HG202 would (for `hotfix-gate regression-test`)."""
    return _entry_problem(tree, config, Scans(), None, entry)


def entry_path(entry: str) -> str:
    """The clean path an entry names (`path::name` without its names);
    TreeError when it names none."""
    clean = normalize(entry.partition("::")[0].strip())
    if not clean:
        raise TreeError("the path is empty")
    return clean


def _entry_problem(tree: TreeView, config: Config, scans: Scans,
                   cache: ParseCache | None, entry: str) -> Problem | None:
    _, named, rest = entry.partition("::")
    names = [name.strip() for name in rest.split("::")] if named else []
    try:
        clean = entry_path(entry)
        target = resolve(tree, clean)
    except TreeError as exc:
        return Problem(entry, str(exc), "commit the test file and list its path relative "
                                        "to the repository root")
    for inside in (clean,) if clean == target else (clean, target):
        flawed = checkout_problem(tree, inside)  # never cached: the blob id does not pin it
        if flawed is not None:
            return Problem(entry, flawed, "commit the test with plain git commands (a hand-made "
                                          "tree checks out something else than what is read)")
    if any(not name for name in names):
        return Problem(entry, "an empty test name", "write it as path::test_name")
    for inside in (clean, target):
        if _in_records(inside, config.specs_dir):
            return Problem(entry, f"{inside} is part of the hotfix records, not a test",
                           "list the test file that guards the fix")
    oid = tree.object_id(target) if cache is not None else None
    try:
        if cache is not None and oid:
            key = f"{target}:{oid}:{'::'.join(names)}"
            messages = cache.memo("tests", key, lambda: _judge(tree, target, names, scans),
                                  _strings)
        else:
            messages = _judge(tree, target, names, scans)
    except _OverBudget as exc:  # this run's limit, not the file's: never cached
        return Problem(entry, f"{target} was not {exc}", "list the few tests that guard the "
                       "fix; what was read is cached, so running again reads on")
    if not messages:
        return None
    fix = ("name a test defined in that file (path::test_name)" if names
           else "name the test that guards the fix: path::test_name")
    if messages[0].startswith("!"):  # about the file itself, not a name
        return Problem(entry, messages[0][1:], "list a committed test file")
    return Problem(entry, messages[0], fix)


def _in_records(path: str, specs: str) -> bool:
    """Inside the specs folder, or inside a record of the spec-kit layout
    beside it (`specs/hotfix-001-x/` for `specs/hotfix`): records too."""
    if path == specs or path.startswith(specs + "/"):
        return True
    parent, _, name = specs.rpartition("/")
    if name != "hotfix":
        return False
    below = path[len(parent) + 1:] if parent else path
    if parent and not path.startswith(parent + "/"):
        return False
    return LEGACY_FOLDER.fullmatch(below.split("/", 1)[0]) is not None


def _strings(found: object) -> list[str] | None:
    """A cached entry of the shape this module stores: messages."""
    if isinstance(found, list) and all(isinstance(item, str) for item in found):
        return found
    return None


def _judge(tree: TreeView, path: str, names: list[str], scans: Scans) -> list[str]:
    """Problem messages for one entry (a leading "!" marks a problem of the file)."""
    try:
        scanned = _scan(tree, path, scans)
    except TreeError as exc:
        return [f"!{exc}"]
    if not scanned.text.strip():
        return [f"!{path} is empty"]
    if scanned.error:
        return [f"!{scanned.error}"]
    if path.endswith(".pyi"):
        return [f"!{path} is a type stub, which no test runner runs"]
    if scanned.python and not _TEST_MODULE.fullmatch(posixpath.basename(path)):
        return [f"!{path} is not a test module (test runners collect test*.py and "
                "*_test.py)"]
    if not scanned.python and not _TEST_PATH.search(path):
        return [f"!{path} does not look like a test file"]
    if not names:
        if scanned.python and not scanned.has_tests():
            return [f"!{path} defines no test that runs (a test* function, or a Test* "
                    "class holding one)"]
        return []
    missing = scanned.missing(names, scans)
    return [(f"{name[:80]} in {path} is not a test: {why}" if why
             else f"{name[:80]} is not defined in {path}") if scanned.python
            else f"{name[:80]} is not in {path}" for name, why in missing]


def _scan(tree: TreeView, path: str, scans: Scans) -> Scanned:
    key = f"{path}:{tree.object_id(path) or ''}"
    found = scans.files.get(key)
    if found is not None:
        return found
    if scans.read_bytes > MAX_RUN_BYTES:
        raise _OverBudget("read", f"more than {MAX_RUN_BYTES // (1024 * 1024)} MiB of test "
                                  "code")
    data = read(tree, path)
    python = path.endswith(".py")
    if python and scans.parsed_bytes + len(data) > scans.parse_limit:
        raise _OverBudget("read", f"more than {scans.parse_limit // (1024 * 1024)} MiB of "
                                  "Python test code")
    scans.read_bytes += len(data)
    text = data.decode("utf-8", "replace")
    if python:
        scans.parsed_bytes += len(data)
        found = _scan_python(path, text)
    else:
        found = Scanned(False, text, words=frozenset(_WORD.findall(text)))
    scans.files[key] = found
    return found


def _scan_python(path: str, text: str) -> Scanned:
    from hotfix_gates.gates.python_tests import definitions

    try:
        module = ast.parse(text, filename=path)
    except SyntaxError as exc:
        return Scanned(True, text, f"{path} does not parse as Python (line {exc.lineno})")
    except (RecursionError, MemoryError, ValueError):
        return Scanned(True, text, f"{path} cannot be read as Python (too deeply nested)")
    return Scanned(True, text, defined=definitions(module))
