"""What a gate is: a small class with a stable code and name, a default level,
the moments it applies in and, for the post-incident gates, the clock that
makes it due. The engine reads these declarations; no gate decides for itself
whether it applies.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.timeutil import format_deadline

if TYPE_CHECKING:
    from hotfix_gates.gates.subject import Run, Subject
    from hotfix_gates.model.config import Config
    from hotfix_gates.model.record import HotfixRecord


class Moment(enum.StrEnum):
    """When a judgement is made."""

    MERGE = "merge"  # merging into, or pushing to, a protected branch
    HOTFIX_PUSH = "hotfix-push"  # pushing the record's own hotfix/NNN-* branch
    POST_INCIDENT = "post-incident"  # the post-incident deadlines (pushes, check, CI)


ALWAYS = frozenset(Moment)
MOMENT_WORDS = {
    Moment.MERGE: "merging into a protected branch",
    Moment.HOTFIX_PUSH: "pushing the hotfix branch",
    Moment.POST_INCIDENT: "after the incident",
}


START_WORDS = {"resolved_at": "resolution", "deployed_at": "deployment",
               "incident_start": "the incident began"}


class Scope(enum.StrEnum):
    RECORD = "record"  # judges one record at a time
    REPOSITORY = "repository"  # judges the records together (unique numbers)
    TREE = "tree"  # judges the tree once, beside its records (its configuration)
    # judges each record the merge target holds that the judged tree no longer does
    REMOVED = "removed"


class Clock(NamedTuple):
    """A deadline: `deadline` (a key of `deadlines:` in the configuration)
    after the first milestone of `starts` that is set."""

    starts: tuple[str, ...]
    deadline: str
    default: timedelta

    def start(self, record: HotfixRecord) -> tuple[str, datetime] | None:
        for key in self.starts:
            moment: datetime | None = getattr(record, key)
            if moment is not None:
                return key, moment
        return None

    def allowed(self, config: Config) -> timedelta:
        return config.deadlines.get(self.deadline, self.default)

    def words(self, config: Config) -> str:
        first, *others = [START_WORDS.get(key, key) for key in self.starts]
        otherwise = "".join(f" (else {other})" for other in others)
        return f"{format_deadline(self.allowed(config))} after {first}{otherwise}"


class Gate:
    """One quality gate. Subclasses set the class attributes and `check`
    (`check_all` for a repository-wide gate, `check_tree` for a tree gate;
    a REMOVED gate's `check` sees the target's copy of a removed record)."""

    code: ClassVar[str]
    name: ClassVar[str]
    level: ClassVar[Level] = Level.ERROR
    moments: ClassVar[frozenset[Moment]] = ALWAYS
    scope: ClassVar[Scope] = Scope.RECORD
    clock: ClassVar[Clock | None] = None
    waivable: ClassVar[bool] = True
    # Record keys the gate reads: while HG001 reports one of them as invalid,
    # the gate stays silent rather than guess.
    needs: ClassVar[tuple[str, ...]] = ()
    passes: ClassVar[str] = ""  # when it passes, in words
    condition: ClassVar[str] = ""  # a further condition on the record, in words

    def relevant(self, subject: Subject) -> bool:
        """Whether the record is one the gate is about (its `condition`)."""
        return True

    def check(self, subject: Subject) -> Iterator[Finding]:
        return iter(())

    def check_all(self, subjects: Sequence[Subject]) -> Iterator[Finding]:
        return iter(())

    def check_tree(self, run: Run) -> Iterator[Finding]:
        return iter(())

    def finding(self, path: str, line: int, message: str, fix: str) -> Finding:
        return Finding(path, line, self.code, self.name, message, fix, self.level)

    @classmethod
    def applies(cls, config: Config) -> str:
        """When the gate applies, in words, as the configuration sets it."""
        if cls.moments == ALWAYS:
            words = "always"
        else:
            words = "; ".join(MOMENT_WORDS[m] for m in Moment if m in cls.moments)
        if cls.clock is not None:
            words += f", from {cls.clock.words(config)}"
        if cls.condition:
            words += f"; {cls.condition}"
        return words
