"""Markdown sections, and telling real content from template guidance."""

from __future__ import annotations

import re

from hotfix_gates.model.record import Section

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_COMMENT = re.compile(r"<!--.*?(-->|\Z)", re.DOTALL)
# Bracketed text that is not a link: `[PLACEHOLDER]`, `[YYYY-MM-DD]`, `[ ]`.
# The inner part excludes `[` so a line of unclosed brackets is linear, not
# quadratic; nested placeholders are peeled a few levels deep.
_BRACKETED = re.compile(r"\[[^\[\]\n]*\](?!\()")
_BRACKET_PASSES = 3
_TABLE_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_PLACEHOLDER_WORDS = re.compile(r"\b(TODO|TBD|FIXME|N/?A|XXX)\b", re.IGNORECASE)
_WORD = re.compile(r"[^\W_]", re.UNICODE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")


def split_sections(body: str, first_line: int = 1) -> list[Section]:
    """Every heading with the text under it, up to the next heading of the
    same or a higher level. Headings inside code fences or HTML comments are
    not headings (a commented-out page renders empty)."""
    if "<!--" in body:
        # Blank the comments out, keeping their line breaks so line numbers hold.
        body = _COMMENT.sub(lambda found: "\n" * found.group(0).count("\n"), body)
    lines = body.splitlines()
    found: list[tuple[int, int, str]] = []  # (index, level, title)
    in_fence = False
    for index, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        match = _HEADING.match(line)
        if match:
            found.append((index, len(match.group(1)), match.group(2).strip()))
    # Where each section ends, in one pass: a heading closes every open one
    # of its level or deeper (a scan per heading is quadratic in headings).
    ends = [len(lines)] * len(found)
    open_positions: list[int] = []
    for position, (index, level, _) in enumerate(found):
        while open_positions and found[open_positions[-1]][1] >= level:
            ends[open_positions.pop()] = index
        open_positions.append(position)
    return [Section(title, first_line + index, "\n".join(lines[index + 1 : end]))
            for (index, _, title), end in zip(found, ends, strict=True)]


def find_section(sections: list[Section], title: str) -> Section | None:
    wanted = normalize_title(title)
    for section in sections:
        if normalize_title(section.title) == wanted:
            return section
    return None


def normalize_title(title: str) -> str:
    title = re.sub(r"[*_`]", "", title)
    title = re.sub(r"^\d+[.)]\s*", "", title.strip())
    return " ".join(title.lower().split())


def meaningful_text(text: str) -> str:
    """The text a person wrote, with template guidance removed: HTML comments,
    bracketed placeholders, empty bullets and checkboxes, table scaffolding,
    and TODO/TBD markers. Empty when nothing real is left."""
    text = _COMMENT.sub("", text)
    kept = []
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if _TABLE_SEPARATOR.match(line) and "-" in line:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if line.lstrip().startswith("|") and _TABLE_SEPARATOR.match(following) and "-" in following:
            continue  # a table's header row is template, not content
        for _ in range(_BRACKET_PASSES):
            line, count = _BRACKETED.subn("", line)
            if not count:
                break
        if _HEADING.match(line):
            continue  # a sub-heading with nothing under it is not content
        line = _PLACEHOLDER_WORDS.sub("", _HTML_TAG.sub("", line))
        stripped = line.strip().strip("-*+>|#:` \t").strip()
        if _WORD.search(stripped):
            kept.append(line.strip())
    return "\n".join(kept)


def has_content(text: str) -> bool:
    return bool(meaningful_text(text))
