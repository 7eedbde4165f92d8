"""The policy over raw findings: configured levels, then the record's waivers."""

from __future__ import annotations

from datetime import UTC, datetime

from hotfix_gates.gates.builtin import GATES_BY_ID
from hotfix_gates.gates.policy import apply, level_of
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, Waiver
from hotfix_gates.parsing.config import parse_config

NOW = datetime(2025, 10, 5, tzinfo=UTC)
PATH = "specs/hotfix/001-pool/hotfix.md"


def finding(code: str, level: Level = Level.ERROR) -> Finding:
    gate = GATES_BY_ID[code]
    return Finding(PATH, 3, gate.code, gate.name, "unmet", "meet it", level)


def record(*waivers: Waiver) -> HotfixRecord:
    return HotfixRecord(path=PATH, folder="specs/hotfix/001-pool", number=1,
                        waivers=list(waivers))


def waiver(gate: str, at: str = "2025-10-04T00:00:00Z", until: str | None = None) -> Waiver:
    def moment(text: str | None) -> datetime | None:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None

    return Waiver(gate, "vendor review", "Ana <ana@example.com>", moment(at), moment(until), 9)


def test_levels_come_from_the_configuration() -> None:
    gate = GATES_BY_ID["HG103"]
    assert level_of(gate, Config()) is Level.WARN
    strict = parse_config("gates: {quick-review: error}")
    [raised] = apply([finding("HG103", Level.WARN)], gate, None, strict, NOW)
    assert raised.level is Level.ERROR and raised.blocking
    lenient = parse_config("gates: {HG201: warn}")
    [lowered] = apply([finding("HG201")], GATES_BY_ID["HG201"], None, lenient, NOW)
    assert lowered.level is Level.WARN and not lowered.blocking
    off = parse_config("gates: {post-mortem: off}")
    assert apply([finding("HG201")], GATES_BY_ID["HG201"], None, off, NOW) == []


def test_a_warning_of_a_blocking_gate_stays_a_warning() -> None:
    # HG001 reports naive timestamps as warnings: its level does not raise them.
    [kept] = apply([finding("HG001", Level.WARN)], GATES_BY_ID["HG001"], None, Config(), NOW)
    assert kept.level is Level.WARN


def test_an_active_waiver_covers_its_gate_by_code_or_name_in_any_case() -> None:
    gate = GATES_BY_ID["HG202"]
    for name in ("HG202", "hg202", "regression-test", "Regression-Test"):
        [waived] = apply([finding("HG202")], gate, record(waiver(name)), Config(), NOW)
        assert waived.waiver is not None and not waived.blocking, name
    [other] = apply([finding("HG202")], gate, record(waiver("HG201")), Config(), NOW)
    assert other.waiver is None and other.blocking


def test_an_expired_waiver_says_so() -> None:
    gate = GATES_BY_ID["HG202"]
    expired = waiver("HG202", until="2025-10-04T12:00:00Z")
    [late] = apply([finding("HG202")], gate, record(expired), Config(), NOW)
    assert late.blocking and late.fix.endswith("(its waiver has expired)")


def test_a_waiver_dated_in_the_future_does_not_count() -> None:
    gate = GATES_BY_ID["HG202"]
    early = waiver("HG202", at="2025-10-06T00:00:00Z")
    [unmet] = apply([finding("HG202")], gate, record(early), Config(), NOW)
    assert unmet.blocking and unmet.waiver is None


def test_gates_that_cannot_be_waived_ignore_waivers() -> None:
    [valid] = apply([finding("HG001")], GATES_BY_ID["HG001"], record(waiver("HG001")),
                    Config(), NOW)
    assert valid.blocking
    strict = parse_config("gates: {post-mortem: {waivable: false}}")
    [kept] = apply([finding("HG201")], GATES_BY_ID["HG201"], record(waiver("HG201")),
                   strict, NOW)
    assert kept.blocking and "does not allow waiving HG201" in kept.fix
