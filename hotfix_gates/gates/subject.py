"""What the gates look at: one record, what its parse found, and what the
tree holds beside it (the post-mortem, the regression tests), each read once
and only when a gate (or `status`) asks.

`status` and `report` read the same readings the gates judge, so a state
such as "post-mortem: draft" and a finding such as "HG201 post-mortem is not
complete" can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

from hotfix_gates.gates import tests as test_files
from hotfix_gates.model.constants import POST_MORTEM_FILE
from hotfix_gates.model.errors import ConfigError, TreeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem
from hotfix_gates.model.tree import TreeView, read
from hotfix_gates.parsing.records import folder_key

if TYPE_CHECKING:
    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.model.config import Config


@dataclass
class Run:
    """One judgement's shared state: the tree, its configuration, the clock,
    the parse cache (commit trees only) and the test files scanned so far.

    On the server and in CI the merge target is known: `baseline` is its
    tree, whose records the judged ones must keep (HG205, HG206), and
    `config_file` names the configuration read from it rather than from
    `tree`, whose own copy must still load (HG002).

    The server also knows its default branch: `reference` is its tree (named
    `reference_name`) when a push goes to another protected branch, one the
    push creates or one that lacks some record. A record's milestones must
    not move later than there either (HG205); that branch may hold records
    or milestones newer than the judged branch was cut from, so nothing
    else is asked of them.
    """

    tree: TreeView
    config: Config
    now: datetime
    cache: ParseCache | None = None
    scans: test_files.Scans = field(default_factory=test_files.Scans)
    baseline: TreeView | None = None
    config_file: str | None = None
    reference: TreeView | None = None
    reference_name: str = ""
    # Blob ids of configurations the judging side accepts although they relax
    # the rules in force (HG207): `git config hotfix-gates.accept-rules`.
    accepted_rules: frozenset[str] = frozenset()
    # When the configuration in force is the last valid one in the target's
    # history and the judged tree keeps the target's broken file: the one
    # that would judge the next push (the last valid one in the pushed
    # history, whose first parents the pusher chose) and its key.
    next_config: tuple[Config, str] | None = None

    @cached_property
    def brought_config(self) -> Config | ConfigError | None:
        """See gates.target.brought_config: read once for HG002 and HG207."""
        from hotfix_gates.gates.target import brought_config

        return brought_config(self)

    @cached_property
    def target_folders(self) -> dict[str, int | None]:
        """The record folders of the baseline, with their numbers (none
        without a baseline)."""
        from hotfix_gates.model.constants import folder_number
        from hotfix_gates.parsing.records import record_folders

        if self.baseline is None:
            return {}
        return {f: folder_number(f) for f in record_folders(self.baseline, self.config)[0]}

    @cached_property
    def reference_folders(self) -> dict[str, int | None]:
        """The record folders of the reference, with their numbers."""
        from hotfix_gates.model.constants import folder_number
        from hotfix_gates.parsing.records import record_folders

        if self.reference is None:
            return {}
        return {f: folder_number(f) for f in record_folders(self.reference, self.config)[0]}

    @cached_property
    def target_numbers(self) -> dict[int, list[str]]:
        """The baseline's record folders by number (a renamed record is found
        by its number: one lookup, not a pass over every folder)."""
        return _by_number(self.target_folders)

    @cached_property
    def reference_numbers(self) -> dict[int, list[str]]:
        return _by_number(self.reference_folders)

    def on_target(self) -> Run:
        """A run over the baseline itself, sharing the clock and the caches."""
        assert self.baseline is not None
        return Run(self.baseline, self.config, self.now, self.cache, self.scans)


class PostMortemReading(NamedTuple):
    path: str
    state: str  # complete | draft | missing | unreadable
    post: PostMortem | None
    problem: str = ""  # why it is missing or unreadable
    line: int = 1


class TestsReading(NamedTuple):
    state: str  # listed (all present) | missing | none | invalid
    problems: tuple[test_files.Problem, ...] = ()


class Subject:
    """One record as the gates judge it. What lies beside the record is read
    on first use and kept (plain attributes rather than functools'
    cached_property, whose lock Python 3.11 takes on every first read: a
    thousand records paid it four thousand times)."""

    def __init__(self, record: HotfixRecord, parse_findings: list[Finding], run: Run) -> None:
        self.record = record
        self.parse_findings = parse_findings
        self.run = run
        self._target_copies: list[HotfixRecord] | None = None
        self._reference_copies: list[HotfixRecord] | None = None
        self._post_mortem: PostMortemReading | None = None
        self._tests: TestsReading | None = None
        self._key: str | None = None

    @property
    def key(self) -> str | None:
        """`folder:tree-id`, which pins the folder's content in a commit's tree
        (None in the working tree): the parse cache's key for the record."""
        if self._key is None and self.run.cache is not None:
            self._key = folder_key(self.run.tree, self.record.folder)
        return self._key

    @property
    def unreadable(self) -> bool:
        """Nothing in the record could be read (HG001 says why)."""
        return "*" in self.record.invalid

    def usable(self, *keys: str) -> bool:
        """False when HG001 already reports one of `keys` as invalid."""
        invalid = self.record.invalid
        return not invalid or ("*" not in invalid and invalid.isdisjoint(keys))

    @property
    def valid(self) -> bool:
        return not any(f.level is Level.ERROR for f in self.parse_findings)

    @property
    def target_copies(self) -> list[HotfixRecord]:
        if self._target_copies is None:
            self._target_copies = self._read_target_copies()
        return self._target_copies

    def _read_target_copies(self) -> list[HotfixRecord]:
        """The record as the merge target holds it: its folder there, else (a
        folder renamed) the target's records with the same number."""
        run = self.run
        if run.baseline is None:
            return []
        if self.record.folder in run.target_folders and _same_folder(run, self):
            return [self.record]  # the same tree id: the same record, nothing to read
        return self._copies(run.baseline, run.target_folders, run.target_numbers)

    @property
    def reference_copies(self) -> list[HotfixRecord]:
        if self._reference_copies is None:
            self._reference_copies = self._read_reference_copies()
        return self._reference_copies

    def _read_reference_copies(self) -> list[HotfixRecord]:
        """The record as the server's default branch holds it (see Run)."""
        if self.run.reference is None:
            return []
        return self._copies(self.run.reference, self.run.reference_folders,
                            self.run.reference_numbers)

    def _copies(self, tree: TreeView, folders: dict[str, int | None],
                numbers: dict[int, list[str]]) -> list[HotfixRecord]:
        from hotfix_gates.parsing.records import load_record

        folder, number = self.record.folder, self.record.number
        same = [folder] if folder in folders else (
            numbers.get(number, []) if number is not None else [])
        return [load_record(tree, f, self.run.cache)[0] for f in same]

    @property
    def post_mortem(self) -> PostMortemReading:
        if self._post_mortem is None:
            self._post_mortem = self._read_post_mortem()
        return self._post_mortem

    def _read_post_mortem(self) -> PostMortemReading:
        path = f"{self.record.folder}/{POST_MORTEM_FILE}"
        tree, cache = self.run.tree, self.run.cache
        key = self.key
        if cache is not None and key is not None:
            # A symlinked post-mortem reads outside its folder: the folder id does not pin it.
            post, problem, line = cache.post_mortem(
                key, lambda: _parse_post_mortem(tree, path),
                store=lambda: tree.kind(path) == "file")
        else:
            post, problem, line = _parse_post_mortem(tree, path)
        if post is None:
            state = "missing" if tree.kind(path) is None else "unreadable"
            return PostMortemReading(path, state, None, problem, line)
        return PostMortemReading(path, "complete" if self._complete(post) else "draft", post)

    def _complete(self, post: PostMortem) -> bool:
        if post.unwritten():
            return False
        if post.status is None and self.record.format == "legacy":
            # A Markdown-only record declares it on hotfix.md's Status line.
            return self.record.status == "closed"
        return post.status == "complete"

    @property
    def tests(self) -> TestsReading:
        if self._tests is None:
            self._tests = self._read_tests()
        return self._tests

    def _read_tests(self) -> TestsReading:
        record = self.record
        if not self.usable("regression_tests"):
            return TestsReading("invalid")
        if not record.regression_tests:
            return TestsReading("none")
        problems = tuple(test_files.problems(self.run.tree, record, self.run.config,
                                             self.run.scans, self.run.cache))
        return TestsReading("missing" if problems else "listed", problems)


def _by_number(folders: dict[str, int | None]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for folder, number in folders.items():
        if number is not None:
            out.setdefault(number, []).append(folder)
    return out


def _parse_post_mortem(tree: TreeView, path: str) -> tuple[PostMortem | None, str, int]:
    from hotfix_gates.parsing.hotfix import parse_post_mortem

    try:
        data = read(tree, path)
    except TreeError as exc:
        return None, str(exc), 1
    post, problem, line = parse_post_mortem(path, data)
    return post, problem or "", line


def _same_folder(run: Run, subject: Subject) -> bool:
    """The folder is the same tree in both, and its record's parse is one its
    tree id pins (the cache stores no other: a symlinked hotfix.md reads
    outside its folder)."""
    assert run.baseline is not None
    mine = subject.key
    return (run.cache is not None and mine is not None
            and mine == folder_key(run.baseline, subject.record.folder)
            and run.cache.knows("records", mine))
