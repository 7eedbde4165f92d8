"""hotfix.md and post-mortem.md bytes -> typed records and HG001 findings.

Nothing here raises on bad input: every problem is a finding with a line.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from hotfix_gates.model.constants import (
    MILESTONES,
    POST_MORTEM_SECTIONS,
    SEVERITIES,
    STATUSES,
    folder_number,
    gate_code,
    id_number,
)
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem, Section, Waiver
from hotfix_gates.model.timeutil import parse_timestamp
from hotfix_gates.parsing.markdown import (
    find_section,
    has_content,
    meaningful_text,
    normalize_title,
    split_sections,
)

RECORD_CODE = "HG001"
RECORD_NAME = "record-valid"
_FENCE_OPEN = re.compile(r"---[ \t]*")
_FENCE_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*")


class FrontMatter:
    """The front matter block: its text, and where it and the body start."""

    def __init__(self, yaml_text: str, yaml_line: int, end_line: int, body: str) -> None:
        self.yaml_text = yaml_text
        self.yaml_line = yaml_line  # file line of the first YAML line
        self.end_line = end_line  # file line of the closing fence
        self.body = body
        self.body_line = end_line + 1


class NoFrontMatter(Exception):
    pass


class UnclosedFrontMatter(Exception):
    pass


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM dropped, CRLF read as LF); UnicodeDecodeError if not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def split_front_matter(text: str) -> FrontMatter:
    lines = text.split("\n")
    if not lines or not _FENCE_OPEN.fullmatch(lines[0]):
        raise NoFrontMatter
    for index in range(1, len(lines)):
        if _FENCE_CLOSE.fullmatch(lines[index]):
            return FrontMatter(
                "\n".join(lines[1:index]), 2, index + 1, "\n".join(lines[index + 1 :])
            )
    raise UnclosedFrontMatter


def _finding(path: str, line: int, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, line, RECORD_CODE, RECORD_NAME, message, fix, level)


LegacyReader = Callable[[HotfixRecord, str], list[Finding]]


def _legacy_reader() -> LegacyReader | None:
    import importlib

    try:
        legacy = importlib.import_module("hotfix_gates.parsing.speckit")
    except ImportError:
        return None
    reader: LegacyReader = legacy.read_legacy_hotfix
    return reader


def parse_hotfix(path: str, folder: str, data: bytes) -> tuple[HotfixRecord, list[Finding]]:
    """Read hotfix.md. The record is always returned; when its front matter
    could not be read at all, `invalid` holds "*" and the findings say why."""
    record = HotfixRecord(path=path, folder=folder, number=folder_number(folder))
    try:
        text = decode(data)
    except UnicodeDecodeError as exc:
        record.invalid.add("*")
        line = data[: exc.start].count(b"\n") + 1
        return record, [_finding(path, line, "hotfix.md is not UTF-8 text",
                                 "save the file as UTF-8")]
    if "\0" in text:
        record.invalid.add("*")
        return record, [_finding(path, 1, "hotfix.md contains NUL bytes (binary data)",
                                 "restore the record from its template")]
    try:
        block = split_front_matter(text)
    except NoFrontMatter:
        reader = _legacy_reader() if "**Hotfix ID**" in text else None
        if reader is not None:
            record.format = "legacy"
            record.body = text
            return record, reader(record, text)
        record.invalid.add("*")
        return record, [_finding(
            path, 1, "hotfix.md has no front matter",
            "start the file with a `---` line, the keys of the record, and a closing `---`")]
    except UnclosedFrontMatter:
        record.invalid.add("*")
        return record, [_finding(path, 1, "the front matter opened on line 1 is never closed",
                                 "add a line `---` after the last key")]
    record.front_matter_end = block.end_line
    record.body = block.body
    record.body_line = block.body_line
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping  # only when parsing

    try:
        mapping = load_mapping(block.yaml_text, block.yaml_line)
    except YamlProblem as problem:
        record.invalid.add("*")
        return record, [_finding(path, problem.line, problem.message,
                                 "fix the YAML between the `---` lines")]
    record.lines = mapping.lines
    findings = _fill(record, mapping.values)
    return record, findings


def _fill(record: HotfixRecord, values: dict[str, object]) -> list[Finding]:
    findings: list[Finding] = []
    path = record.path

    def bad(key: str, message: str, fix: str) -> None:
        record.invalid.add(key)
        findings.append(_finding(path, record.line_of(key), message, fix))

    def text_value(key: str, *, single_line: bool = False) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            bad(key, f"{key} must be text, not {_type_name(value)}", f"write {key}: \"...\"")
            return None
        value = str(value).strip()
        return value or None

    for key, value in values.items():
        if key not in _KNOWN_KEYS:
            record.extra[key] = value

    record.id = text_value("id")
    claimed = id_number(record.id)
    if claimed is not None and record.number is not None and claimed != record.number:
        # Usually a folder copied to start a new record: status and report
        # would list it under the other record's id.
        findings.append(_finding(
            path, record.line_of("id"),
            f"id {record.id} does not match the folder's number {record.number:03d}",
            f"write id: hotfix-{record.number:03d}", Level.WARN))
    record.title = text_value("title")
    record.branch = text_value("branch")
    record.reviewed_by = text_value("reviewed_by")
    record.rollback_plan = text_value("rollback_plan")

    severity = values.get("severity")
    if severity is not None:
        if isinstance(severity, str) and severity.strip().upper() in SEVERITIES:
            record.severity = severity.strip().upper()
            if record.severity != severity:
                findings.append(_finding(
                    path, record.line_of("severity"),
                    f"severity {severity!r:.80} is read as {record.severity}",
                    f"write severity: {record.severity}", Level.WARN))
        elif isinstance(severity, str):
            bad("severity", f"unknown severity {severity!r:.80}", "set severity: P0, P1 or P2")
        else:
            bad("severity", f"severity must be P0, P1 or P2, not {_type_name(severity)}",
                "set severity: P0, P1 or P2")

    status = values.get("status")
    if status is not None:
        if isinstance(status, str) and status.strip().lower() in STATUSES:
            record.status = status.strip().lower()
        else:
            bad("status", f"unknown status {status!r:.80}",
                "set status to one of: " + ", ".join(STATUSES))

    for key in MILESTONES:
        value = values.get(key)
        if value is None or value == "":
            continue
        try:
            moment, naive = parse_timestamp(value)
        except TimeError as exc:
            bad(key, f"{key}: {exc}", f"write {key}: 2025-10-01T14:32:18Z (or null)")
            continue
        if naive:
            findings.append(_finding(
                path, record.line_of(key), f"{key} has no time zone; read as UTC",
                f"write it with a zone, like {moment:%Y-%m-%dT%H:%M:%S}Z", Level.WARN))
        setattr(record, key, moment)

    tests = values.get("regression_tests")
    if isinstance(tests, list) and all(isinstance(t, str) for t in tests):
        record.regression_tests = [t.strip() for t in tests]
    elif tests is not None:
        bad("regression_tests",
            f"regression_tests must be a list of paths, not {_type_name(tests)}",
            "write regression_tests: [tests/test_x.py::test_name]")

    _fill_waivers(record, values.get("waivers"), bad)
    if record.rollback_plan is None and "rollback_plan" not in record.invalid:
        section = find_section(split_sections(record.body, record.body_line), "Rollback Plan")
        if section is not None and "**Hotfix ID**" in record.body:
            # A migrated spec-kit record: read its section as before migration.
            from hotfix_gates.parsing.speckit import rollback_plan_text

            record.rollback_plan = rollback_plan_text(section.text) or None
        elif section is not None:
            record.rollback_plan = meaningful_text(section.text) or None
    return findings


def _fill_waivers(
    record: HotfixRecord, raw: object, bad: Callable[[str, str, str], None]
) -> None:
    if raw is None:
        return
    fix = "use `hotfix-gate waive GATE --reason TEXT` to record waivers"
    if not isinstance(raw, list):
        bad("waivers", f"waivers must be a list, not {_type_name(raw)}", fix)
        return
    line = record.line_of("waivers")
    for item in raw:
        if not isinstance(item, dict):
            bad("waivers", "each waiver must be a mapping with gate and reason", fix)
            continue
        gate, reason = item.get("gate"), item.get("reason")
        if not isinstance(gate, str) or not isinstance(reason, str) or not reason.strip():
            bad("waivers", "a waiver needs a gate and a non-empty reason", fix)
            continue
        if not _known_gate(gate):
            bad("waivers", f"waiver names an unknown gate {gate!r}",
                "name a gate by code or name (`hotfix-gate gates` lists them)")
            continue
        moments: dict[str, datetime | None] = {"at": None, "until": None}
        for key in moments:
            value = item.get(key)
            if value is None:
                continue
            try:
                moments[key] = parse_timestamp(value)[0]
            except TimeError as exc:
                bad("waivers", f"waiver {key}: {exc}", fix)
        by = item.get("by")
        record.waivers.append(Waiver(
            gate=gate.strip(), reason=reason.strip(),
            by=by if isinstance(by, str) else None,
            at=moments["at"], until=moments["until"], line=line))


_KNOWN_KEYS = frozenset({
    "id", "title", "branch", "severity", "status", *MILESTONES, "rollback_plan",
    "reviewed_by", "regression_tests", "waivers",
})


def _known_gate(gate: str) -> bool:
    return gate_code(gate) is not None


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, datetime):
        return "a timestamp"
    return type(value).__name__


POST_MORTEM_CODE = "HG201"
POST_MORTEM_NAME = "post-mortem"


def parse_post_mortem(path: str, data: bytes) -> tuple[PostMortem | None, str | None, int]:
    """Read post-mortem.md: (post-mortem, problem, line). A problem means
    the file could not be read as a post-mortem; HG201 reports it."""
    try:
        text = decode(data)
    except UnicodeDecodeError:
        return None, "post-mortem.md is not UTF-8 text", 1
    status: str | None = None
    status_line = 1
    body, body_line = text, 1
    try:
        block = split_front_matter(text)
    except NoFrontMatter:
        pass
    except UnclosedFrontMatter:
        return None, "the front matter opened on line 1 is never closed", 1
    else:
        from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping

        try:
            mapping = load_mapping(block.yaml_text, block.yaml_line)
        except YamlProblem as problem:
            return None, problem.message, problem.line
        raw = mapping.values.get("status")
        status = raw.strip().lower() if isinstance(raw, str) else None
        status_line = mapping.lines.get("status", 1)
        body, body_line = block.body, block.body_line
    sections: dict[str, Section] = {}
    for section in split_sections(body, body_line):
        title = normalize_title(section.title)
        for required, wanted in _REQUIRED_TITLES:
            if required not in sections and (
                title == wanted or title.startswith((wanted + " ", wanted + ":"))
            ):
                sections[required] = section
        sections.setdefault(section.title.lower(), section)
    post = PostMortem(path, status, status_line, sections)
    if body_line == 1 or "**Hotfix ID**" in body:
        # No front matter, or written from the spec-kit template: tell its
        # placeholders from content (see hotfix_gates.parsing.speckit).
        from hotfix_gates.parsing.speckit import adapt_post_mortem

        adapt_post_mortem(post, body, body_line, front_matter=body_line > 1)
    if post.filled is None:
        # Judged once, at parse time: the parse cache keeps the answer.
        post.filled = {}
        for name in POST_MORTEM_SECTIONS:
            found = sections.get(name.lower())
            post.filled[name.lower()] = found is not None and has_content(found.text)
    return post, None, 1


_REQUIRED_TITLES = [(name.lower(), normalize_title(name)) for name in POST_MORTEM_SECTIONS]
