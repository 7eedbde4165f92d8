"""Records written the way people write them (comments, blank lines, mixed
quoting) and a line diff, for testing the lifecycle commands' edits."""

from __future__ import annotations

import difflib
from pathlib import Path

from testing.repos import DRAFT_POST_MORTEM, Record

COMMENTED_HOTFIX = """---
# Machine-readable part: the gates read these keys.
id: hotfix-{number:03d}
title: "Database connection pool exhausted"
branch: hotfix/{number:03d}-{slug}

# Assess within 15 minutes.
severity: null   # P0, P1 or P2
status: investigating
incident_start: 2025-10-01T14:00:00Z
detected_at: null
deployed_at: null
resolved_at: null
rollback_plan: null
reviewed_by: null  # P1/P2 need a quick review
regression_tests: []
---
# Hotfix {number:03d}: Database connection pool exhausted

## Summary
Checkout returns 503s.

## Timeline
| Time (UTC) | Event |
| --- | --- |
| 2025-10-01T14:00:00Z | Alerts fired for 503s |

## Notes
Keep this section as it is.
"""


def write_commented_record(repo: Path, number: int = 1, slug: str = "database-connection-pool",
                           text: str | None = None, crlf: bool = False,
                           specs_dir: str = "specs/hotfix") -> Record:
    """A record whose hotfix.md has comments and blank lines in its front matter."""
    folder = repo / specs_dir / f"{number:03d}-{slug}"
    folder.mkdir(parents=True, exist_ok=True)
    content = (text if text is not None else COMMENTED_HOTFIX).format(number=number, slug=slug)
    if crlf:
        content = content.replace("\n", "\r\n")
    (folder / "hotfix.md").write_bytes(content.encode("utf-8"))
    (folder / "post-mortem.md").write_text(DRAFT_POST_MORTEM)
    return Record(folder)


def line_diff(old: bytes, new: bytes) -> tuple[list[bytes], list[bytes]]:
    """(removed lines, added lines), each line with its own ending."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    removed: list[bytes] = []
    added: list[bytes] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "delete"):
            removed.extend(a[i1:i2])
        if tag in ("replace", "insert"):
            added.extend(b[j1:j2])
    return removed, added


CLOCK_NOTE = "hotfix-gate: note: HOTFIX_GATE_NOW="


def commit_hint(message: str, *paths: str, new: bool = False) -> str:
    """The two lines an edit ends with when --commit is not given."""
    quoted = " ".join(paths)
    command = f"git commit -m '{message}' -- {quoted}"
    if new:
        command = f"git add -- {quoted} && {command}"
    return ("hotfix-gate: the hooks judge commits, not files; commit the change "
            f"(or pass --commit):\n  {command}\n")


def without_notes(err: str) -> str:
    """stderr without the line saying HOTFIX_GATE_NOW stands in for the clock."""
    return "".join(line for line in err.splitlines(keepends=True)
                   if not line.startswith(CLOCK_NOTE))
