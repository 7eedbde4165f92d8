from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.timeutil import (
    format_deadline,
    format_duration,
    format_timestamp,
    parse_duration,
    parse_timestamp,
    resolve_now,
)


@pytest.mark.parametrize(("text", "minutes"), [
    ("48h", 48 * 60), ("2d", 2880), ("90m", 90), ("1w", 10080), ("1d12h", 2160), ("1.5h", 90),
])
def test_durations(text: str, minutes: int) -> None:
    assert parse_duration(text) == timedelta(minutes=minutes)


@pytest.mark.parametrize(("configured", "said"), [
    ("48h", "48h"), ("2d", "48h"), ("72h", "72h"), ("24h", "24h"), ("90m", "1h 30m"),
    ("1h", "1h"), ("5d", "5d"), ("1w", "7d"), ("73h", "3d 1h"),
])
def test_deadlines_read_as_the_rules_are_spoken(configured: str, said: str) -> None:
    """`48h after resolution`, as the configuration and the templates say it, not `2d`."""
    assert format_deadline(parse_duration(configured)) == said


@pytest.mark.parametrize("text", ["", "48", "h", "2 days", "-1h", "1y", "99999999w"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(TimeError):
        parse_duration(text)


def test_timestamps() -> None:
    utc = datetime(2025, 10, 1, 14, 32, 18, tzinfo=UTC)
    assert parse_timestamp("2025-10-01T14:32:18Z") == (utc, False)
    assert parse_timestamp("2025-10-01T16:32:18+02:00") == (utc, False)
    assert parse_timestamp("2025-10-01 14:32:18 UTC") == (utc, False)
    assert parse_timestamp("2025-10-01T14:32:18") == (utc, True)
    assert format_timestamp(utc) == "2025-10-01T14:32:18Z"
    with pytest.raises(TimeError):
        parse_timestamp("yesterday")
    with pytest.raises(TimeError):
        parse_timestamp(12)


def test_now_precedence() -> None:
    assert resolve_now("2025-01-01T00:00:00Z", {"HOTFIX_GATE_NOW": "2026-01-01T00:00:00Z"}).year \
        == 2025
    assert resolve_now(None, {"HOTFIX_GATE_NOW": "2026-01-01T00:00:00Z"}).year == 2026
    assert resolve_now(None, {}).tzinfo is not None
    with pytest.raises(TimeError, match="HOTFIX_GATE_NOW"):
        resolve_now(None, {"HOTFIX_GATE_NOW": "later"})


def test_format_duration() -> None:
    assert format_duration(timedelta(hours=49)) == "2d 1h"
    assert format_duration(timedelta(minutes=35)) == "35m"
    assert format_duration(timedelta(hours=-2)) == "-2h"


@pytest.mark.parametrize("text", [
    "2025-10-01x12", "2025-W40-3", "20251001T120000Z", "2025-10-01T12:00:00." + "1" * 100_000,
    "2025-10-01T12", "2025-274",
])
def test_only_the_forms_records_are_written_in_are_read(text: str) -> None:
    with pytest.raises(TimeError, match="is not an ISO 8601 timestamp"):
        parse_timestamp(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-10-01", "2025-10-01T00:00:00Z"), ("2025-10-01 14:32", "2025-10-01T14:32:00Z"),
    ("2025-10-01T14:32:18.123Z", "2025-10-01T14:32:18Z"),
    ("2025-10-01 14:32:18 UTC", "2025-10-01T14:32:18Z"),
    ("2025-10-01T16:32:18+02:00", "2025-10-01T14:32:18Z"),
    ("2025-10-01T16:32:18+0200", "2025-10-01T14:32:18Z"),
])
def test_the_usual_forms_are_read(text: str, expected: str) -> None:
    assert format_timestamp(parse_timestamp(text)[0]) == expected


@pytest.mark.parametrize(("seconds", "shown"), [
    (45 * 60 + 42, "46m"), (45 * 60 + 29, "45m"), (47 * 3600 + 12 * 60, "1d 23h"),
    (-(3 * 3600 + 59 * 60 + 40), "-4h"),
])
def test_durations_are_shown_to_the_nearest_minute(seconds: int, shown: str) -> None:
    assert format_duration(timedelta(seconds=seconds)) == shown
