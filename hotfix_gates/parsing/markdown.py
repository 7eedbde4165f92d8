"""The one Markdown reader: a text's blocks and sections, as CommonMark sees them.

Built on markdown-it-py: its block rules (ATX and setext headings, fenced and
indented code, HTML blocks, block quotes, lists, tables, link reference
definitions) and the inline rules that change what a line shows (code spans,
raw HTML, entities, escapes). What an HTML comment holds is never seen, as a
block or inline. Emphasis, links and images are left as written: no question
asked here depends on them, and markdown-it-py's link rule spends about 25 µs
on each `[` of a hostile line.

markdown-it-py reads in linear time but slowly on hostile input (up to 90 µs
a line), so a text beyond MAX_CHARS or MAX_LINES is refused with TooLarge
rather than read: a hook must answer in a second, whatever is pushed. The
last few documents read are kept, so a command that asks several questions
of one text (`log` checking its own edit, `status`) reads it once.
markdown-it-py is imported on first use only (about 40 ms).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hotfix_gates.model.record import Section
from hotfix_gates.parsing.frontmatter import visible_text

MAX_CHARS = 256 * 1024
MAX_LINES = 5_000
TYPE_CHECKING = False  # typing itself is not imported: this module is on the hooks' path
if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
_PARSER: MarkdownIt | None = None
_NUMBERING = re.compile(r"\d+[.)]\s*")
_EMPHASIS = re.compile(r"[*_`]")


class TooLarge(Exception):
    def __init__(self, chars: int, lines: int) -> None:
        super().__init__(f"{chars // 1024} KiB in {lines} lines; at most "
                         f"{MAX_CHARS // 1024} KiB and {MAX_LINES:,} lines are read")


@dataclass(slots=True)
class Block:
    """One visible block. `lines` are its lines as written (inline HTML
    comments left out); a table's are its rows, header first, split in `cells`."""

    kind: str  # paragraph | heading | table | code | html
    line: int  # first line in the file
    end: int  # last line in the file
    lines: list[str]
    parent: int  # the container it sits in: 0 is the document, else a list item or quote
    lists: tuple[int, ...] = ()  # the lists it sits in, outermost first
    item_start: bool = False  # the first paragraph of a list item
    section: int = -1  # the section it is under (-1: before the first heading)
    cells: list[list[str]] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)  # table: the file line of each row


@dataclass(slots=True)
class MdSection:
    """A heading of the document (not one nested in a list or quote) with
    everything up to the next heading of the same or a higher level."""

    title: str
    level: int
    line: int  # the heading's line in the file
    head: int  # index in Document.source of the heading's first line
    start: int  # index in Document.source of the first line under the heading
    stop: int  # index in Document.source after the section's last line
    position: int  # index in Document.sections
    own: list[Block] = field(default_factory=list)  # up to the next heading of any level
    children: list[int] = field(default_factory=list)  # positions of its sub-sections


class Document:
    def __init__(self, source: list[str], first_line: int) -> None:
        self.source = source
        self.first_line = first_line
        self.blocks: list[Block] = []
        self.sections: list[MdSection] = []
        self.list_before: dict[int, Block | None] = {}  # list id -> the sibling before it

    @property
    def preamble(self) -> list[Block]:
        return [b for b in self.blocks if b.section < 0]

    def find(self, title: str) -> MdSection | None:
        wanted = normalize_title(title)
        return next((s for s in self.sections if normalize_title(s.title) == wanted), None)

    def text_of(self, section: MdSection) -> str:
        return "\n".join(self.source[section.start:section.stop])

    def under(self, section: MdSection, skip: frozenset[int] = frozenset()) -> Iterator[Block]:
        """The section's blocks and its sub-sections', except sub-sections in `skip`."""
        yield from section.own
        for child in section.children:
            if child not in skip:
                yield from self.under(self.sections[child], skip)


