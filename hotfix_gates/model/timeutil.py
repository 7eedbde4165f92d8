"""Timestamps, durations and the clock; standard library only (hooks import this)."""

from __future__ import annotations

import os
import re
from datetime import UTC, date, datetime, timedelta

from hotfix_gates.model.constants import NOW_ENV
from hotfix_gates.model.errors import TimeError

MIN_YEAR, MAX_YEAR = 1970, 9000

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([wdhm])")
_DURATION_FULL = re.compile(r"(?:\d+(?:\.\d+)?[wdhm])+")
_UNIT_MINUTES = {"w": 7 * 24 * 60, "d": 24 * 60, "h": 60, "m": 1}
# Deadlines up to this long read in hours, as the rules are spoken ("the
# 48-hour rule", "72 hours after it began"); longer ones in days.
_DEADLINE_HOURS_UP_TO = timedelta(hours=72)


def parse_duration(text: str) -> timedelta:
    """Read `48h`, `2d`, `90m`, `1w`, `1d12h` into a timedelta."""
    compact = text.strip().replace(" ", "").lower()
    if not compact or not _DURATION_FULL.fullmatch(compact):
        raise TimeError(f"bad duration {text!r:.80}; write it like 48h, 2d, 90m or 1d12h")
    minutes = sum(float(n) * _UNIT_MINUTES[u] for n, u in _DURATION_PART.findall(compact))
    if minutes > 10 * 365 * 24 * 60:
        raise TimeError(f"duration {text!r:.80} is longer than ten years")
    return timedelta(minutes=minutes)


def format_duration(delta: timedelta) -> str:
    """A short human duration: `2d 3h`, `47h 12m` is shown as `1d 23h`, `35m`;
    to the nearest minute (45m42s is `46m`)."""
    total = int((abs(delta.total_seconds()) + 30) // 60)
    days, rest = divmod(total, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        text = f"{days}d {hours}h" if hours else f"{days}d"
    elif hours:
        text = f"{hours}h {minutes}m" if minutes else f"{hours}h"
    else:
        text = f"{minutes}m"
    return f"-{text}" if delta.total_seconds() < 0 else text


def format_deadline(allowed: timedelta) -> str:
    """A configured deadline as people say it: `48h`, `72h`, `90m`; `5d`, `1w` as `7d`."""
    if timedelta(0) < allowed <= _DEADLINE_HOURS_UP_TO and allowed % timedelta(hours=1) == \
            timedelta(0):
        return f"{allowed // timedelta(hours=1)}h"
    return format_duration(allowed)


_TIMESTAMP = re.compile(
    r"\d{4}-\d\d-\d\d(?:[T ]\d\d:\d\d(?::\d\d(?:[.,]\d{1,9})?)?)?"
    r"(?: ?[+-]\d\d(?::?\d\d)?)?")


def parse_timestamp(value: object) -> tuple[datetime, bool]:
    """Return (aware UTC datetime, was_naive) for a str, datetime or date.

    A naive value is read as UTC; the caller reports that as a warning.
    Raises TimeError for anything that is not a timestamp.
    """
    naive = False
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        if text.endswith(" UTC"):
            text = text[:-4] + "Z"
        if text[-1:] in ("z", "Z"):
            text = text[:-1] + "+00:00"
        # fromisoformat also takes week dates, any separator letter and
        # unbounded fractions: only the forms records are written in pass.
        try:
            if not _TIMESTAMP.fullmatch(text):
                raise ValueError(text)
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise TimeError(
                f"{value!r:.80} is not an ISO 8601 timestamp; write it like 2025-10-01T14:32:18Z"
            ) from None
    else:
        raise TimeError(
            f"expected a timestamp like 2025-10-01T14:32:18Z, got {type(value).__name__}"
        )
    if moment.tzinfo is None:
        naive = True
        moment = moment.replace(tzinfo=UTC)
    # Far-off years overflow datetime arithmetic (a deadline added, a zone
    # removed); no incident happened then, so they are refused here.
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        raise TimeError(f"{value!s:.40} is not a plausible date (years {MIN_YEAR}-{MAX_YEAR})")
    try:
        return moment.astimezone(UTC), naive
    except OverflowError:
        raise TimeError(f"{value!s:.40} is out of range") from None


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: the form records are written in."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def resolve_now(flag: str | None = None, environ: dict[str, str] | None = None) -> datetime:
    """The clock: `--now`, else HOTFIX_GATE_NOW, else the system clock (UTC)."""
    env = os.environ if environ is None else environ
    text = flag if flag else env.get(NOW_ENV, "").strip()
    if text:
        try:
            return parse_timestamp(text)[0]
        except TimeError as exc:
            source = "--now" if flag else NOW_ENV
            raise TimeError(f"{source}: {exc}") from None
    return datetime.now(UTC)


CLOCK_SKEW = timedelta(minutes=5)  # clocks disagree a little; a milestone is not days ahead
