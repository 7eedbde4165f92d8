"""Real content told from template guidance, whatever the formatting."""

from __future__ import annotations

import pytest

from hotfix_gates.parsing.guidance import fingerprint, open_tasks, section_content
from hotfix_gates.parsing.markdown import has_content, meaningful_text, read

NOT_CONTENT = {
    "html comment": "<!-- write the summary here -->",
    "comment over lines": "<!--\nTwo or three sentences.\n-->",
    "inline comment": "<!-- hidden --> <!-- also hidden -->",
    "link-reference comment": "[//]: # (TODO)",
    "empty link reference": "[comment]: <> (write this)",
    "placeholder": "[PLACEHOLDER]",
    "nested placeholder": "[see [this] and [that]]",
    "template tokens": "| HH:MM | [event] |",
    "empty bullets": "-\n- \n*\n1.",
    "empty checkboxes": "- [ ]\n- [x]\n- [ ] [ACTION]",
    "table header only": "| Time | Event |\n| --- | --- |",
    "compact table": "| Time | Event | Owner |\n|---|---|---|\n| | | |\n|  |  |  |",
    "todo words": "TODO\n\nTBD - n/a\n\nFIXME XXX",
    "hangul filler": "\u3164\u3164",
    "zero-width": "\u200b\u200c\u200d\u2060\ufeff",
    "nbsp only": "\u00a0 &nbsp; &#160;",
    "entity zero-width": "&#x200B;",
    "headings only": "### Technical Lessons\n#### More",
    "lead-in labels": "**Owner**:\n**Code Issue**: [the code at fault]",
    "emphasised template note": "*Post-mortem completed [date] - see hotfix.md*",
    "empty html": "<div></div>\n\n<span> </span>",
    "hint list under a placeholder": "[What we learned]\n\n- Systems\n- People",
    "a rule": "---\n***",
    "spec-kit timeline row": "| Time | Event | Who |\n|--|--|--|\n| HH:MM | Fix deployed | [Who] |",
    "spec-kit prompt": "1. **Why did [problem] happen?**\n   - [Answer]",
    "links with no text": "[](https://example.com/summary)\n\n[ ](x) ![](y.png)",
    "a link with invisible text": "[\u200b](https://example.com)",
    "a script block": "<script>\nThe root cause was a leaked connection.\n</script>",
    "a style block": "<STYLE>p { content: 'written'; }</STYLE>",
    "an unclosed script": "<script>\nwritten\n\nstill the script",
}


@pytest.mark.parametrize("name", NOT_CONTENT)
def test_guidance_is_not_content(name: str) -> None:
    assert meaningful_text(NOT_CONTENT[name]) == ""
    assert not has_content(NOT_CONTENT[name])


CONTENT = {
    "a sentence": ("The pool was exhausted.", "The pool was exhausted."),
    "a label with its value": ("**Owner**: Carol", "**Owner**: Carol"),
    "a checked task": ("- [x] Alert on pool saturation", "Alert on pool saturation"),
    "text next to a placeholder": ("We paged [someone] at 14:02", "We paged [someone] at 14:02"),
    "a filled table row": ("| Time | Event |\n|---|---|\n| 14:02 | paged |", "| 14:02 | paged |"),
    "a link": ("See [the dashboard](https://example.com/d).",
               "See [the dashboard](https://example.com/d)."),
    "a link beside an empty one": ("[](x) See [logs](y).", "[](x) See [logs](y)."),
    "text after a script": ("<script>x</script>\n\nRolled back.", "Rolled back."),
    "code": ("```\nERROR pool exhausted\n```", "ERROR pool exhausted"),
    "text beside a comment": ("<!-- note --> Rolled back at 15:10.", "Rolled back at 15:10."),
    "a number": ("42", "42"),
    "html with text": ("<details><summary>Log</summary>pool exhausted</details>",
                       "<details><summary>Log</summary>pool exhausted</details>"),
}


@pytest.mark.parametrize("name", CONTENT)
def test_content(name: str) -> None:
    text, kept = CONTENT[name]
    assert meaningful_text(text) == kept


def test_hints_stop_at_the_list_after_the_placeholder() -> None:
    text = "[What we learned]\n\n- Systems\n\nWe learned that pools leak.\n\n- a real bullet\n"
    assert meaningful_text(text) == "We learned that pools leak.\na real bullet"


def test_fingerprints_ignore_formatting() -> None:
    assert fingerprint("**All times in UTC**") == fingerprint("_all  times in UTC_")
    assert fingerprint("| HH:MM | Incident  began | System |") == "hh mm incident began system"


def test_a_section_with_its_sub_sections_except_those_skipped() -> None:
    doc = read("## Summary\n### Detail\nwritten\n### Other\n[placeholder]\n")
    summary, detail, _ = doc.sections
    assert section_content(doc, summary) == ["written"]
    assert section_content(doc, summary, frozenset({detail.position})) == []


def test_open_tasks() -> None:
    text = ("- [ ] **AI-001**: [Action item]\n  - **Owner**: [person]\n"
            "- [ ] **AI-002**: chart pool saturation\n- [x] done already\n"
            "* [ ] Page the DBA\n1. [ ] Add a canary\n- [ ]\n- plain bullet\n"
            "```\n- [ ] in code\n```\n<!--\n- [ ] in a comment\n-->\n")
    doc = read(text)
    assert open_tasks(doc, doc.blocks) == ["**AI-002**: chart pool saturation",
                                           "Page the DBA", "Add a canary"]
