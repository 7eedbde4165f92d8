"""Findings: what a gate reports about a record, and how they are printed."""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


class Level(enum.StrEnum):
    ERROR = "error"
    WARN = "warn"
    OFF = "off"


@dataclass(frozen=True, slots=True)
class Finding:
    """One unmet gate, pointing at the line to change and saying how."""

    path: str
    line: int
    code: str
    name: str
    message: str
    fix: str
    level: Level = Level.ERROR
    waived_by: str | None = None  # "reason (by, until)" when an active waiver covers it

    @property
    def blocking(self) -> bool:
        return self.level is Level.ERROR and self.waived_by is None

    def text(self) -> str:
        tail = f"; {self.fix}" if self.fix else ""
        if self.waived_by is not None:
            tail += f" [waived: {self.waived_by}]"
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
            "waived": self.waived_by,
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


def summary(findings: Sequence[Finding], records: int) -> str:
    blocking = sum(f.blocking for f in findings)
    warnings = sum(f.level is Level.WARN and f.waived_by is None for f in findings)
    waived = sum(f.waived_by is not None for f in findings)
    noun = "record" if records == 1 else "records"
    parts = [f"{blocking} blocking", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if waived:
        parts.append(f"{waived} waived")
    verdict = "blocked" if blocking else "passed"
    return f"hotfix-gate: {verdict}: {', '.join(parts)} in {records} {noun}"


def render_text(findings: Sequence[Finding], records: int) -> str:
    lines = [f.text() for f in findings]
    lines.append(summary(findings, records))
    return "\n".join(lines)


def render_json(findings: Sequence[Finding], records: int, extra: dict[str, object]) -> str:
    payload: dict[str, object] = {
        "version": 1,
        **extra,
        "records": records,
        "blocking": sum(f.blocking for f in findings),
        "passed": not any(f.blocking for f in findings),
        "findings": [f.as_dict() for f in findings],
    }
    return json.dumps(payload, indent=2)


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(findings: Iterable[Finding], records: int) -> str:
    """GitHub Actions workflow commands, so findings show on the pull request."""
    lines = []
    findings = list(findings)
    for f in findings:
        kind = "error" if f.blocking else ("notice" if f.waived_by else "warning")
        title = _escape_github(f"{f.code} {f.name}", prop=True)
        body = _escape_github(printable(f"{f.message}; {f.fix}" if f.fix else f.message))
        path = _escape_github(printable(f.path), prop=True)
        lines.append(f"::{kind} file={path},line={f.line},title={title}::{body}")
    lines.append(summary(findings, records))
    return "\n".join(lines)
