"""Waivers written under `waivers:` in hotfix.md.

A waiver counts only when it is one `hotfix-gate waive` would write: a known
gate, a reason that says something, who granted it (`by`), when (`at`) and,
if it ends, an `until` after `at`. Anything else is an HG001 finding at the
waiver's own line, and the waiver is not kept, so no gate is waived by it.
(A waiver dated in the future of the judging clock is refused when judging:
see hotfix_gates.gates.consistency.)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime

from hotfix_gates.model.constants import gate_code
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, Waiver
from hotfix_gates.model.timeutil import parse_timestamp
from hotfix_gates.parsing.lookalike import look_alike, shown
from hotfix_gates.parsing.values import says_nothing, visible
from hotfix_gates.parsing.yamlread import YamlList

CODE, NAME = "HG001", "record-valid"
KEYS = ("gate", "reason", "by", "at", "until")
FIX = "record waivers with `hotfix-gate waive GATE --reason TEXT`"
SHOWN_PROBLEMS = 3  # a finding names at most this many problems of one waiver


def read_waivers(record: HotfixRecord, raw: object) -> list[Finding]:
    """Keep the valid waivers of `raw` in `record.waivers`; a finding for each other."""
    if raw is None:
        return []
    if not isinstance(raw, list):
        record.invalid.add("waivers")
        return [_finding(record, record.line_of("waivers"),
                         f"waivers must be a list, not {_kind(raw)}")]
    findings: list[Finding] = []
    for index, item in enumerate(raw):
        line = raw.line_of(index) if isinstance(raw, YamlList) else record.line_of("waivers")
        problems = list(itertools.islice(_problems(item), SHOWN_PROBLEMS + 1))
        if problems:
            gate = item.get("gate") if isinstance(item, dict) else None
            which = f"waiver of {shown(gate, quote=False)}" if isinstance(gate, str) else "waiver"
            more = "; ..." if len(problems) > SHOWN_PROBLEMS else ""
            findings.append(_finding(record, line, f"{which} does not count: "
                                     + "; ".join(problems[:SHOWN_PROBLEMS]) + more))
            continue
        assert isinstance(item, dict)
        record.waivers.append(Waiver(
            gate=str(item["gate"]).strip(), reason=str(item["reason"]).strip(),
            by=str(item["by"]).strip(), at=parse_timestamp(item["at"])[0],
            until=_moment(item.get("until")), line=line))
    return findings


def _problems(item: object) -> Iterator[str]:
    """What makes a waiver one the CLI would not have written."""
    if not isinstance(item, dict):
        yield f"it is {_kind(item)}, not a mapping of {', '.join(KEYS)}"
        return
    missing = [key for key in KEYS[:4] if _blank(item.get(key))]
    if missing:
        yield "missing " + ", ".join(missing)
    for key in item:
        if key in KEYS:
            continue
        alike = look_alike(key, KEYS) if isinstance(key, str) else None
        yield (alike.text() if alike is not None
               else f"unknown key {shown(key)} (a waiver has {', '.join(KEYS)})")
    gate = item.get("gate")
    if "gate" not in missing and (not isinstance(gate, str) or gate_code(gate) is None):
        yield f"unknown gate {shown(gate)} (`hotfix-gate gates` lists them)"
    for key in ("reason", "by"):
        value = item.get(key)
        if key not in missing and (not isinstance(value, str) or says_nothing(value)):
            yield f"{key} {shown(value)} says nothing"
    moments: list[datetime] = []
    for key in ("at", "until"):
        value = item.get(key)
        if _blank(value):
            continue
        try:
            moments.append(parse_timestamp(value)[0])
        except TimeError:
            yield f"{key} is not a timestamp like 2025-10-01T14:32:18Z"
    if len(moments) == 2 and moments[1] <= moments[0]:
        yield "until is not after at"


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not visible(value))


def _moment(value: object) -> datetime | None:
    return None if _blank(value) else parse_timestamp(value)[0]


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "a single value" if value is not None else "empty"


def _finding(record: HotfixRecord, line: int, message: str) -> Finding:
    return Finding(record.path, line, CODE, NAME, message, FIX, Level.ERROR)
