"""The time an edit records: never in the future of HOTFIX_GATE_NOW nor of the
real clock, and HOTFIX_GATE_NOW always announced."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from hotfix_gates.editing.clock import edit_moment
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.timeutil import format_timestamp

NOTE = "hotfix-gate: note: HOTFIX_GATE_NOW={} stands in for the clock\n"


@pytest.fixture(autouse=True)
def _no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HOTFIX_GATE_NOW", raising=False)


def test_default_is_the_real_clock_to_the_second(capsys: pytest.CaptureFixture[str]) -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    moment = edit_moment(None)
    assert before <= moment <= datetime.now(UTC) and moment.microsecond == 0
    assert capsys.readouterr().err == ""


def test_a_naive_at_is_utc_and_a_future_one_is_refused() -> None:
    assert edit_moment("2025-10-01 14:00") == datetime(2025, 10, 1, 14, tzinfo=UTC)
    soon = datetime.now(UTC) + timedelta(minutes=4)
    assert edit_moment(format_timestamp(soon)) == soon.replace(microsecond=0)  # clock skew
    later = datetime.now(UTC) + timedelta(hours=1)
    with pytest.raises(TimeError, match="is in the future"):
        edit_moment(format_timestamp(later))


def test_hotfix_gate_now_in_the_future_of_the_real_clock_is_refused(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2999-01-01T00:00:00Z")
    with pytest.raises(TimeError, match=r"HOTFIX_GATE_NOW 2999-01-01T00:00:00Z is in the future "
                                        r"\(the system clock says .*\); unset it or pass --at"):
        edit_moment(None)
    assert capsys.readouterr().err == NOTE.format("2999-01-01T00:00:00Z")
    # ...and an --at after the real clock is refused even though it is before HOTFIX_GATE_NOW.
    with pytest.raises(TimeError, match="is in the future"):
        edit_moment(format_timestamp(datetime.now(UTC) + timedelta(days=2)))


def test_hotfix_gate_now_in_the_past_stands_in_and_says_so(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-01T14:07:09.5Z")
    assert edit_moment(None) == datetime(2025, 10, 1, 14, 7, 9, tzinfo=UTC)
    assert capsys.readouterr().err == NOTE.format("2025-10-01T14:07:09.5Z")
    with pytest.raises(TimeError, match="now is 2025-10-01T14:07:09Z"):
        edit_moment("2025-10-02T00:00:00Z")  # before the real clock, after the stand-in


def test_unreadable_times_name_their_source(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(TimeError, match="--at: 'soon' is not an ISO 8601 timestamp"):
        edit_moment("soon")
    with pytest.raises(TimeError, match="incident-start: "):
        edit_moment("soon", "incident-start")
    monkeypatch.setenv("HOTFIX_GATE_NOW", "tomorrow")
    with pytest.raises(TimeError, match="HOTFIX_GATE_NOW: 'tomorrow'"):
        edit_moment(None)
