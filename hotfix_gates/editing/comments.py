"""The comments of a YAML text, found by PyYAML's own scanner.

PyYAML drops comments, but its scanner marks where every token starts and
ends: whatever lies outside the tokens is blank space or a comment. So a `#`
outside every token starts a comment, and a `#` inside a quoted or block
scalar (which is text) is never taken for one. The only comment inside a
token is the one after a block scalar's header (`key: |  # note`).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import yaml

from hotfix_gates.model.errors import EditError

_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*([ \t]+#[^\n]*)?")


@dataclass(frozen=True)
class Comment:
    line: int  # 0-based line of the YAML text
    column: int  # where the `#` is
    text: str  # from the `#` to the end of the line, trailing blanks removed
    own_line: bool  # nothing but blanks before it on its line


def find_comments(text: str) -> list[Comment]:
    """Every comment in `text`, in order. EditError when the text does not scan as YAML."""
    covered: list[tuple[int, int]] = []
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            start, end = token.start_mark.index, token.end_mark.index
            if end <= start:
                continue
            if isinstance(token, yaml.ScalarToken) and token.style in ("|", ">"):
                header = _BLOCK_HEADER.match(text, start)
                if header is not None and header.group(1):
                    covered.append((start, header.start(1)))
                    start = header.end()
            covered.append((start, end))
    except yaml.YAMLError:
        raise EditError("the front matter does not read as YAML; edit the file by hand") from None
    found: list[Comment] = []
    position = 0
    for start, end in [*covered, (len(text), len(text))]:
        _collect(text, position, start, found)
        position = max(position, end)
    return found


def _collect(text: str, start: int, stop: int, found: list[Comment]) -> None:
    """The comments in text[start:stop], a stretch no token covers."""
    at = text.find("#", start, stop)
    while at != -1:
        line_start = text.rfind("\n", 0, at) + 1
        line_end = text.find("\n", at)
        line_end = len(text) if line_end == -1 else line_end
        found.append(Comment(text.count("\n", 0, at), at - line_start,
                             text[at:line_end].rstrip(), not text[line_start:at].strip()))
        at = text.find("#", line_end, stop) if line_end < stop else -1


def same_comments(before: str, after: str) -> list[str]:
    """The comments of `before` that `after` lacks, and those it gained
    (prefixed `+`); empty when both hold the same comments."""
    old = Counter(c.text for c in find_comments(before))
    new = Counter(c.text for c in find_comments(after))
    lost = list((old - new).elements())
    gained = [f"+{text}" for text in (new - old).elements()]
    return lost + gained
