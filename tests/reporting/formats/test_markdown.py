"""The job summary's Markdown table."""

from __future__ import annotations

from hotfix_gates.model.finding import Finding
from hotfix_gates.reporting.formats.markdown import MAX_ROWS, cell, render_markdown
from testing.findings import sample


def test_table_rows_say_status_place_gate_finding_and_fix() -> None:
    text = render_markdown(sample(), 3, "hotfix-gates: blocked (merging into main)")
    lines = text.splitlines()
    assert lines[0] == r"### hotfix\-gates\: blocked \(merging into main\)"
    assert lines[2] == "hotfix-gate: blocked: 5 blocking, 1 warning, 1 waived in 3 records"
    rows = [line for line in lines if line.startswith("| ")]
    assert rows[0] == "| | where | gate | finding | how to fix |"
    assert len(rows) == 2 + len(sample())
    assert rows[2].startswith(r"| warning | specs\/hotfix\/001\-database\-pool\/hotfix\.md\:12 | "
                              r"HG103 quick\-review |")
    assert rows[3].startswith("| waived |") and r"waived\: staging replica" in rows[3]
    assert rows[4].startswith("| **blocking** |")


def test_record_text_cannot_break_the_table_or_inject_markup() -> None:
    for row in render_markdown(sample(), 3, "t").splitlines()[6:]:
        cells = row.replace("\\|", "").split("|")
        assert len(cells) == 7, row  # five cells and the two outer bars
    assert cell("<img src=x> [a](javascript:x) `code` *b*") == (
        r"\<img src\=x\> \[a\]\(javascript\:x\) \`code\` \*b\*")
    assert "\n" not in cell("a\nb") and "\x1b" not in cell("\x1b[2J")


def test_no_findings_is_a_sentence_and_many_are_capped() -> None:
    assert "|" not in render_markdown([], 0, "hotfix-gates: passed")
    many = [Finding(f"specs/hotfix/{n:03d}-x/hotfix.md", 5, "HG101", "severity", "not set", "set")
            for n in range(MAX_ROWS + 3)]
    text = render_markdown(many, len(many), "t")
    assert text.count("\n| **blocking** |") == MAX_ROWS and "and 3 more" in text
