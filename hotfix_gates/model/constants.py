"""The names and values of the contract (design.md), in one place.

Standard library only and cheap to import: the hooks' fast paths read these
before deciding whether anything needs judging.
"""

from __future__ import annotations

import re
from datetime import timedelta

CONFIG_FILE = ".hotfix-gates.yaml"
DEFAULT_SPECS_DIR = "specs/hotfix"
DEFAULT_PROTECTED = ("main", "master", "release/*", "production")

RECORD_FILE = "hotfix.md"
POST_MORTEM_FILE = "post-mortem.md"
RECORD_FILES = (RECORD_FILE, POST_MORTEM_FILE, "plan.md", "tasks.md", "POST_MORTEM_REMINDER.txt")

SEVERITIES = ("P0", "P1", "P2")
STATUSES = ("investigating", "fix-deployed", "monitoring", "resolved", "closed")
DONE_STATUSES = ("resolved", "closed")
# The milestones in the order they happen; each must not precede the ones before it.
MILESTONES = ("incident_start", "detected_at", "deployed_at", "resolved_at")
POST_MORTEM_SECTIONS = (
    "Executive Summary",
    "Timeline",
    "Root Cause Analysis",
    "Action Items",
    "Lessons Learned",
)
# The gates' stable codes and names (their behaviour: hotfix_gates.gates).
GATE_NAMES = {
    "HG001": "record-valid",
    "HG002": "config-valid",
    "HG101": "severity",
    "HG102": "rollback-plan",
    "HG103": "quick-review",
    "HG201": "post-mortem",
    "HG202": "regression-test",
    "HG203": "resolution-recorded",
    "HG204": "open-incident",
    "HG205": "milestones-kept",
    "HG206": "record-kept",
    "HG207": "rules-kept",
    "HG301": "unique-id",
}
# `deadlines:` keys and their defaults: the post-incident work counts from
# resolution, the open-incident limit from the start.
DEFAULT_DEADLINES = {
    "post-mortem": timedelta(hours=48),
    "regression-test": timedelta(hours=48),
    "resolution": timedelta(hours=72),
}
DEFAULT_TARGETS = {"P0": timedelta(hours=1), "P1": timedelta(hours=4), "P2": timedelta(hours=8)}
TESTS_ADDED_KEY = "regression_tests_added_at"  # optional, in hotfix.md
COMPLETED_KEY = "completed_at"  # optional, in post-mortem.md

# Environment variables.
NOW_ENV = "HOTFIX_GATE_NOW"  # the judging clock for hooks and commands
RECORD_ENV = "SPECIFY_HOTFIX"  # the record lifecycle commands act on
DEBUG_ENV = "HOTFIX_GATE_DEBUG"  # show tracebacks of internal errors
# Configurations that relax the rules in force, accepted by whoever runs the
# judging side (HG207): blob ids, in the server's git config or CI's variable.
ACCEPT_RULES_CONFIG = "hotfix-gates.accept-rules"
ENV_ACCEPT_RULES = "HOTFIX_GATE_ACCEPT_RULES"

# A number has at most this many digits: int() refuses thousands of them (a
# crafted tree can hold such a name), and no sequence grows that far.
MAX_DIGITS = 18
# Record folders: `NNN-slug` under the specs folder, and the older
# `hotfix-NNN-slug` beside a `.../hotfix` specs folder.
RECORD_FOLDER = re.compile(r"\d+-[^/]*")
LEGACY_FOLDER = re.compile(r"hotfix-\d+-[^/]*")
_FOLDER_NUMBER = re.compile(rf"(?:hotfix-)?0*(\d{{1,{MAX_DIGITS}}})-")
_ID_NUMBER = re.compile(rf"hotfix-0*(\d{{1,{MAX_DIGITS}}})")
HOTFIX_BRANCH = re.compile(rf"hotfix/0*(\d{{1,{MAX_DIGITS}}})-.*", re.DOTALL)


def folder_number(folder: str) -> int | None:
    """The number of a record folder (`.../007-pool` -> 7), None if it has none."""
    match = _FOLDER_NUMBER.match(folder.rstrip("/").rsplit("/", 1)[-1])
    return int(match.group(1)) if match else None


def id_number(record_id: str | None) -> int | None:
    """The number in an id `hotfix-NNN`."""
    match = _ID_NUMBER.fullmatch(record_id or "")
    return int(match.group(1)) if match else None


def branch_number(branch: str) -> int | None:
    """The number of a `hotfix/NNN-slug` branch."""
    match = HOTFIX_BRANCH.fullmatch(branch)
    return int(match.group(1)) if match else None


def gate_code(given: str) -> str | None:
    """The code of a gate named by code or name, in any case; None if unknown."""
    text = given.strip()
    if text.upper() in GATE_NAMES:
        return text.upper()
    lowered = text.lower()
    return next((code for code, name in GATE_NAMES.items() if name == lowered), None)
