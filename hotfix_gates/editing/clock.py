"""The time an edit records.

`--at`, else $HOTFIX_GATE_NOW, else the system clock. A record states what
happened, so a time in the future is refused: beyond a few minutes of clock
skew after $HOTFIX_GATE_NOW when it is set, and after the system clock
always, since a future resolution written today would hold the post-incident
deadlines off on every machine. Whenever $HOTFIX_GATE_NOW stands in for the
clock, one line on stderr says so: a forgotten export should not date a
real incident.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime

from hotfix_gates.model.constants import NOW_ENV
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.timeutil import CLOCK_SKEW, format_timestamp, parse_timestamp


def stand_in() -> datetime | None:
    """$HOTFIX_GATE_NOW when it is set (saying so on stderr), else None."""
    text = os.environ.get(NOW_ENV, "").strip()
    if not text:
        return None
    try:
        moment = parse_timestamp(text)[0]
    except TimeError as exc:
        raise TimeError(f"{NOW_ENV}: {exc}") from None
    print(f"hotfix-gate: note: {NOW_ENV}={text} stands in for the clock", file=sys.stderr)
    return moment


def edit_moment(at: str | None, option: str = "--at") -> datetime:
    """The time to record, to the second (see the module text)."""
    real = datetime.now(UTC)
    standing = stand_in()
    if not at:
        if standing is not None and standing > real + CLOCK_SKEW:
            raise TimeError(f"{NOW_ENV} {format_timestamp(standing)} is in the future (the "
                            f"system clock says {format_timestamp(real)}); unset it or pass "
                            f"{option} with the time it happened")
        return (standing or real).replace(microsecond=0)
    try:
        moment = parse_timestamp(at)[0]
    except TimeError as exc:
        raise TimeError(f"{option}: {exc}") from None
    for now in (standing, real):
        if now is not None and moment > now + CLOCK_SKEW:
            raise TimeError(f"{option} {format_timestamp(moment)} is in the future (now is "
                            f"{format_timestamp(now)}); give the time it happened")
    return moment.replace(microsecond=0)
