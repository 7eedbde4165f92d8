"""A Markdown file with YAML front matter as lines, each with its own ending.

Edits splice lines in and out of this view and render it back: every line
they do not touch keeps its bytes, its line ending (CRLF too) and a leading
BOM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hotfix_gates.model.errors import EditError

BOM = b"\xef\xbb\xbf"
_OPEN = re.compile(r"---[ \t]*")
_CLOSE = re.compile(r"(---|\.\.\.)[ \t]*")


@dataclass
class Doc:
    """A file with front matter as lines, each with its own line ending."""

    prefix: bytes  # a BOM, or nothing
    lines: list[str]
    ends: list[str]  # "\n", "\r\n", or "" for a last line without one
    newline: str  # the file's usual line ending, for new lines
    close: int  # index of the closing fence

    @classmethod
    def parse(cls, data: bytes) -> Doc:
        prefix = BOM if data.startswith(BOM) else b""
        try:
            text = data[len(prefix):].decode("utf-8")
        except UnicodeDecodeError:
            raise EditError("the file is not UTF-8 text") from None
        lines: list[str] = []
        ends: list[str] = []
        pieces = text.split("\n")
        for index, piece in enumerate(pieces):
            if index == len(pieces) - 1:
                if piece:
                    lines.append(piece)
                    ends.append("")
            elif piece.endswith("\r"):
                lines.append(piece[:-1])
                ends.append("\r\n")
            else:
                lines.append(piece)
                ends.append("\n")
        newline = "\r\n" if ends.count("\r\n") > ends.count("\n") else "\n"
        if not lines or not _OPEN.fullmatch(lines[0]):
            from hotfix_gates.parsing.frontmatter import has_front_matter

            if has_front_matter(text):
                raise EditError("the front matter does not start on line 1; move its `---` "
                                "line to the very top first")
            raise EditError("the file has no front matter (a first line `---`)")
        for index in range(1, len(lines)):
            if _CLOSE.fullmatch(lines[index]):
                return cls(prefix, lines, ends, newline, index)
        raise EditError("the front matter is never closed")

    def render(self) -> bytes:
        return self.prefix + "".join(a + b for a, b in zip(self.lines, self.ends,
                                                             strict=True)).encode("utf-8")

    def splice(self, start: int, stop: int, new: list[str], end: str | None = None) -> bytes:
        """The document with lines[start:stop] replaced by `new`."""
        ending = end if end is not None else self.newline
        lines = self.lines[:start] + new + self.lines[stop:]
        ends = self.ends[:start] + [ending] * len(new) + self.ends[stop:]
        return Doc(self.prefix, lines, ends, self.newline, 0).render()
