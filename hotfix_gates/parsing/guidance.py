"""Real content, told from template guidance, in blocks the Markdown reader found.

Guidance is what a template writes for the author to replace, in any
formatting: HTML comments (the reader never shows them), link-reference
comments (`[//]: # (TODO)`, read as definitions), what renders as nothing
(`<script>` and `<style>` blocks, links and images with no text: `[](x)`),
`[PLACEHOLDER]`s and tokens
such as HH:MM, empty bullets and checkboxes, table headers and rows of empty
cells, TODO/TBD, lead-in labels (`**Owner**:` with nothing after), headings,
text that renders as nothing (zero-width and filler characters, NBSP), the
list of hints under a placeholder line, and the few blocks of the templates
we know that survive all of that (GUIDANCE, compared after normalising, so a
Prettier-formatted template is still a template).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Iterator

from hotfix_gates.parsing.frontmatter import visible_text
from hotfix_gates.parsing.markdown import Block, Document, MdSection

# Bracketed text that is not a link or a checkbox: `[PLACEHOLDER]`, `[YYYY-MM-DD]`.
# The inner part excludes brackets, so a line of unclosed brackets is linear;
# nested placeholders are peeled a few levels deep.
_BRACKETED = re.compile(r"\[[^\[\]\n]*\](?![(\[])")
_BRACKET_PASSES = 3
_TEMPLATE_TOKEN = re.compile(r"\b(?:HH:MM(?::SS)?|YYYY-MM-DD)\b")
_TODO = re.compile(r"\b(?:TODO|TBD|FIXME|N/?A|XXX)\b", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?[A-Za-z][^<>\n]*>")
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
# HTML that renders nothing: scripts and styles, to their end (or the end of
# the block, so an unclosed one is matched once: linear).
_UNSHOWN = re.compile(r"<(script|style)\b.*?(?:</\1\s*>|\Z)", re.DOTALL | re.IGNORECASE)
# A link or an image with no text: nothing to read where it stands.
_EMPTY_LINK = re.compile(r"!?\[[ \t]*\]\([^()\n]*\)")
_WORD = re.compile(r"[^\W_]")
_NOT_WORD = re.compile(r"[\W_]+")
_EMPHASIS_ONLY = re.compile(r"(\*{1,2}|_{1,2})[^*_\n]+\1")
TASK = re.compile(r"\[([ xX]?)\][ \t]*")

# Blocks of the spec-kit hotfix workflow's templates that read as prose once
# placeholders are gone: hint bullets, table rows with the time still HH:MM,
# the Five Whys prompt. Lower case, words only, as `fingerprint` makes them.
GUIDANCE = frozenset({
    "what happened", "impact users revenue reputation", "root cause in simple terms",
    "what we re doing to prevent it", "all times in utc",
    "incident began system", "first detection", "investigation started",
    "root cause identified", "fix implemented", "fix deployed", "verification complete",
    "incident closed", "post incident monitoring team", "why did happen",
})


_LONGEST_GUIDANCE = 2 * max(len(text) for text in GUIDANCE)  # room for markup
_HINTS: weakref.WeakKeyDictionary[Document, frozenset[int]] = weakref.WeakKeyDictionary()


def fingerprint(text: str) -> str:
    return " ".join(_NOT_WORD.sub(" ", visible_text_spaced(text).lower()).split())


def visible_text_spaced(text: str) -> str:
    """`text` with every invisible character turned into a plain space."""
    if text.isascii():
        return text
    return "".join(c if c == "\n" or visible_text(c) else " " for c in text)


def has_placeholder(text: str) -> bool:
    """A `[...]` placeholder (not a checkbox or a link) or a token like HH:MM."""
    for found in _BRACKETED.finditer(text):
        if found.group()[1:-1].strip() not in ("", "x", "X"):
            return True
    return _TEMPLATE_TOKEN.search(text) is not None


def strip_placeholders(line: str) -> tuple[str, bool]:
    """`line` without its `[PLACEHOLDER]`s and template tokens, and whether it had any."""
    found = False
    for _ in range(_BRACKET_PASSES):
        line, count = _BRACKETED.subn(" ", line)
        if not count:
            break
        found = True
    line, count = _TEMPLATE_TOKEN.subn(" ", line)
    return line, found or bool(count)


def value_text(value: str) -> str:
    """What a one-line value says once placeholders, TODO/TBD and invisible
    characters are set aside ("" if nothing)."""
    bare = _TODO.sub(" ", strip_placeholders(visible_text_spaced(value))[0]).strip()
    return bare if _WORD.search(bare) else ""


def line_text(line: str) -> tuple[str, bool]:
    """What a line says once guidance is set aside ("" if nothing), and
    whether it held a placeholder."""
    if "<" in line:
        line = _HTML_TAG.sub(" ", line)
    line = visible_text_spaced(line)
    if "](" in line:
        line = _EMPTY_LINK.sub(" ", line)
    bare, placeholder = strip_placeholders(line) if "[" in line or ":" in line or (
        "-" in line) else (line, False)
    bare = _TODO.sub(" ", bare).strip()
    if not _WORD.search(bare) or bare.rstrip("*_ \t").endswith(":"):
        return "", placeholder  # nothing, or a lead-in label waiting for its value
    if placeholder and _EMPHASIS_ONLY.fullmatch(line.strip()):
        return "", placeholder  # a template's note: *Completed [date]*
    if len(bare) < _LONGEST_GUIDANCE and fingerprint(bare) in GUIDANCE:
        return "", placeholder
    return line.strip(), placeholder


def block_lines(block: Block) -> list[str]:
    """The lines of `block` that are real content, as written."""
    if block.kind == "heading":
        return []
    if block.kind == "table":
        return [block.lines[index] for index, row in enumerate(block.cells)
                if index > 0 and _row_is_content(row)]
    lines = block.lines
    if block.kind == "html":
        text = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), "\n".join(lines))
        text = _UNSHOWN.sub(lambda m: "\n" * m.group().count("\n"), text)
        lines = text.split("\n")
    elif block.item_start and lines and TASK.match(lines[0]):
        lines = [TASK.sub("", lines[0], count=1), *lines[1:]]
    return [line for line in lines if line_text(line)[0]]


def _row_is_content(cells: list[str]) -> bool:
    said = [line_text(cell)[0] for cell in cells]
    return any(said) and fingerprint(" ".join(said)) not in GUIDANCE


def _hint_lists(doc: Document) -> frozenset[int]:
    """Lists right after a paragraph that is only a placeholder: the
    template's hints for what to write there, not what was written."""
    hints = _HINTS.get(doc)
    if hints is None:
        hints = frozenset(
            list_id for list_id, before in doc.list_before.items()
            if before is not None and before.kind == "paragraph" and not block_lines(before)
            and any(line_text(line)[1] for line in before.lines))
        _HINTS[doc] = hints
    return hints


