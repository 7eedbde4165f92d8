"""The report's shape: what `report --format json` prints, as declared types.

The key names are a contract (scripts and dashboards read them), so they
are written out here once; `metrics` and `combined` build these, and every
renderer reads them. Numbers of minutes are rounded to 2 decimals and are
null where there is nothing to measure. Standard library only.
"""

# No `from __future__ import annotations`: with real annotations, the classes
# know which keys are optional (`Report.__optional_keys__`) when run.

from typing import Literal, NotRequired, TypedDict

# How a post-incident duty stands against its deadline, in report order.
Outcome = Literal["on_time", "late", "overdue", "pending", "undated"]
OUTCOMES: tuple[Outcome, ...] = ("on_time", "late", "overdue", "pending", "undated")


class Spread(TypedDict):
    """Mean and median, in minutes."""

    mean: float | None
    median: float | None


class Outcomes(TypedDict):
    """How many records stand at each outcome (keys in OUTCOMES order)."""

    on_time: int
    late: int
    overdue: int
    pending: int
    undated: int


class WaiverCounts(TypedDict):
    count: int
    active: int  # not yet expired
    by_gate: dict[str, int]  # gate name -> waivers, sorted by name


class Block(TypedDict):
    """The numbers for one group of records: a severity, or all of them."""

    count: int
    open: int
    records: list[str]
    open_records: list[str]
    # Open past `deadlines.resolution` (HG204): incidents whose end was never recorded.
    open_past_limit: list[str]
    mttr_minutes: Spread  # incident_start -> resolved_at
    detect_minutes: Spread  # incident_start -> detected_at
    deploy_minutes: Spread  # incident_start -> deployed_at
    target_minutes: float | None
    within_target: int | None  # null for the records without a severity
    missed_target: int | None
    post_mortems: Outcomes
    regression_tests: Outcomes
    open_action_items: int
    waivers: WaiverCounts
    # Records a number could not use, by timestamp (or "record"): only
    # the timestamps that name at least one record.
    missing: dict[str, list[str]]
    unreadable: dict[str, list[str]]
    before_start: dict[str, list[str]]


class RepositoryBlock(Block):
    """One repository among several: its totals, and its own view of the rest."""

    path: str
    unplaced: list[str]
    targets_minutes: dict[str, float | None]
    deadlines_minutes: dict[str, float | None]
    by_severity: dict[str, Block]


class Month(TypedDict):
    month: str  # YYYY-MM of incident_start (UTC)
    count: int  # resolved incidents
    mean: float | None
    median: float | None


class ActionItem(TypedDict):
    id: str
    severity: str
    item: str


class SkippedRepository(TypedDict):
    repository: str  # its label
    path: str  # as it was named
    reason: str


class Report(TypedDict):
    version: int
    now: str
    since: str | None
    until: str | None
    targets_minutes: dict[str, float | None]  # null where repositories disagree
    deadlines_minutes: dict[str, float | None]
    by_severity: dict[str, Block]  # P0, P1, P2, unassessed
    totals: Block
    unplaced: list[str]  # no readable incident_start to place in the period
    action_items: list[ActionItem]
    mttr_by_month: list[Month]
    mttr_by_month_by_severity: dict[str, list[Month]]
    # Present when the report was built over repositories (`build_combined`).
    by_repository: NotRequired[dict[str, RepositoryBlock]]
    skipped: NotRequired[list[SkippedRepository]]


# -- reading the pieces in the order the tables show them -----------------------


def clocks(block: Block) -> list[tuple[str, Spread]]:
    """MTTR, time to detect and time to deploy, by their names in the CSV."""
    return [("mttr", block["mttr_minutes"]), ("detect", block["detect_minutes"]),
            ("deploy", block["deploy_minutes"])]


def outcome_counts(counts: Outcomes) -> list[int]:
    """The counts in OUTCOMES order."""
    return [counts[outcome] for outcome in OUTCOMES]