def timeline_table(doc: Document) -> Block | None:
    """The first table of the visible Timeline section, outside lists and quotes."""
    section = doc.find("Timeline")
    if section is None:
        return None
    return next((b for b in doc.under(section) if b.kind == "table" and b.parent == 0), None)


# --- the questions, asked of a text --------------------------------------------


def split_sections(body: str, first_line: int = 1) -> list[Section]:
    """Every section with the text under it (none for a text too large to read)."""
    try:
        doc = read(body, first_line)
    except TooLarge:
        return []
    return [Section(s.title, s.line, doc.text_of(s)) for s in doc.sections]


def find_section(sections: list[Section], title: str) -> Section | None:
    wanted = normalize_title(title)
    return next((s for s in sections if normalize_title(s.title) == wanted), None)


def meaningful_text(text: str) -> str:
    """The lines of `text` a person wrote, with template guidance left out
    (see guidance.py); empty when nothing real is there, or the text is too
    large to read."""
    from hotfix_gates.parsing import guidance

    try:
        doc = read(text)
    except TooLarge:
        return ""
    return "\n".join(guidance.content(doc, doc.blocks))


def has_content(text: str) -> bool:
    return bool(meaningful_text(text))


def normalize_title(title: str) -> str:
    """A heading as compared: emphasis, numbering, case and invisible characters ignored."""
    title = _NUMBERING.sub("", _EMPHASIS.sub("", title).strip(), count=1)
    if not title.isascii():
        title = "".join(c if visible_text(c) else " " for c in title)
    return " ".join(title.lower().split())


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        from markdown_it import MarkdownIt

        parser = MarkdownIt("commonmark").enable("table")
        # Inline rules run only on text that holds what they read (see inline_lines).
        parser.disable(["inline", "text_join", "emphasis", "link", "image", "balance_pairs",
                        "fragments_join"])
        _PARSER = parser
    return _PARSER


def read(text: str, first_line: int = 1) -> Document:
    """Read `text`, whose first line is line `first_line` of its file. The
    document returned is shared with later callers: never change it."""
    return _read(text, first_line)


def forget() -> None:
    """Drop the documents kept (for timing a read)."""
    _read.cache_clear()


@functools.lru_cache(maxsize=8)
def _read(text: str, first_line: int) -> Document:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as CommonMark reads them
    lines = text.count("\n") + 1
    if len(text) > MAX_CHARS or lines > MAX_LINES:
        raise TooLarge(len(text), lines)
    doc = Document(text.split("\n"), first_line)
    _Walk(doc).run(_parser().parse(text))
    _nest(doc)
    return doc


