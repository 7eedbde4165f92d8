"""Findings made by hand, for the renderers' unit tests: one of each kind
(blocking, warning, waived), and one with a hostile path and message."""

from __future__ import annotations

from datetime import UTC, datetime

from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import Waiver

FOLDER = "specs/hotfix/001-database-pool"
OTHER = "specs/hotfix/002-cache"
HOSTILE_FOLDER = "specs/hotfix/003-a b\u00e9\udcff"

WAIVER = Waiver(gate="HG202", reason="staging replica is down | <b>vendor</b> & co",
                by="Ana Lima <ana@example.com>", at=datetime(2025, 10, 2, tzinfo=UTC),
                until=datetime(2025, 10, 9, tzinfo=UTC), line=16)


def overdue(days: int) -> str:
    return (f"(overdue by {days}d: due 2025-10-03T16:00:00Z, 48h after resolution)")


def sample(days_late: int = 1) -> list[Finding]:
    """Two records, a folder-level problem and a hostile record; sorted as
    the engine sorts them (path, line, code)."""
    return [
        Finding(f"{FOLDER}/hotfix.md", 12, "HG103", "quick-review",
                "P1 fix has no quick review recorded", "set reviewed_by: NAME", Level.WARN),
        Finding(f"{FOLDER}/hotfix.md", 14, "HG202", "regression-test",
                f"no regression test recorded {overdue(days_late)}",
                "list it in regression_tests", Level.ERROR, WAIVER),
        Finding(f"{FOLDER}/post-mortem.md", 6, "HG201", "post-mortem",
                f"post-mortem section 'Timeline' is empty {overdue(days_late)}",
                "write the Timeline section"),
        Finding(f"{FOLDER}/post-mortem.md", 9, "HG201", "post-mortem",
                f"post-mortem section 'Action Items' is empty {overdue(days_late)}",
                "write the Action Items section"),
        Finding(f"{HOSTILE_FOLDER}/hotfix.md", 3, "HG001", "record-valid",
                "unknown key 'sev\x1b[2Jerity'\n::error::forged \ufffe", "remove it"),
        Finding(f"{OTHER}/hotfix.md", 5, "HG101", "severity", "severity is not set",
                "set severity: P0, P1 or P2"),
        Finding("specs/hotfix", 1, "HG001", "record-valid", "specs/hotfix is a file, not a folder",
                "make specs/hotfix a real folder"),
    ]
