"""The front-matter splitter: where front matter is, and when it is not clean."""

from __future__ import annotations

import pytest

from hotfix_gates.parsing.frontmatter import (
    NoFrontMatter,
    UnclosedFrontMatter,
    buried_block,
    decode,
    has_front_matter,
    split_front_matter,
    visible_text,
)
from hotfix_gates.parsing.hotfix import parse_hotfix

FOLDER = "specs/hotfix/001-pool"
YAML = "id: hotfix-001\nseverity: P0\n"
KEYS = frozenset({"id", "severity", "resolved_at"})


def test_a_clean_start() -> None:
    block = split_front_matter(f"---\n{YAML}---\n# Body\n")
    assert block.clean and block.second_block is None
    assert (block.start_line, block.yaml_line, block.end_line, block.body_line) == (1, 2, 4, 5)
    assert block.yaml_text == YAML.rstrip("\n") and block.body == "# Body\n"


def test_one_bom_and_crlf_are_a_clean_start() -> None:
    text = decode(b"\xef\xbb\xbf---\r\nseverity: P0\r\n---\r\n")
    block = split_front_matter(text)
    assert block.clean and block.yaml_text == "severity: P0"


@pytest.mark.parametrize(("text", "start"), [
    ("\n---\n", 2),  # a blank line
    ("  \n\t\n---\n", 3),
    ("\u200b---\n", 1),  # a zero-width space before the fence
    ("\ufeff---\n", 1),  # a second BOM (decode drops the first)
    ("\u00a0\n\u3164\n---\n", 3),  # NBSP and HANGUL FILLER lines render as nothing
    ("\u2060\u200d\n---\n", 2),
])
def test_a_fence_below_invisible_text_is_found_and_not_clean(text: str, start: int) -> None:
    block = split_front_matter(text + YAML + "---\n# Body\n")
    assert not block.clean and block.start_line == start
    assert block.yaml_line == start + 1 and "severity: P0" in block.yaml_text


@pytest.mark.parametrize("text", ["# Title\n---\nid: x\n---\n", "text\n", "", "\n\n", "--\n",
                                  "<!-- x -->\n---\nid: x\n---\n"])
def test_no_front_matter(text: str) -> None:
    with pytest.raises(NoFrontMatter):
        split_front_matter(text)
    assert not has_front_matter(text)


def test_unclosed_names_its_line() -> None:
    with pytest.raises(UnclosedFrontMatter) as caught:
        split_front_matter("\n\n---\nid: x\n")
    assert caught.value.line == 3 and "line 3 is never closed" in str(caught.value)
    assert has_front_matter("---\nid: x\n")


def test_a_second_block_right_after_the_first() -> None:
    block = split_front_matter(f"---\n{YAML}---\n\n---\nresolved_at: 2025-10-01T10:00:00Z\n---\n")
    assert block.second_block == 6
    # A thematic break with prose under it is not a block of keys.
    for body in ("---\nSome words: here\n---\n", "# Body\n---\nkey: value\n---\n"):
        assert split_front_matter(f"---\n{YAML}---\n{body}").second_block is None


def test_a_buried_block_of_record_keys() -> None:
    text = "<!-- generated -->\n---\nid: hotfix-001\nresolved_at: 2025-10-01\n---\n# Body\n"
    assert buried_block(text, KEYS) == 2
    assert buried_block("# T\n\n---\n\nWords: more\n---\n", KEYS) is None  # not record keys
    assert buried_block("# T\n---\nid: x\n", KEYS) is None  # never closed: a thematic break


def test_visible_text() -> None:
    assert visible_text(" \t a\u200bb\u00a0c\u3164\ufeff ") == "abc"
    assert visible_text("---") == "---"


def findings(data: bytes) -> list[tuple[int, str, str]]:
    record, found = parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER, data)
    assert record.format == "front-matter"
    assert record.severity == "P0"  # the YAML is read all the same
    return [(f.line, f.level.value, f.message) for f in found]


@pytest.mark.parametrize(("prefix", "message"), [
    (b"\n", "the front matter starts on line 2, not on line 1"),
    (b"\xef\xbb\xbf\xef\xbb\xbf", "invisible characters (a second BOM, a zero-width space) "
                                  "stand before the front matter's `---`"),
    ("\u200b".encode(), "invisible characters (a second BOM, a zero-width space) "
                        "stand before the front matter's `---`"),
])
def test_a_record_whose_front_matter_is_not_on_line_1(prefix: bytes, message: str) -> None:
    # Even with the spec-kit marker in a comment, the YAML is what is read.
    data = prefix + f"---\n{YAML}---\n<!-- **Hotfix ID**: hotfix-001 -->\n".encode()
    assert findings(data)[0] == (1, "error", message)


def test_a_record_with_a_second_block() -> None:
    data = f"---\n{YAML}---\n---\nresolved_at: 2025-10-01T10:00:00Z\n---\n".encode()
    assert (5, "error", "a second front-matter block: only the first is read") in findings(data)


def test_a_markdown_record_with_buried_yaml_is_not_read_as_markdown() -> None:
    data = (b"<!-- generated -->\n---\nid: hotfix-001\nresolved_at: 2025-10-01T10:00:00Z\n---\n"
            b"**Hotfix ID**: hotfix-001\n**Status**: [x] Investigating\n")
    record, found = parse_hotfix(f"{FOLDER}/hotfix.md", FOLDER, data)
    assert "*" in record.invalid
    assert [(f.line, f.message) for f in found] == [
        (2, "front matter below the top of the file is not read")]
