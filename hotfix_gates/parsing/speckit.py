"""The spec-kit workflow's Markdown-only records, read into the typed record.

That workflow writes hotfix.md and post-mortem.md with no front matter: the
machine part is spread over bold `**Label**:` lines, checkbox option lists
and template placeholders. This module reads them, as the Markdown reader
sees them (nothing inside an HTML comment or a code block is a line), so
every gate applies unchanged; it points each field at the line that holds it
and reports what cannot be read without guessing (two severities checked, a
time it cannot read) as HG001.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord
from hotfix_gates.parsing import guidance
from hotfix_gates.parsing import speckit_values as values
from hotfix_gates.parsing.markdown import Block, Document, MdSection, normalize_title

CODE, NAME = "HG001", "record-valid"
UNNAMED_REVIEW = "code review completed"

# `**Label**: value` or `**Label:** value`, optionally as a list item.
_FIELD = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?\*\*([^*\n]{1,60}?)(?:\*\*[ \t]*:|:\*\*)[ \t]*(.*)")
_LABELS = {
    "hotfix id": "id", "branch": "branch", "severity": "severity", "status": "status",
    "incident start": "incident_start", "detection": "detected_at",
    "fix deployed": "deployed_at", "incident end": "resolved_at",
    "reviewed by": "reviewed_by", "reviewer": "reviewed_by",
}
_TITLE_PREFIX = re.compile(r"(?:hotfix|incident)[ \t]*:[ \t]*", re.IGNORECASE)
_REGRESSION = re.compile(r"regression[ \t]+tests?[ \t]+added\b[ \t]*:?[ \t]*(.*)", re.IGNORECASE)
_REVIEW = re.compile(r"code[ \t]+review[ \t]+completed\b(.*)", re.IGNORECASE)
_SKIP_REVIEW = re.compile(r"\[([^\[\]\n]?)\][ \t]*skip[ \t]+review", re.IGNORECASE)
_LINK = re.compile(r"\[([^\[\]\n]*)\]\(([^()\n]*)\)")


def _finding(path: str, line: int, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, line, CODE, NAME, message, fix, level)


# --- what the record's Markdown says ------------------------------------------


def fields(doc: Document) -> Iterator[tuple[int, str, str]]:
    """(line, label as written, value) of every visible `**Label**: value` line."""
    for block in doc.blocks:
        if block.kind != "paragraph":
            continue
        for offset, line in enumerate(block.lines):
            found = _FIELD.fullmatch(line)
            if found:
                yield block.line + offset, found.group(1), found.group(2)


def label_key(label: str) -> str | None:
    return _LABELS.get(" ".join(label.lower().split()))


def has_fields(doc: Document) -> bool:
    """Whether a visible line is one of the record's `**Label**:` lines."""
    return any(label_key(label) for _, label, _ in fields(doc))


def is_speckit(doc: Document) -> bool:
    """Written in the spec-kit form: a `**Severity**:`-style line of the
    record, or a `# Hotfix: ...` (or `# Incident: ...`) title."""
    if has_fields(doc):
        return True
    first = next((s for s in doc.sections if s.level == 1), None)
    return first is not None and _TITLE_PREFIX.match(first.title) is not None


def header_blocks(doc: Document) -> list[Block]:
    """The blocks above the first section: before any heading, and under a
    level-1 title."""
    blocks = doc.preamble
    if doc.sections and doc.sections[0].level == 1:
        blocks = blocks + doc.sections[0].own
    return blocks


def task_items(doc: Document) -> Iterator[tuple[int, str, str]]:
    """(line, box, text after it) of every visible list item starting with a box."""
    for block in doc.blocks:
        if block.item_start and block.lines:
            box = guidance.TASK.match(block.lines[0])
            if box:
                yield block.line, block.lines[0][1:2].strip(), block.lines[0][box.end():]


# --- hotfix.md ----------------------------------------------------------------