def content(doc: Document, blocks: Iterable[Block]) -> list[str]:
    """The lines of real content among `blocks`, as written."""
    return list(_content(doc, blocks))


def _content(doc: Document, blocks: Iterable[Block]) -> Iterator[str]:
    hints = _hint_lists(doc) if doc.list_before else frozenset()
    for block in blocks:
        if not (hints and hints.intersection(block.lists)):
            for line in block_lines(block):
                yield line.strip()


def section_content(doc: Document, section: MdSection,
                    skip: frozenset[int] = frozenset()) -> list[str]:
    """The real content of a section and its sub-sections, except those in `skip`."""
    return content(doc, doc.under(section, skip))


def section_written(doc: Document, section: MdSection,
                    skip: frozenset[int] = frozenset()) -> bool:
    """Whether the section holds real content (read up to its first line of it)."""
    return next(_content(doc, doc.under(section, skip)), None) is not None


def open_tasks(doc: Document, blocks: Iterable[Block]) -> list[str]:
    """Unchecked task items (`- [ ] ...`) that say something, as written after the box."""
    hints = _hint_lists(doc) if doc.list_before else frozenset()
    items = []
    for block in blocks:
        if not (block.item_start and block.lines) or hints.intersection(block.lists):
            continue
        box = TASK.match(block.lines[0])
        if box is None or box.group(1) not in (" ", ""):
            continue
        said = block_lines(block)
        if said:
            items.append(TASK.sub("", block.lines[0], count=1).strip() or said[0].strip())
    return items
