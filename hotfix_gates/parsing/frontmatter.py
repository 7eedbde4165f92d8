"""Bytes to text, and the YAML front matter split from the Markdown under it.

Standard library only: the hooks' quick paths use it.

A file is a front-matter file when its first line with anything visible on it
is `---`. Only a clean start (the `---` on line 1, after at most one BOM) is
valid, but a fence pushed down by a blank line, a second BOM or a zero-width
space is still found and read: were it not, the Markdown under it would be
read instead and the YAML the author meant would be silently ignored.
"""

from __future__ import annotations

import re
import unicodedata

_OPEN = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(?:---|\.\.\.)[ \t]*")
_KEY_LINE = re.compile(r"([A-Za-z_][\w.-]*)[ \t]*:(?:[ \t]|$)")
_ASCII_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")
# Letters and symbols that render as nothing (Unicode calls them letters or
# symbols, so they are not caught as format characters or spaces).
FILLERS = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")


class NoFrontMatter(Exception):
    pass


class UnclosedFrontMatter(Exception):
    def __init__(self, line: int = 1) -> None:
        super().__init__(f"the front matter opened on line {line} is never closed")
        self.line = line


def invisible(char: str) -> bool:
    """A character that renders as nothing or as blank space: spaces (NBSP
    too), format characters (zero-width space and joiners, BOM, soft hyphen,
    direction marks) and filler letters such as U+3164."""
    return char.isspace() or char in FILLERS or unicodedata.category(char) in ("Cf", "Cc")


def visible_text(text: str) -> str:
    """`text` without its invisible characters."""
    if text.isascii():
        return _ASCII_INVISIBLE.sub("", text)
    return "".join(c for c in text if not invisible(c))


def decode(data: bytes) -> str:
    """UTF-8 text (a BOM dropped, CRLF read as LF); UnicodeDecodeError if not UTF-8."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    text = data.decode("utf-8")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


class FrontMatter:
    """The front matter block: its text, and where it and the body start.
    Lines are 1-based lines of the decoded text."""

    def __init__(self, lines: list[str], start: int, end: int) -> None:
        self.start_line = start + 1  # the opening `---`
        self.yaml_text = "\n".join(lines[start + 1:end])
        self.yaml_line = start + 2  # the first YAML line
        self.end_line = end + 1  # the closing fence
        self.body = "\n".join(lines[end + 1:])
        self.body_line = end + 2
        # Valid only when the `---` is the very first thing in the file.
        self.clean = start == 0 and _OPEN.fullmatch(lines[0]) is not None
        self.second_block = _second_block(lines, end + 1)


def split_front_matter(text: str) -> FrontMatter:
    """The front matter of `text`: NoFrontMatter when its first visible line
    is not `---`, UnclosedFrontMatter when no closing `---` (or `...`) follows."""
    lines = text.split("\n")
    start = _first_visible(lines, 0)
    if start is None or visible_text(lines[start]) != "---":
        raise NoFrontMatter
    for index in range(start + 1, len(lines)):
        if _CLOSE.fullmatch(lines[index]):
            return FrontMatter(lines, start, index)
    raise UnclosedFrontMatter(start + 1)


def _first_visible(lines: list[str], start: int) -> int | None:
    for index in range(start, len(lines)):
        if visible_text(lines[index]):
            return index
    return None


def _second_block(lines: list[str], start: int) -> int | None:
    """The 1-based line of a second front-matter-like block right after the
    first: a `---` line, then `key:` lines, then a closing fence."""
    first = _first_visible(lines, start)
    if first is None or visible_text(lines[first]) != "---":
        return None
    keys = False
    for index in range(first + 1, len(lines)):
        line = lines[index]
        if _CLOSE.fullmatch(line):
            return first + 1 if keys else None
        keys = keys or _KEY_LINE.match(line) is not None
    return None


def buried_block(text: str, keys: frozenset[str]) -> int | None:
    """The 1-based line of a `---` block holding one of `keys` (`key: ...`)
    further down a file that does not start with front matter: YAML its
    author meant to be read, which would otherwise be silently ignored."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        if _CLOSE.fullmatch(lines[index]) and lines[index].startswith("---"):
            found = False
            end = index + 1
            while end < len(lines) and not _CLOSE.fullmatch(lines[end]):
                key = _KEY_LINE.match(lines[end])
                found = found or (key is not None and key.group(1) in keys)
                end += 1
            if found and end < len(lines):
                return index + 1
            index = end  # each line is looked at once
        else:
            index += 1
    return None


def has_front_matter(text: str) -> bool:
    """Whether `text` starts (visibly) with a front matter block, closed or not."""
    try:
        split_front_matter(text)
    except NoFrontMatter:
        return False
    except UnclosedFrontMatter:
        return True
    return True