class _Walk:
    """One pass over markdown-it's token stream, building the blocks."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.containers = [0]
        self.lists: list[int] = []
        self.last: dict[int, Block | None] = {}  # container -> its latest block
        self.item_start = False
        self.count = 0

    def block(self, kind: str, token: Token, lines: list[str], skip: int = 0) -> Block:
        start, stop = _span(token)
        at = self.doc.first_line
        block = Block(kind, at + start + skip, at + stop - 1, lines, self.containers[-1],
                      tuple(self.lists), self.item_start and kind == "paragraph",
                      len(self.doc.sections) - 1)
        self.item_start = False
        self.doc.blocks.append(block)
        self.last[block.parent] = block
        return block

    def run(self, tokens: list[Token]) -> None:
        index = 0
        while index < len(tokens):
            token = tokens[index]
            kind = token.type
            if kind in ("bullet_list_open", "ordered_list_open"):
                self.count += 1
                self.doc.list_before[self.count] = self.last.get(self.containers[-1])
                self.lists.append(self.count)
            elif kind in ("bullet_list_close", "ordered_list_close"):
                self.lists.pop()
                self.last[self.containers[-1]] = None
            elif kind in ("list_item_open", "blockquote_open"):
                self.count += 1
                self.containers.append(self.count)
                self.item_start = kind == "list_item_open"
            elif kind in ("list_item_close", "blockquote_close"):
                self.containers.pop()
            elif kind == "paragraph_open":
                self.block("paragraph", token, inline_lines(tokens[index + 1]))
            elif kind == "heading_open":
                self.heading(token, tokens[index + 1])
            elif kind == "table_open":
                index = self.table(tokens, index)
            elif kind in ("fence", "code_block"):
                code = token.content.split("\n")[:-1]
                self.block("code", token, code, skip=1 if kind == "fence" else 0)
            elif kind == "html_block":
                self.block("html", token, token.content.rstrip("\n").split("\n"))
            elif kind == "hr":
                self.last[self.containers[-1]] = None
            index += 1

    def heading(self, token: Token, inline: Token) -> None:
        title = " ".join(part.strip() for part in inline_lines(inline)).strip()
        if len(self.containers) > 1:  # inside a list item or a quote: not a section
            self.block("heading", token, [title])
            return
        doc = self.doc
        start, stop = _span(token)
        doc.sections.append(MdSection(title, int(token.tag[1]), doc.first_line + start, start,
                                      stop, len(doc.source), len(doc.sections)))
        self.last[0] = None

    def table(self, tokens: list[Token], index: int) -> int:
        block = self.block("table", tokens[index], [])
        row: list[str] = []
        while tokens[index].type != "table_close":
            token = tokens[index]
            if token.type == "tr_open":
                row = []
                start = _span(token)[0]
                block.rows.append(self.doc.first_line + start)
                block.lines.append(self.doc.source[start])
            elif token.type == "inline":
                row.append(" ".join(inline_lines(token)).strip())
            elif token.type == "tr_close":
                block.cells.append(row)
            index += 1
        return index


def _span(token: Token) -> tuple[int, int]:
    """The lines of a block token, [start, stop): markdown-it maps every block."""
    start, stop = token.map or (0, 0)
    return start, stop


def _nest(doc: Document) -> None:
    """Each section's end and sub-sections, in one pass: a heading closes every
    open section of its level or deeper (a scan per heading would be quadratic)."""
    open_sections: list[MdSection] = []
    for section in doc.sections:
        while open_sections and open_sections[-1].level >= section.level:
            open_sections.pop().stop = section.head
        if open_sections:
            open_sections[-1].children.append(section.position)
        open_sections.append(section)
    for block in doc.blocks:
        if block.section >= 0:
            doc.sections[block.section].own.append(block)


_INLINE_SYNTAX = re.compile(r"[<&`\\]")  # what the inline rules in force act on


def inline_lines(token: Token) -> list[str]:
    """An inline token's lines as written, with inline HTML comments left out
    (their line breaks kept, so line i is still the block's line i). Plain
    text needs no inline rule; the others are run only where they apply."""
    if not _INLINE_SYNTAX.search(token.content):
        return [line.strip() for line in token.content.split("\n")]
    children: list[Token] = []
    parser = _parser()
    parser.inline.parse(token.content, parser, {}, children)
    parts: list[str] = []
    for child in children:
        kind = child.type
        if kind in ("text", "text_special", "html_inline"):
            content = child.content
            if kind == "html_inline" and content.startswith("<!--"):
                content = "\n" * content.count("\n")
            parts.append(content)
        elif kind == "code_inline":
            parts.append(child.markup + child.content + child.markup)
        elif kind in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif kind == "link_open":  # an autolink: the only links read
            parts.append("<")
        elif kind == "link_close":
            parts.append(">")
        else:
            parts.append(child.content)
    lines = "".join(parts).split("\n")
    expected = token.content.count("\n") + 1
    if len(lines) != expected:
        # A code span or an entity changed the line breaks: fall back to the
        # lines as written, so line numbers hold.
        lines = _COMMENT.sub(lambda m: "\n" * m.group().count("\n"), token.content).split("\n")
    return lines


_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