def read_legacy_hotfix(record: HotfixRecord, doc: Document) -> list[Finding]:
    """Fill `record` from a Markdown-only hotfix.md; HG001 findings for what
    cannot be read without guessing. Each field's line goes into
    `record.lines` under its front-matter key."""
    record.format = "legacy"
    findings: list[Finding] = []
    title = next((s for s in doc.sections if s.level == 1), None)
    if title is not None:
        record.lines["title"] = title.line
        record.title = values.plain(_TITLE_PREFIX.sub("", title.title.strip(), count=1))
    found: dict[str, tuple[int, str]] = {}
    for line, label, value in fields(doc):
        key = label_key(label)
        if key is None:
            continue
        if key in found and key not in record.invalid:  # one finding per label
            findings.append(_finding(
                record.path, line, f"a second **{label.strip()}** line "
                f"(the first is on line {found[key][0]})",
                "keep one of them, so the record says one thing"))
            record.invalid.add(key)
        elif key not in found:
            found[key] = (line, value)
    for key, (line, value) in found.items():
        record.lines[key] = line
        if key not in record.invalid:
            values.fill(record, key, line, value, findings)
    if record.id is None and record.number is not None and "id" not in record.invalid:
        record.id = f"hotfix-{record.number:03d}"  # the workflow names records by folder
    values.unstarted_clock(record, findings)
    regression, review = [], []
    for line, box, rest in task_items(doc):
        if (match := _REGRESSION.match(rest)) is not None:
            regression.append((line, box, match.group(1)))
        if (match := _REVIEW.match(rest)) is not None:
            review.append((line, box, match.group(1)))
    _regression_tests(record, regression, findings)
    _review(record, review, findings)
    _rollback(record, doc)
    return findings


def _regression_tests(record: HotfixRecord, found: list[tuple[int, str, str]],
                      findings: list[Finding]) -> None:
    if not found:
        return
    record.lines["regression_tests"] = found[0][0]
    for line, box, rest in found:
        if box not in ("", "x", "X"):
            record.invalid.add("regression_tests")
            findings.append(_finding(
                record.path, line, f"the regression test box is marked [{box}]",
                "mark it [x] once the test is committed, else [ ]"))
        elif box:
            record.regression_tests.extend(_test_paths(rest))


def _test_paths(rest: str) -> list[str]:
    """`tests/a.py, tests/b.py::test_x (note)` -> the paths; placeholders dropped."""
    rest = guidance.strip_placeholders(_LINK.sub(lambda m: m.group(2), rest))[0]
    paths = []
    for part in re.split(r",|;|[ \t]+and[ \t]+", rest):
        word = part.strip().split(" ", 1)[0].strip("`*_'\"()").rstrip(".")
        placeholder = guidance.has_placeholder(word) or values.PLACEHOLDER_VALUE.fullmatch(word)
        if word and not placeholder:
            paths.append(word)
    return paths


def _review(record: HotfixRecord, found: list[tuple[int, str, str]],
            findings: list[Finding]) -> None:
    if not found or "reviewed_by" in record.lines:
        return  # an explicit **Reviewed By** line wins
    line, box, rest = found[0]
    record.lines["reviewed_by"] = line
    skip = _SKIP_REVIEW.search(rest)
    done = box in ("x", "X")
    if done and skip and skip.group(1) in ("x", "X"):
        record.invalid.add("reviewed_by")
        findings.append(_finding(record.path, line,
                                 "both 'Code review completed' and 'Skip review' are checked",
                                 "check the one that happened"))
        return
    if not done:
        return
    said = rest[: skip.start()] if skip else rest
    said = re.sub(r"\([^()\n]*\)", "", said)
    said = re.sub(r"(?:^|[ \t])OR$", "", said.strip()).strip()
    name = re.match("(?:by[ \t]+|[:\u2013\u2014-][ \t]*)(.+)", said, re.IGNORECASE)
    record.reviewed_by = (values.plain(name.group(1)) if name else None) or UNNAMED_REVIEW


def _rollback(record: HotfixRecord, doc: Document) -> None:
    section = doc.find("Rollback Plan")
    if section is None:
        return
    record.rollback_plan = rollback_plan_text(doc, section) or None
    record.lines["rollback_plan"] = section.line
    if record.rollback_plan is None:
        # Point at the template command still waiting to be filled in.
        for block in doc.under(section, _rollback_testing(doc, section)):
            if block.kind != "code":
                continue
            for offset, line in enumerate(block.lines):
                if guidance.has_placeholder(line) and not line.strip().startswith("#"):
                    record.lines["rollback_plan"] = block.line + offset
                    return


