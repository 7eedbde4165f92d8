"""The spec-kit workflow's Markdown-only records, read into the typed record.

That workflow writes hotfix.md and post-mortem.md with no front matter: the
machine part is spread over bold `**Label**:` lines, checkbox option lists
and template placeholders. This module reads them so every gate applies
unchanged, points each field at the line that holds it, and reports
ambiguous input (two options checked, a time it cannot read) as HG001
instead of guessing. Standard library only: hooks import it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.errors import TimeError
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem, Section
from hotfix_gates.model.timeutil import parse_timestamp
from hotfix_gates.parsing.markdown import meaningful_text, normalize_title, split_sections

MARKER = "**Hotfix ID**"  # present in both of the workflow's templates
CODE, NAME = "HG001", "record-valid"
TIME_EXAMPLE = "2025-10-01 14:32:18 UTC"

# `**Label**: value` or `**Label:** value`, optionally as a list item.
_FIELD = re.compile(
    r"[ \t]*(?:[-*+][ \t]+)?\*\*([^*\n]{1,60}?)(?:\*\*[ \t]*:|:\*\*)[ \t]*(.*)")
_LABELS = {
    "hotfix id": "id",
    "branch": "branch",
    "severity": "severity",
    "status": "status",
    "incident start": "incident_start",
    "detection": "detected_at",
    "fix deployed": "deployed_at",
    "incident end": "resolved_at",
    "reviewed by": "reviewed_by",
    "reviewer": "reviewed_by",
}
_LABEL_OF = {
    "id": "Hotfix ID", "branch": "Branch", "severity": "Severity", "status": "Status",
    "incident_start": "Incident Start", "detected_at": "Detection",
    "deployed_at": "Fix Deployed", "resolved_at": "Incident End", "reviewed_by": "Reviewed By",
}
_TIME_KEYS = ("incident_start", "detected_at", "deployed_at", "resolved_at")
_STATUS_OPTIONS = {
    "investigating": "investigating",
    "fixdeployed": "fix-deployed",
    "deployed": "fix-deployed",
    "monitoring": "monitoring",
    "resolved": "resolved",
    "postmortemcomplete": "closed",
    "postmortemcompleted": "closed",
    "closed": "closed",
}
_HEADING = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*")
_FENCE = re.compile(r"[ \t]*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_BRACKETED = re.compile(r"\[([^\[\]\n]*)\](?!\()")
_TEMPLATE_TOKEN = re.compile(r"\b(?:HH:MM(?::SS)?|YYYY-MM-DD)\b")
_PLACEHOLDER_VALUE = re.compile(r"(?:TBD|TODO|N/?A|none|pending|unknown|-+|—|\?+)",
                                re.IGNORECASE)
_RULE = re.compile(r"([-*_])(?:[ \t]*\1){2,}")
_LIST_ITEM = re.compile(r"[ \t]*(?:[-*+]|\d+[.)])[ \t]+")
_EMPHASIS_ONLY = re.compile(r"(\*{1,2}|_{1,2})[^*_\n]+\1")
_OPTION = re.compile(r"[ \t]*\[([^\[\]\n]?)\][ \t]*(.*)", re.DOTALL)
_CHECKBOX_ITEM = re.compile(r"[ \t]*[-*+][ \t]+\[([^\[\]\n]?)\][ \t]*(.*)")
_REGRESSION = re.compile(r"regression[ \t]+tests?[ \t]+added\b[ \t]*:?[ \t]*(.*)", re.IGNORECASE)
_REVIEW = re.compile(r"code[ \t]+review[ \t]+completed\b(.*)", re.IGNORECASE)
_SKIP_REVIEW = re.compile(r"\[([^\[\]\n]?)\][ \t]*skip[ \t]+review", re.IGNORECASE)
_NOTE_SPLIT = re.compile("[ \t]+[-\u2013\u2014][ \t]+")
_LINK = re.compile(r"\[([^\[\]\n]*)\]\(([^()\n]*)\)")
_SEVERITY = re.compile(r"(P[0-2])\b", re.IGNORECASE)
UNNAMED_REVIEW = "code review completed"


def _finding(path: str, line: int, message: str, fix: str, level: Level = Level.ERROR) -> Finding:
    return Finding(path, line, CODE, NAME, message, fix, level)


# --- telling template text from what a person wrote -------------------------


def has_placeholder(line: str) -> bool:
    """A `[...]` placeholder (not a checkbox or a link) or a token like HH:MM."""
    for match in _BRACKETED.finditer(line):
        if match.group(1).strip() not in ("", "x", "X"):
            return True
    return bool(_TEMPLATE_TOKEN.search(line))


def real_text(text: str, skip: Iterable[str] = ()) -> str:
    """What a person wrote in a section of a workflow template, with the
    template left out: headings, code-fence markers and comments, lines still
    holding a placeholder, the guidance list under a placeholder line,
    lead-in labels (`**Code Issue**:`), emphasis-only notes, and subsections
    titled in `skip`. Empty when nothing real is left."""
    skipped = {normalize_title(title) for title in skip}
    kept: list[str] = []
    in_fence = False
    skip_level: int | None = None
    under_placeholder = False
    for line in _COMMENT.sub("", text).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            under_placeholder = False
            continue
        heading = None if in_fence else _HEADING.fullmatch(line)
        if heading:
            level = len(heading.group(1))
            if skip_level is not None and level <= skip_level:
                skip_level = None
            if skip_level is None and normalize_title(heading.group(2)) in skipped:
                skip_level = level
            under_placeholder = False
            continue
        if skip_level is not None:
            continue
        stripped = line.strip()
        if in_fence:
            if stripped and not stripped.startswith(("#", "//")) and not has_placeholder(line):
                kept.append(line)
            continue
        if not stripped or _RULE.fullmatch(stripped):
            under_placeholder = False
            kept.append("")  # keeps a table row from reading as a header over a rule
            continue
        if has_placeholder(line):
            under_placeholder = True
            continue
        if under_placeholder and _LIST_ITEM.match(line):
            continue
        under_placeholder = False
        bare = stripped.lstrip("-*+ \t").rstrip("*_ \t")
        if bare.endswith(":") or _EMPHASIS_ONLY.fullmatch(stripped):
            continue
        kept.append(line)
    return meaningful_text("\n".join(kept))


def rollback_plan_text(section_text: str) -> str:
    """The plan under `## Rollback Plan`: what is left once the template's
    commands (`git revert [commit-sha]`), comments and the Rollback Testing
    checklist are set aside. Empty when only the template is there."""
    return real_text(section_text, skip=("Rollback Testing",))


# --- hotfix.md ----------------------------------------------------------------


def read_legacy_hotfix(record: HotfixRecord, text: str) -> list[Finding]:
    """Fill `record` from a Markdown-only hotfix.md; HG001 findings for what
    cannot be read without guessing. Each field's line goes into
    `record.lines` under its front-matter key."""
    record.format = "legacy"
    record.body = text
    record.body_line = 1
    findings: list[Finding] = []
    path = record.path
    lines = text.split("\n")
    fields: dict[str, tuple[int, str]] = {}
    in_fence = False
    regression: list[tuple[int, str, str]] = []  # (line, box, rest)
    review: list[tuple[int, str, str]] = []
    for index, line in enumerate(lines):
        number = index + 1
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if record.title is None and "title" not in record.lines:
            heading = _HEADING.fullmatch(line)
            if heading and len(heading.group(1)) == 1:
                record.lines["title"] = number
                record.title = _title(heading.group(2))
                continue
        field = _FIELD.fullmatch(line)
        if field:
            key = _LABELS.get(" ".join(field.group(1).lower().split()))
            if key is not None:
                if key in fields and key not in record.invalid:  # one finding per label
                    findings.append(_finding(
                        path, number, f"a second **{field.group(1).strip()}** line "
                        f"(the first is on line {fields[key][0]})",
                        "keep one of them, so the record says one thing"))
                    record.invalid.add(key)
                elif key not in fields:
                    fields[key] = (number, field.group(2))
                continue
        box = _CHECKBOX_ITEM.fullmatch(line)
        if box:
            found = _REGRESSION.match(box.group(2))
            if found:
                regression.append((number, box.group(1), found.group(1)))
            found = _REVIEW.match(box.group(2))
            if found:
                review.append((number, box.group(1), found.group(1)))

    for key, (at, value) in fields.items():
        record.lines[key] = at
        if key in record.invalid:
            continue
        if key == "id":
            record.id = _plain(value)
        elif key == "branch":
            record.branch = _plain(value)
        elif key == "reviewed_by":
            record.reviewed_by = _plain(value)
        elif key == "severity":
            record.severity = _severity(record, at, value, findings)
        elif key == "status":
            record.status = _status(record, at, value, findings)
        else:
            setattr(record, key, _moment(record, key, at, value, findings))

    _regression_tests(record, regression, findings)
    _review(record, review, findings)
    _rollback(record, text)
    return findings


def _plain(value: str) -> str | None:
    """A single text value, None while it is still a template placeholder."""
    value = value.strip().strip("`").strip()
    if not value or has_placeholder(value) or "###" in value or _PLACEHOLDER_VALUE.fullmatch(value):
        return None
    return value


def _title(heading: str) -> str | None:
    title = re.sub(r"^(?:hotfix|incident)[ \t]*:[ \t]*", "", heading.strip(), flags=re.IGNORECASE)
    return _plain(title)


def _options(value: str) -> tuple[list[tuple[str, str]], list[str]]:
    """An option list `[ ] A | [x] B` -> ([(box, label)], [labels with no box])."""
    boxed: list[tuple[str, str]] = []
    bare: list[str] = []
    for part in value.split("|"):
        if not part.strip():
            continue
        match = _OPTION.fullmatch(part)
        if match:
            boxed.append((match.group(1), match.group(2).strip()))
        else:
            bare.append(part.strip())
    return boxed, bare


def _chosen(record: HotfixRecord, line: int, value: str, what: str, listing: str,
            findings: list[Finding]) -> tuple[str | None, bool]:
    """The one chosen option's label: (label, readable). A list with no box
    checked reads (None, True); two checked, or a mark other than x, is an
    HG001 finding and reads (None, False)."""
    boxed, bare = _options(value)
    if boxed:
        odd = [box for box, _ in boxed if box.strip() not in ("", "x", "X")]
        if odd:
            findings.append(_finding(
                record.path, line, f"the {what} line has a box marked [{odd[0]}]",
                f"mark the chosen {what} with [x] and leave the others [ ]"))
            return None, False
        checked = [label for box, label in boxed if box in ("x", "X")]
        if len(checked) > 1:
            named = ", ".join(_short(c) for c in checked[:4])
            named += ", ..." if len(checked) > 4 else ""
            findings.append(_finding(
                record.path, line, f"{len(checked)} {what} options are checked ({named})",
                f"leave exactly one of {listing} checked with [x]"))
            return None, False
        return (checked[0] if checked else None), True
    text = " | ".join(bare)
    if not text or not meaningful_text(text):
        return None, True  # empty, or still the template's placeholder
    if len(bare) > 1:
        findings.append(_finding(
            record.path, line, f"the {what} line lists {len(bare)} options and checks none",
            f"check the chosen one with [x] (or keep only it): {listing}"))
        return None, False
    return bare[0], True


def _short(label: str) -> str:
    return label.split("(", 1)[0].strip()[:40]


def _severity(record: HotfixRecord, line: int, value: str,
              findings: list[Finding]) -> str | None:
    label, readable = _chosen(record, line, value, "severity", "P0, P1, P2", findings)
    if not readable:
        record.invalid.add("severity")
        return None
    if label is None:
        return None
    match = _SEVERITY.match(label)
    if match is None:
        record.invalid.add("severity")
        findings.append(_finding(record.path, line, f"unknown severity {_short(label)!r}",
                                 "check one of P0, P1 or P2 with [x]"))
        return None
    return match.group(1).upper()


def _status(record: HotfixRecord, line: int, value: str,
            findings: list[Finding]) -> str | None:
    listing = "Investigating, Fix Deployed, Monitoring, Post-Mortem Complete"
    label, readable = _chosen(record, line, value, "status", listing, findings)
    if not readable:
        record.invalid.add("status")
        return None
    if label is None:
        return "investigating"  # nothing checked yet: where the template starts
    status = _STATUS_OPTIONS.get(re.sub(r"[^a-z]", "", _short(label).lower()))
    if status is None:
        record.invalid.add("status")
        findings.append(_finding(record.path, line, f"unknown status {_short(label)!r}",
                                 f"check one of {listing} with [x]"))
    return status


def _moment(record: HotfixRecord, key: str, line: int, value: str,
            findings: list[Finding]) -> datetime | None:
    label = _LABEL_OF[key]
    when = _NOTE_SPLIT.split(value.strip(), maxsplit=1)[0].strip().strip("`*_ \t")
    if not when or has_placeholder(when) or _PLACEHOLDER_VALUE.fullmatch(when):
        return None
    try:
        moment, naive = parse_timestamp(when)
    except TimeError:
        record.invalid.add(key)
        findings.append(_finding(
            record.path, line, f"**{label}**: {when!r:.60} is not a time",
            f"write it like {TIME_EXAMPLE} (a note may follow after ' - ')"))
        return None
    if naive:
        findings.append(_finding(
            record.path, line, f"**{label}** has no time zone; read as UTC",
            f"write it with its zone, like {moment:%Y-%m-%d %H:%M:%S} UTC", Level.WARN))
    return moment


def _regression_tests(record: HotfixRecord, found: list[tuple[int, str, str]],
                      findings: list[Finding]) -> None:
    if not found:
        return
    record.lines["regression_tests"] = found[0][0]
    for line, box, rest in found:
        if box.strip() not in ("", "x", "X"):
            record.invalid.add("regression_tests")
            findings.append(_finding(
                record.path, line, f"the regression test box is marked [{box}]",
                "mark it [x] once the test is committed, else [ ]"))
            continue
        if box.strip() == "":
            continue  # unchecked: no test yet, whatever the line says
        record.regression_tests.extend(_test_paths(rest))


def _test_paths(rest: str) -> list[str]:
    """`tests/a.py, tests/b.py::test_x (note)` -> the paths; placeholders dropped."""
    rest = _BRACKETED.sub("", _LINK.sub(lambda m: m.group(2), rest))
    paths = []
    for part in re.split(r",|;|[ \t]+and[ \t]+", rest):
        word = part.strip().split(" ", 1)[0].strip("`*_'\"()").rstrip(".")
        if word and not has_placeholder(word) and not _PLACEHOLDER_VALUE.fullmatch(word):
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
    record.reviewed_by = (_plain(name.group(1)) if name else None) or UNNAMED_REVIEW


def _rollback(record: HotfixRecord, text: str) -> None:
    section: Section | None = None
    for candidate in split_sections(text):
        if normalize_title(candidate.title) == "rollback plan":
            section = candidate
            break
    if section is None:
        return
    record.rollback_plan = rollback_plan_text(section.text) or None
    record.lines["rollback_plan"] = section.line
    if record.rollback_plan is None:
        # Point at the template command still waiting to be filled in.
        in_fence = False
        for offset, line in enumerate(section.text.split("\n"), start=1):
            if _FENCE.match(line):
                in_fence = not in_fence
            elif in_fence and has_placeholder(line) and not line.strip().startswith("#"):
                record.lines["rollback_plan"] = section.line + offset
                break


# --- post-mortem.md -------------------------------------------------------------


def adapt_post_mortem(post: PostMortem, body: str, body_line: int, *,
                      front_matter: bool) -> None:
    """A post-mortem written from the workflow's template: its sections count
    as filled only with text beyond the template's, its Timeline may be the
    `Incident Details` section's table, and with no front matter a
    `**Status**:` line (if the team added one) gives its status."""
    sections = post.sections
    if "timeline" not in sections:
        for candidate in list(sections.values()):
            if normalize_title(candidate.title) == "incident details":
                sections["timeline"] = candidate
                break
    post.filled = {}
    for name in POST_MORTEM_SECTIONS:
        section = sections.get(name.lower())
        post.filled[name.lower()] = section is not None and bool(real_text(section.text))
    if front_matter:
        return
    for index, line in enumerate(body.split("\n")):
        if _FENCE.match(line) or line.startswith("## "):
            break  # only the header block, above the first section
        field = _FIELD.fullmatch(line)
        if field and " ".join(field.group(1).lower().split()) == "status":
            label, readable = _post_mortem_status(field.group(2))
            post.status = label if readable else "unreadable"
            post.status_line = body_line + index
            return


def _post_mortem_status(value: str) -> tuple[str | None, bool]:
    boxed, bare = _options(value)
    chosen = [label for box, label in boxed if box in ("x", "X")] if boxed else bare
    if len(chosen) != 1:
        return None, not chosen
    word = re.sub(r"[^a-z]", "", _short(chosen[0]).lower())
    if word in ("complete", "completed", "final", "done", "closed"):
        return "complete", True
    return (word or None), True


def legacy_declared_complete(post: PostMortem, record: HotfixRecord) -> bool:
    """With no status of its own, a Markdown-only record's post-mortem is
    declared complete by checking `Post-Mortem Complete` on hotfix.md's
    Status line."""
    return post.status is None and record.format == "legacy" and record.status == "closed"


# --- findings worded for Markdown-only records ------------------------------------

_FIXES = {
    "HG101": "check one of P0, P1 or P2 with [x] on this **Severity**: line",
    "HG102": "write the commands that undo the fix under `## Rollback Plan` "
             "(replace `git revert [commit-sha]` with the real commit)",
    "HG103": "check `- [x] Code review completed` and name the reviewer after it "
             "(`by NAME`), or add a `**Reviewed By**: NAME` line",
    "HG202": "commit the test, then check `- [x] Regression test added: tests/path.py` "
             "under Post-Fix Compliance",
    "HG203": "fill in **Incident End**: with the time the incident ended "
             f"({TIME_EXAMPLE})",
}


def reword(findings: list[Finding]) -> list[Finding]:
    """Say how to fix a finding in the record's own Markdown form; `hotfix-gate
    migrate` moves the record to front matter, where the commands work."""
    out = []
    for finding in findings:
        fix = _FIXES.get(finding.code)
        if fix and (finding.code != "HG202" or finding.message.startswith("no regression test")):
            finding = replace(finding, fix=fix)
        out.append(finding)
    return out

