"""The policy over raw findings: the levels the configuration sets, then the
record's waivers. A waiver counts only for a gate that may be waived (by its
declaration and by the configuration), while it is active, and when it is
not dated in the future of the judging clock."""

from __future__ import annotations

from datetime import datetime

from hotfix_gates.gates.consistency import waiver_counts
from hotfix_gates.gates.registry import Gate
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord


def level_of(gate: Gate, config: Config) -> Level:
    return config.level(gate.code, gate.level)


def apply(findings: list[Finding], gate: Gate, record: HotfixRecord | None, config: Config,
          now: datetime) -> list[Finding]:
    if not findings:
        return []
    level = level_of(gate, config)
    if level is Level.OFF:
        return []
    out = []
    for finding in findings:
        if level is Level.WARN and finding.level is Level.ERROR:
            finding = finding._replace(level=Level.WARN)
        elif level is Level.ERROR and gate.level is Level.WARN:
            finding = finding._replace(level=Level.ERROR)
        if record is not None and gate.waivable:
            finding = _waive(finding, gate, record, config, now)
        out.append(finding)
    return out


def _waive(finding: Finding, gate: Gate, record: HotfixRecord, config: Config,
           now: datetime) -> Finding:
    waivers = [w for w in record.waivers
               if w.gate.upper() == gate.code or w.gate.lower() == gate.name]
    if not waivers:
        return finding
    if gate.code in config.not_waivable:
        return finding._replace(fix=finding.fix + f" (a waiver is recorded but {config.source} "
                       f"does not allow waiving {gate.code})")
    counted = [w for w in waivers if waiver_counts(w.at, now)]
    active = [w for w in counted if w.active(now)]
    if active:
        return finding._replace(waiver=active[-1])
    if counted:
        return finding._replace(fix=finding.fix + " (its waiver has expired)")
    return finding
