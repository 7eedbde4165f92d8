"""The Markdown reader: blocks and sections as CommonMark has them, line
numbers that hold, the visible Timeline table, and linear time on hostile text."""

from __future__ import annotations

import time

import pytest

from hotfix_gates.parsing import markdown
from hotfix_gates.parsing.markdown import (
    MAX_CHARS,
    MAX_LINES,
    TooLarge,
    has_content,
    normalize_title,
    read,
    timeline_table,
)


def titles(text: str) -> list[tuple[str, int, int]]:
    return [(s.title, s.level, s.line) for s in read(text).sections]


def test_atx_and_setext_headings() -> None:
    text = "Title\n=====\n\nIntro\n\nPart\n----\n## Closed ##\n###### Six\n#no space\n"
    assert titles(text) == [("Title", 1, 1), ("Part", 2, 6), ("Closed", 2, 8), ("Six", 6, 9)]


def test_headings_in_fences_comments_lists_and_quotes_are_not_sections() -> None:
    text = ("# One\n```\n# fenced\n```\n~~~\n## tilde\n~~~\n<!--\n## Timeline\n-->\n"
            "    # indented code\n- ## in a list\n> ## in a quote\n# Two\n")
    assert titles(text) == [("One", 1, 1), ("Two", 1, 14)]


def test_sections_own_blocks_and_sub_sections() -> None:
    doc = read("# A\na\n## B\nb\n### C\nc\n## D\nd\n# E\n", first_line=10)
    a, b, c, d, e = doc.sections
    assert [block.lines for block in a.own] == [["a"]]
    assert a.children == [b.position, d.position] and b.children == [c.position]
    assert e.children == [] and e.own == []
    assert doc.text_of(b) == "b\n### C\nc"  # up to the next heading of its level or higher
    assert doc.text_of(a) == "a\n## B\nb\n### C\nc\n## D\nd"
    assert [block.line for block in doc.under(a)] == [11, 13, 15, 17]
    assert [block.line for block in doc.under(a, frozenset({b.position}))] == [11, 17]
    assert (b.line, c.line) == (12, 14)  # lines of the file, the text starting at line 10


def test_block_lines_keep_their_numbers_across_inline_comments() -> None:
    doc = read("para one <!-- a\ncomment --> still\nlast `code <!-- -->` line\n")
    (block,) = doc.blocks
    assert block.lines == ["para one ", " still", "last `code <!-- -->` line"]
    assert (block.line, block.end) == (1, 3)
    doc = read("a `multi\nline` span\nz\n")  # a code span joins lines: numbers still hold
    assert doc.blocks[0].lines == ["a `multi", "line` span", "z"]


def test_list_items_and_the_paragraph_before_a_list() -> None:
    doc = read("[hints]\n\n- one\n  - nested\n- [ ] two\n\n1. first\n")
    paragraph, one, nested, two, first = doc.blocks
    assert one.item_start and nested.item_start and two.item_start and first.item_start
    assert not paragraph.item_start
    assert doc.list_before[one.lists[0]] is paragraph  # Prettier's blank line or none
    assert doc.list_before[first.lists[0]] is None  # after another list, not the paragraph
    assert len(nested.lists) == 2


def test_tables() -> None:
    text = "| Time | Event |\n|------|-------|\n| 10:00 | `a\\|b` |\n|  |  |\nrow text\n\nafter\n"
    doc = read(text)
    table = doc.blocks[0]
    assert table.kind == "table" and (table.line, table.end) == (1, 5)
    assert table.cells == [["Time", "Event"], ["10:00", "`a|b`"], ["", ""], ["row text", ""]]
    assert table.rows == [1, 3, 4, 5]


TIMELINE = "| Time (UTC) | Event |\n| --- | --- |\n| 2025-10-01T10:00:00Z | opened |\n"


@pytest.mark.parametrize(("text", "found"), [
    (f"## Timeline\n\n{TIMELINE}", True),
    (f"## Timeline\n\n<!--\n{TIMELINE}-->\n", False),  # in a comment
    (f"## Timeline\n\n```\n{TIMELINE}```\n", False),  # in a fence
    (f"<!--\n## Timeline\n-->\n## Other\n\n{TIMELINE}", False),  # commented-out heading
    (f"## Timeline\n\n> {TIMELINE}", False),  # in a quote: a row cannot be appended
    (f"## Timeline\n\n### Today\n\n{TIMELINE}", True),  # in a sub-section
])
def test_the_visible_timeline_table(text: str, found: bool) -> None:
    assert (timeline_table(read(text)) is not None) is found


def test_titles_compare_as_they_render() -> None:
    assert normalize_title("**1. Timeline**") == "timeline"
    assert normalize_title("Time\u200bline") == "time line"  # not the Timeline
    assert normalize_title("  Root   Cause\u00a0Analysis ") == "root cause analysis"


def test_too_large_texts_are_refused_at_once() -> None:
    started = time.monotonic()
    with pytest.raises(TooLarge, match="at most 256 KiB and 5,000 lines"):
        read("# h\n" * 60_000)  # sixty thousand headings
    with pytest.raises(TooLarge):
        read("x" * (MAX_CHARS + 1))
    assert time.monotonic() - started < 0.5
    assert markdown.split_sections("# h\n" * (MAX_LINES + 1)) == []
    assert not has_content("words\n" * (MAX_LINES + 1))


# Hostile text just under the limits, read in well under a second or two
# each (markdown-it-py is linear; the limits bound its worst constant).
HOSTILE = {
    "a 100 KB line": "a" * 100_000,
    "a 100 KB line of brackets": "[" * 100_000,
    "a 100 KB line of backslashes": "\\" * 100_000,
    "pipe and 2,000 spaces": "| a |\n|---|\n|" + " " * 2_000 + "\n",
    "many pipe lines": ("|" + " " * 20 + "\n") * (MAX_LINES - 1),
    "headings": "# h\n" * (MAX_LINES - 1),
    "list items": "- [ ] x\n" * (MAX_LINES - 1),
    "unclosed comments": "<!--" * 60_000,
    "fences": "```\n" * (MAX_LINES - 1),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_text_under_the_limits_is_read_quickly(name: str) -> None:
    started = time.monotonic()
    doc = read(HOSTILE[name])
    markdown.meaningful_text(HOSTILE[name])
    timeline_table(doc)
    assert time.monotonic() - started < 4


def test_every_reader_on_the_benchmark_cases() -> None:
    # benchmarks/bench_readers.py at a tenth of its sizes: no reader is slow
    # on any case (the benchmark itself checks that time grows linearly).
    from benchmarks.bench_readers import failures, measure

    assert failures(measure(scale=0.1, runs=1), bound=1.0, linear=False) == []
