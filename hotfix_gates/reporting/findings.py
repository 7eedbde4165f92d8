"""Findings as `check` and the hooks print them: text, JSON, GitHub workflow commands."""

from __future__ import annotations

from collections.abc import Sequence

from hotfix_gates.model.finding import Finding, printable


def counts(findings: Sequence[Finding]) -> dict[str, int]:
    return {
        "blocking": sum(f.blocking for f in findings),
        "warnings": sum(f.warning for f in findings),
        "waived": sum(f.waiver is not None for f in findings),
    }


def summary(findings: Sequence[Finding], records: int) -> str:
    total = counts(findings)
    noun = "record" if records == 1 else "records"
    warnings = total["warnings"]
    parts = [f"{total['blocking']} blocking", f"{warnings} warning{'s' if warnings != 1 else ''}"]
    if total["waived"]:
        parts.append(f"{total['waived']} waived")
    verdict = "blocked" if total["blocking"] else "passed"
    return f"hotfix-gate: {verdict}: {', '.join(parts)} in {records} {noun}"


def render_text(findings: Sequence[Finding], records: int) -> str:
    lines = [f.text() for f in findings]
    lines.append(summary(findings, records))
    return "\n".join(lines)


def render_json(findings: Sequence[Finding], records: int, extra: dict[str, object]) -> str:
    payload: dict[str, object] = {
        "version": 2,  # 2: a waiver is an object {gate, reason, by, at, until}
        **extra,
        "records": records,
        **counts(findings),
        "passed": not any(f.blocking for f in findings),
        "findings": [f.as_dict() for f in findings],
    }
    import json  # loaded only for this format: the hooks never ask for it

    return json.dumps(payload, indent=2)


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(findings: Sequence[Finding], records: int) -> str:
    """GitHub Actions workflow commands, so findings show on the pull request.
    A waived finding is a notice that says it is waived, by whom and until when."""
    lines = []
    for f in findings:
        kind = "error" if f.blocking else ("notice" if f.waiver else "warning")
        title = _escape_github(f"{f.code} {f.name}" + (" (waived)" if f.waiver else ""),
                               prop=True)
        body = f"{f.message}; {f.fix}" if f.fix else f.message
        if f.waiver is not None:
            body += f" [waived: {f.waiver.describe()}]"
        path = _escape_github(printable(f.path), prop=True)
        lines.append(f"::{kind} file={path},line={f.line},title={title}::"
                     f"{_escape_github(printable(body))}")
    lines.append(summary(findings, records))
    return "\n".join(lines)