def _rollback_testing(doc: Document, section: MdSection) -> frozenset[int]:
    return frozenset(child for child in section.children
                     if normalize_title(doc.sections[child].title) == "rollback testing")


def rollback_plan_text(doc: Document, section: MdSection) -> str:
    """The plan under `## Rollback Plan` of a spec-kit record: what is left once
    the template is set aside, stricter than for other sections: a line still
    holding a placeholder (`git revert [commit-sha]`) or a comment line in the
    commands does not count, nor does the Rollback Testing checklist. Empty
    when only the template is there."""
    blocks = doc.under(section, _rollback_testing(doc, section))
    return "\n".join(line for line in guidance.content(doc, blocks)
                     if not guidance.has_placeholder(line) and not _code_comment(line))


def _code_comment(line: str) -> bool:
    return line.startswith(("#", "//"))


# --- post-mortem.md -------------------------------------------------------------


def post_mortem_status(doc: Document) -> tuple[str | None, int] | None:
    """A `**Status**:` line a team added above a spec-kit post-mortem's first
    section: (complete, draft, another word, or "unreadable"; its line)."""
    for block in header_blocks(doc):
        if block.kind != "paragraph":
            continue
        for offset, line in enumerate(block.lines):
            found = _FIELD.fullmatch(line)
            if found and label_key(found.group(1)) == "status":
                return _post_mortem_status(found.group(2)), block.line + offset
    return None


def _post_mortem_status(value: str) -> str | None:
    boxed, bare = values.options(value)
    chosen = [label for box, label in boxed if box in ("x", "X")] if boxed else bare
    if len(chosen) != 1:
        return None if not chosen else "unreadable"
    word = re.sub(r"[^a-z]", "", values.short(chosen[0]).lower())
    if word in ("complete", "completed", "final", "done", "closed"):
        return "complete"
    return word or None


def legacy_declared_complete(post: object, record: HotfixRecord) -> bool:
    """With no status of its own, a Markdown-only record's post-mortem is
    declared complete by checking `Post-Mortem Complete` on hotfix.md's
    Status line."""
    return (getattr(post, "status", None) is None and record.format == "legacy"
            and record.status == "closed")


# --- findings worded for Markdown-only records ------------------------------------

_FIXES = {
    "HG101": "check one of P0, P1 or P2 with [x] on this **Severity**: line",
    "HG102": "write the commands that undo the fix under `## Rollback Plan` "
             "(template commands holding [placeholders] do not count)",
    "HG103": "check `- [x] Code review completed` and name the reviewer after it "
             "(`by NAME`), or add a `**Reviewed By**: NAME` line",
    "HG203": "fill in **Incident End**: with the time the incident ended "
             f"({values.TIME_EXAMPLE})",
}
_HG202_LINE = ("commit the test, then check [x] on this 'Regression test added:' line and "
               "name it there (tests/test_x.py::test_name)")
_HG202_MIGRATE = ("commit the test, then run `hotfix-gate migrate --write` and "
                  "`hotfix-gate regression-test tests/test_x.py::test_name`")


def reword(findings: list[Finding], record: HotfixRecord | None = None) -> list[Finding]:
    """Say how to fix a finding in the record's own Markdown form. HG202's fix
    names the 'Regression test added:' line only when the record has one (some
    templates do not); otherwise, or when the record is not given, it points
    at `hotfix-gate migrate`, after which the commands work."""
    out = []
    for finding in findings:
        fix = _FIXES.get(finding.code)
        if finding.code == "HG202":
            fix = None
            if finding.message.startswith("no regression test"):
                has_line = record is not None and "regression_tests" in record.lines
                fix = _HG202_LINE if has_line else _HG202_MIGRATE
        if fix:
            finding = finding._replace(fix=fix)
        out.append(finding)
    return out
