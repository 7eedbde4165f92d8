"""hotfix.md and post-mortem.md bytes -> typed records and HG001 findings.

Nothing here raises on bad input: every problem is a finding with a line.
"""

from __future__ import annotations

from datetime import date, datetime

from hotfix_gates.model.constants import (
    MILESTONES,
    SEVERITIES,
    STATUSES,
    TESTS_ADDED_KEY,
    folder_number,
    id_number,
)
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem
from hotfix_gates.model.timeutil import parse_timestamp
from hotfix_gates.parsing.frontmatter import (
    FrontMatter,
    NoFrontMatter,
    UnclosedFrontMatter,
    decode,
    split_front_matter,
)
from hotfix_gates.parsing.lookalike import look_alike, shown
from hotfix_gates.parsing.values import says_nothing, visible

__all__ = [
    "FrontMatter", "NoFrontMatter", "UnclosedFrontMatter", "decode", "parse_hotfix",
    "parse_post_mortem", "split_front_matter",
]

RECORD_CODE = "HG001"
RECORD_NAME = "record-valid"
NEITHER = ("hotfix.md has no front matter and no spec-kit lines "
           "(**Severity**:, **Status**:, **Incident Start**:, ...)")
NEITHER_FIX = ("start the file with a `---` line, the keys of the record and a closing `---`, "
               "as `hotfix-gate new` writes it")
MOVE_FENCE = "make the `---` line the very first line: delete what is before it"


def unclean_start(block: FrontMatter) -> str:
    """Why a front matter found below line 1 (or after invisible characters) is wrong."""
    if block.start_line == 1:
        return ("invisible characters (a second BOM, a zero-width space) stand before the "
                "front matter's `---`")
    return f"the front matter starts on line {block.start_line}, not on line 1"


def _finding(path: str, line: int, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, line, RECORD_CODE, RECORD_NAME, message, fix, level)


def parse_post_mortem(path: str, data: bytes) -> tuple[PostMortem | None, str | None, int]:
    """post-mortem.md, read by parsing/post_mortem.py (loaded only when one is read)."""
    from hotfix_gates.parsing.post_mortem import parse_post_mortem as parse

    return parse(path, data)


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
        return record, _markdown_only(record, text)
    except UnclosedFrontMatter as exc:
        record.invalid.add("*")
        return record, [_finding(path, exc.line, str(exc), "add a line `---` after the last key")]
    findings = []
    if not block.clean:
        findings.append(_finding(path, 1, unclean_start(block), MOVE_FENCE))
    if block.second_block is not None:
        findings.append(_finding(
            path, block.second_block, "a second front-matter block: only the first is read",
            "move its keys into the first block and delete this one"))
    record.body = block.body
    record.body_line = block.body_line
    from hotfix_gates.parsing.yamlread import YamlProblem, load_mapping  # only when parsing

    try:
        mapping = load_mapping(block.yaml_text, block.yaml_line)
    except YamlProblem as problem:
        record.invalid.add("*")
        return record, [*findings, _finding(path, problem.line, problem.message,
                                            "fix the YAML between the `---` lines")]
    record.lines = mapping.lines
    findings.extend(_fill(record, mapping.values))
    return record, findings


def _markdown_only(record: HotfixRecord, text: str) -> list[Finding]:
    """A hotfix.md with no front matter: a spec-kit record, or neither."""
    from hotfix_gates.parsing import markdown, speckit
    from hotfix_gates.parsing.frontmatter import buried_block

    record.body = text
    buried = buried_block(text, _KNOWN_KEYS)
    if buried is not None:
        record.invalid.add("*")
        return [_finding(record.path, buried, "front matter below the top of the file is not "
                         "read", "move this `---` block to the very first line")]
    try:
        doc = markdown.read(text)
    except markdown.TooLarge as exc:
        record.format = "legacy"  # a Markdown-only record, too large to be read
        record.invalid.add("*")
        return [_finding(record.path, 1, f"hotfix.md is too large to read as Markdown ({exc})",
                         "move long logs out of the record into a linked file")]
    if not speckit.is_speckit(doc):
        record.invalid.add("*")
        return [_finding(record.path, 1, NEITHER, NEITHER_FIX)]
    findings = speckit.read_legacy_hotfix(record, doc)
    findings.extend(_id_warning(record))
    return findings


def _id_warning(record: HotfixRecord) -> list[Finding]:
    """An id that disagrees with its folder's number: usually a folder copied
    to start a new record (status and report would list it under the other
    record's id)."""
    claimed = id_number(record.id)
    if claimed is None or record.number is None or claimed == record.number:
        return []
    return [_finding(record.path, record.line_of("id"),
                     f"id {record.id} does not match the folder's number {record.number:03d}",
                     f"write id: hotfix-{record.number:03d}", Level.WARN)]


