"""SARIF 2.1.0, the format of GitHub code scanning and of most static
analysis viewers: one rule per gate, one result per finding.

A waived finding is a result at level `note` with an accepted external
suppression (the waiver's reason, who and until when): viewers that honour
suppressions hide it, and the others show it at the lowest level, never as
an error.
"""

from __future__ import annotations

import json
import posixpath
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from urllib.parse import quote

from hotfix_gates.model.config import Config
from hotfix_gates.model.constants import RECORD_FILE
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.reporting.formats.fingerprint import fingerprints

if TYPE_CHECKING:
    from hotfix_gates.gates.registry import Gate

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "hotfixGatesFinding/v1"
_LEVELS = {Level.ERROR: "error", Level.WARN: "warning", Level.OFF: "none"}


def uri(path: str) -> str:
    """A repository path as a relative URI reference (percent-encoded; a file
    name that is not UTF-8 keeps its bytes)."""
    try:
        return quote(path, safe="/", errors="surrogateescape")
    except UnicodeEncodeError:
        return quote(path, safe="/", errors="surrogatepass")


def _location(path: str, line: int) -> dict[str, object]:
    return {"physicalLocation": {
        "artifactLocation": {"uri": uri(path), "uriBaseId": SRCROOT},
        "region": {"startLine": max(line, 1)},
    }}


def rule(gate: Gate, config: Config) -> dict[str, object]:
    """A gate as a SARIF rule; when it applies is said as `config` sets it."""
    waiving = (f"In an emergency, `hotfix-gate waive {gate.code} --reason TEXT` records an "
               "audited waiver instead of skipping the check." if gate.waivable
               else "This gate cannot be waived.")
    return {
        "id": gate.code,
        "name": gate.name,
        "shortDescription": {"text": f"{gate.code} {gate.name}: passes when {gate.passes}"},
        "fullDescription": {"text": f"Applies: {gate.applies(config)}. Passes when {gate.passes}."},
        "help": {"text": f"Each result names the line to change and how to change it. "
                         f"{waiving} `hotfix-gate gates` lists every gate."},
        "defaultConfiguration": {"level": _LEVELS[gate.level]},
        "properties": {"waivable": gate.waivable},
    }


def result(finding: Finding, index: int | None, fingerprint: str) -> dict[str, object]:
    text = f"{finding.message}; {finding.fix}" if finding.fix else finding.message
    out: dict[str, object] = {"ruleId": finding.code}
    if index is not None:
        out["ruleIndex"] = index
    out |= {
        "level": "note" if finding.waiver else _LEVELS[finding.level],
        "message": {"text": text},
        "locations": [_location(finding.path, finding.line)],
        "partialFingerprints": {FINGERPRINT: fingerprint},
    }
    waiver = finding.waiver
    if waiver is not None:
        audit = {key: value for key, value in waiver.as_dict().items()
                 if key in ("by", "at", "until") and value is not None}
        record = posixpath.join(posixpath.dirname(finding.path), RECORD_FILE)
        out["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": waiver.reason,
            "location": _location(record, waiver.line),
            "properties": audit,
        }]
    return out


def render_sarif(findings: Sequence[Finding], gates: Sequence[Gate], *, version: str,
                 information_uri: str, extra: Mapping[str, object],
                 config: Config | None = None) -> str:
    config = config if config is not None else Config()
    index = {gate.code: n for n, gate in enumerate(gates)}
    driver = {"name": "hotfix-gates", "version": version, "semanticVersion": version,
              "informationUri": information_uri, "rules": [rule(g, config) for g in gates]}
    run = {
        "tool": {"driver": driver},
        "originalUriBaseIds": {SRCROOT: {"description": {"text": "The repository root."}}},
        "results": [result(f, index.get(f.code), fp)
                    for f, fp in zip(findings, fingerprints(findings), strict=True)],
        "properties": dict(extra),
    }
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)
