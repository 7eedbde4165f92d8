"""The typed hotfix record and post-mortem the gates judge."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from hotfix_gates.model.constants import POST_MORTEM_SECTIONS


class Rebuilt:
    """Pickled as one call of the constructor with the fields in order. The
    parse cache holds thousands of these, and the default way (an empty object,
    then one Python-level `setattr` per field) took three times as long to load.
    For slotted dataclasses only: their `__slots__` are their fields, in order."""

    __slots__: tuple[str, ...] = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        cls = type(self)
        return cls, tuple(getattr(self, name) for name in cls.__slots__)


class Waiver(NamedTuple):
    """An audited waiver of one gate, as `hotfix-gate waive` writes it."""

    gate: str
    reason: str
    by: str | None
    at: datetime | None
    until: datetime | None
    line: int

    def active(self, now: datetime) -> bool:
        return self.until is None or now < self.until

    def describe(self) -> str:
        """Short, for a finding's line: the reason, who (name only) and until when."""
        who = f" by {self.by.split(' <', 1)[0]}" if self.by else ""
        until = f" until {self.until:%Y-%m-%dT%H:%M:%SZ}" if self.until else ""
        return f"{self.reason}{who}{until}"

    def as_dict(self) -> dict[str, object]:
        def stamp(moment: datetime | None) -> str | None:
            return f"{moment:%Y-%m-%dT%H:%M:%SZ}" if moment else None

        return {"gate": self.gate, "reason": self.reason, "by": self.by,
                "at": stamp(self.at), "until": stamp(self.until)}


@dataclass(slots=True)
class HotfixRecord(Rebuilt):
    """hotfix.md as the gates see it. A key whose value was invalid is None
    here and named in `invalid`, so only HG001 reports it."""

    path: str  # hotfix.md, relative to the repository root
    folder: str  # the record's folder
    number: int | None  # from the folder name
    format: str = "front-matter"  # or "legacy" for the spec-kit Markdown form
    id: str | None = None
    title: str | None = None
    branch: str | None = None
    severity: str | None = None
    status: str | None = None
    incident_start: datetime | None = None
    detected_at: datetime | None = None
    deployed_at: datetime | None = None
    resolved_at: datetime | None = None
    rollback_plan: str | None = None
    reviewed_by: str | None = None
    regression_tests: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)  # key -> line in hotfix.md
    invalid: set[str] = field(default_factory=set)
    body: str = ""
    body_line: int = 1  # line number of the body's first line
    extra: dict[str, object] = field(default_factory=dict)  # unknown keys, kept

    def line_of(self, key: str) -> int:
        """Where to point a finding about `key`: its line, else the front matter."""
        return self.lines.get(key, 1)

    @property
    def clock_start(self) -> datetime | None:
        """The post-incident clock: resolution, else deployment."""
        return self.resolved_at or self.deployed_at


@dataclass(slots=True)
class Section(Rebuilt):
    title: str
    line: int
    text: str


@dataclass(slots=True)
class PostMortem(Rebuilt):
    path: str
    status: str | None
    status_line: int
    sections: dict[str, Section]  # lower-cased title -> section
    # Lower-cased required title -> has real content (template guidance does
    # not count): judged by the parser, which knows Markdown.
    filled: dict[str, bool] | None = None

    def is_filled(self, title: str) -> bool:
        return bool(self.filled and self.filled.get(title.lower(), False))

    def unwritten(self) -> list[str]:
        """The required sections with no real content, in order."""
        return [name for name in POST_MORTEM_SECTIONS if not self.is_filled(name)]