def _fill(record: HotfixRecord, values: dict[str, object]) -> list[Finding]:
    findings: list[Finding] = []
    path = record.path

    def bad(key: str, message: str, fix: str) -> None:
        record.invalid.add(key)
        findings.append(_finding(path, record.line_of(key), message, fix))

    def text_value(key: str, *, placeholder_is_none: bool = False) -> str | None:
        value = values.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            bad(key, f"{key} must be text, not {_type_name(value)}", f"write {key}: \"...\"")
            return None
        text = str(value).strip()
        if text and not visible(text) and not placeholder_is_none:
            bad(key, f"{key} has no visible characters", f"write {key} in plain text")
            return None
        if placeholder_is_none and says_nothing(text):
            return None  # TBD, N/A, [ROLLBACK STEPS]: not a plan, not a reviewer
        return text or None

    for key, value in values.items():
        if key in _KNOWN_KEYS:
            continue
        record.extra[key] = _plain(value)
        alike = look_alike(key, _WRITTEN_KEYS)
        if alike is not None:
            findings.append(_finding(path, record.line_of(key), alike.message(), alike.fix()))

    record.id = text_value("id")
    findings.extend(_id_warning(record))
    record.title = text_value("title")
    record.branch = text_value("branch")
    record.reviewed_by = text_value("reviewed_by", placeholder_is_none=True)
    record.rollback_plan = text_value("rollback_plan", placeholder_is_none=True)

    severity = values.get("severity")
    if severity is not None:
        if isinstance(severity, str) and severity.strip().upper() in SEVERITIES:
            record.severity = severity.strip().upper()
            if record.severity != severity:
                findings.append(_finding(
                    path, record.line_of("severity"),
                    f"severity {shown(severity)} is read as {record.severity}",
                    f"write severity: {record.severity}", Level.WARN))
        elif isinstance(severity, str):
            bad("severity", f"unknown severity {shown(severity)}", "set severity: P0, P1 or P2")
        else:
            bad("severity", f"severity must be P0, P1 or P2, not {_type_name(severity)}",
                "set severity: P0, P1 or P2")

    status = values.get("status")
    if status is not None:
        if isinstance(status, str) and status.strip().lower() in STATUSES:
            record.status = status.strip().lower()
        else:
            bad("status", f"unknown status {shown(status)}",
                "set status to one of: " + ", ".join(STATUSES))

    for key in MILESTONES:
        value = values.get(key)
        if value is None or value == "":
            continue
        try:
            moment, naive = parse_timestamp(value)
        except TimeError as exc:
            # The error's own "write it like" would repeat the fix: keep its first half.
            bad(key, f"{key}: {str(exc).split('; ', 1)[0]}",
                f"write {key}: 2025-10-01T14:32:18Z (or null)")
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

    from hotfix_gates.parsing.waivers import read_waivers  # needs YAML, loaded by now

    findings.extend(read_waivers(record, values.get("waivers")))
    if record.rollback_plan is None and "rollback_plan" not in record.invalid:
        findings.extend(_rollback_section(record))
    return findings


def _rollback_section(record: HotfixRecord) -> list[Finding]:
    """The plan written under `## Rollback Plan` in the body, if any."""
    if "rollback" not in record.body.lower():
        return []  # no such section: Markdown need not be read (a hook stays fast)
    from hotfix_gates.parsing import guidance, markdown, speckit

    try:
        doc = markdown.read(record.body, record.body_line)
    except markdown.TooLarge as exc:
        return [_finding(record.path, record.body_line,
                         f"the body is too large to read its Rollback Plan ({exc})",
                         "set rollback_plan in the front matter", Level.WARN)]
    section = doc.find("Rollback Plan")
    if section is None:
        return []
    if speckit.has_fields(doc):
        # A migrated spec-kit record: read its section as before migration.
        plan = speckit.rollback_plan_text(doc, section)
    else:
        plan = "\n".join(guidance.section_content(doc, section))
    record.rollback_plan = plan or None
    return []


_KNOWN_KEYS = frozenset({
    "id", "title", "branch", "severity", "status", *MILESTONES, "rollback_plan",
    "reviewed_by", "regression_tests", "waivers",
})
# Keys the tool itself writes: a near miss of any of them is a mistake.
_WRITTEN_KEYS = tuple(sorted(_KNOWN_KEYS | {TESTS_ADDED_KEY}))


def _plain(value: object) -> object:
    """A value from YAML as plain lists and dicts: the record keeps no reader
    types (the parse cache holds records, and builds only known types)."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


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
    if isinstance(value, date):
        return "a date"
    return type(value).__name__
