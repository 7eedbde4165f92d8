"""post-mortem.md: which required sections are written, and its status."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.record import PostMortem
from hotfix_gates.parsing.post_mortem import parse_post_mortem
from testing.legacy_repo import COMPLETE_POST_MORTEM, FIXTURES, TEMPLATE_POST_MORTEM
from testing.repos import COMPLETE_POST_MORTEM as COMPLETE

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
COMPLETE_HEAD = "---\nstatus: complete\n---\n"


def read(text: str) -> PostMortem:
    post, problem, _ = parse_post_mortem("post-mortem.md", text.encode())
    assert post is not None, problem
    return post


def written(text: str) -> list[str]:
    post = read(text)
    return [name for name in POST_MORTEM_SECTIONS if name not in post.unwritten()]


def test_a_complete_post_mortem() -> None:
    post = read(COMPLETE)
    assert post.status == "complete" and post.unwritten() == []
    assert post.sections["timeline"].line == 9  # a line of the file, front matter counted


@pytest.mark.parametrize("template", [
    TEMPLATE_POST_MORTEM,  # the spec-kit workflow's template
    FIXTURES / "post-mortem-prettier.md",  # the same, as Prettier formats it
    FIXTURES / "post-mortem-compact.md",  # a compact variant: tables of empty cells
])
def test_spec_kit_templates_are_not_written(template: Path) -> None:
    assert written(COMPLETE_HEAD + template.read_text()) == []


def test_our_own_template_is_not_written() -> None:
    text = re.sub(r"\{\{\w+\}\}", "x1", (TEMPLATES / "post-mortem.md").read_text())
    assert read(text).status == "draft" and written(text) == []


def test_the_spec_kit_complete_example_is_written() -> None:
    assert written(COMPLETE_POST_MORTEM.read_text()) == list(POST_MORTEM_SECTIONS)


def test_one_line_under_nested_headings_fills_one_section() -> None:
    text = COMPLETE_HEAD + ("# Executive Summary\n## Timeline\n### Root Cause Analysis\n"
                            "#### Action Items\n##### Lessons Learned\nok\n")
    assert written(text) == ["Lessons Learned"]


def test_a_sub_section_with_text_counts_for_its_section() -> None:
    text = COMPLETE_HEAD + ("## Executive Summary\n### For customers\nCheckout failed for 46 "
                            "minutes.\n## Timeline\n### Detailed\n| Time | Event |\n|--|--|\n"
                            "| 14:32 | alert |\n")
    assert written(text) == ["Executive Summary", "Timeline"]


def test_a_required_section_nested_in_another_counts_only_for_itself() -> None:
    text = COMPLETE_HEAD + ("## Root Cause Analysis\nThe pool was too small.\n"
                            "### Lessons Learned\nSize pools per environment.\n")
    assert written(text) == ["Root Cause Analysis", "Lessons Learned"]
    text = COMPLETE_HEAD + "## Root Cause Analysis\n### Lessons Learned\nSize pools.\n"
    assert written(text) == ["Lessons Learned"]


UNWRITTEN_SECTIONS = {
    "link-reference comments": "[//]: # (TODO)",
    "hangul filler": "\u3164",
    "zero-width space": "\u200b",
    "nbsp": "&nbsp;",
    "a commented-out paragraph": "<!--\nThe pool leaked.\n-->",
    "a sub-heading only": "### Details",
    "empty html": "<p></p>",
    "an empty task": "- [ ]",
}


@pytest.mark.parametrize("name", UNWRITTEN_SECTIONS)
def test_sections_that_render_empty_are_not_written(name: str) -> None:
    filler = UNWRITTEN_SECTIONS[name]
    text = COMPLETE_HEAD + "".join(f"## {title}\n{filler}\n\n" for title in POST_MORTEM_SECTIONS)
    assert written(text) == []


def test_placeholder_action_items_are_not_written() -> None:
    text = COMPLETE.replace("- [x] Add a regression test for the early return\n"
                            "- [ ] Alert on pool saturation\n",
                            "- [ ] **AI-001**: [Action item]\n  - **Owner**: [person]\n")
    assert written(text) == [n for n in POST_MORTEM_SECTIONS if n != "Action Items"]


def test_incident_details_stands_in_for_a_missing_timeline() -> None:
    post = read(COMPLETE_POST_MORTEM.read_text())
    assert post.sections["timeline"].title == "Incident Details"


@pytest.mark.parametrize(("text", "problem", "line"), [
    ("\n---\nstatus: complete\n---\n", "the front matter starts on line 2, not on line 1; "
     "make the `---` line the very first line: delete what is before it", 1),
    ("---\nstatus: draft\n---\n---\nstatus: complete\n---\n", "a second front-matter block "
     "starts here: move its keys into the first block and delete it", 4),
    ("---\nstatus: complete\n", "the front matter opened on line 1 is never closed", 1),
    ("---\nstatus: complete\n---\n" + "- x\n" * 10_001, "post-mortem.md is too large to read "
     "(39 KiB in 10002 lines; at most 256 KiB and 5,000 lines are read)", 1),
])
def test_a_post_mortem_that_cannot_be_judged(text: str, problem: str, line: int) -> None:
    assert parse_post_mortem("p.md", text.encode()) == (None, problem, line)


def test_a_status_line_in_a_spec_kit_post_mortem() -> None:
    text = COMPLETE_POST_MORTEM.read_text()
    head = "**Hotfix ID**: hotfix-003\n"
    for value, status in (("Draft", "draft"), ("[x] Complete", "complete"),
                          ("[ ] Draft [x] Final", "complete"), ("[x] Draft [x] Final",
                                                                 "unreadable")):
        post = read(text.replace(head, f"{head}**Status**: {value}\n"))
        assert (post.status, post.status_line) == (status, 4)
    # In a comment, it is no status line.
    assert read(text.replace(head, f"{head}<!-- **Status**: Complete -->\n")).status is None
