"""A finding: one unmet gate, pointing at the line to change and saying how."""

from __future__ import annotations

import enum
import re
from typing import NamedTuple

from hotfix_gates.model.record import Waiver


class Level(enum.StrEnum):
    ERROR = "error"
    WARN = "warn"
    OFF = "off"


class Finding(NamedTuple):
    """One unmet gate at one line. A NamedTuple, as are the other small
    immutable records the hooks use: a frozen dataclass costs the hook half a
    millisecond to define and more to create and to load from the cache."""

    path: str
    line: int
    code: str
    name: str
    message: str
    fix: str
    level: Level = Level.ERROR
    waiver: Waiver | None = None  # the active waiver that covers it

    @property
    def blocking(self) -> bool:
        return self.level is Level.ERROR and self.waiver is None

    @property
    def warning(self) -> bool:
        return self.level is Level.WARN and self.waiver is None

    def text(self) -> str:
        tail = f"; {self.fix}" if self.fix else ""
        if self.waiver is not None:
            tail += f" [waived: {self.waiver.describe()}]"
        elif self.level is Level.WARN:
            tail += " [warning]"
        return printable(f"{self.path}:{self.line}: {self.code} {self.name}: "
                         f"{self.message}{tail}")

    def as_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "code": self.code,
            "name": self.name,
            "level": self.level.value,
            "blocking": self.blocking,
            "waiver": self.waiver.as_dict() if self.waiver else None,
            "message": self.message,
            "fix": self.fix,
        }


# Line breaks and terminal controls from a record (a waiver's reason, a path)
# must not start a forged line or repaint the terminal: show them escaped. So
# are lone surrogates (a file name that is not UTF-8), which a UTF-8 stdout
# refuses to write.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group())[1:-1]


def printable(text: str) -> str:
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(_escaped, text)


def sort_key(finding: Finding) -> tuple[str, int, str]:
    return (finding.path, finding.line, finding.code)
