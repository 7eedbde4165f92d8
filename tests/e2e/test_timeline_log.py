"""`hotfix-gate log` on real records: the row goes into the Timeline table a
reader sees, never into a comment or a code block, and `status` counts it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.parsing.markdown import read, timeline_table
from hotfix_gates.reporting.metrics import timeline_updates
from testing.hostile import assert_clean, gate
from testing.repos import commit_all, write_record

AT = "2025-10-01T15:05:00Z"
ROW = f"| {AT} | pool size back to 50 |"
TABLE = "| Time (UTC) | Event |\n| --- | --- |\n| 2025-10-01T14:00:00Z | Hotfix opened |\n"


def logged(repo: Path, body: str) -> tuple[int, str, str]:
    """Write a record with `body`, log one row, and return (exit code, body after, stderr)."""
    record = write_record(repo, 1, body=body)
    commit_all(repo, "hotfix-001")
    outcome = gate(repo, "log", "pool size back to 50", "--at", AT, "--id", "1")
    assert_clean(outcome)
    text = record.hotfix.read_text()
    return outcome.code, text[text.index("---\n", 4) + 4:], outcome.err


def visible_rows(body: str) -> list[list[str]]:
    table = timeline_table(read(body))
    assert table is not None
    return table.cells[1:]


def test_into_the_visible_table(repo: Path) -> None:
    code, body, _ = logged(repo, f"\n## Timeline\n\n{TABLE}\n## Impact\n\nnone\n")
    assert code == 0
    assert body == f"\n## Timeline\n\n{TABLE}{ROW}\n\n## Impact\n\nnone\n"


@pytest.mark.parametrize("hidden", [f"<!--\n{TABLE}-->\n", f"```\n{TABLE}```\n",
                                    f"~~~markdown\n{TABLE}~~~\n"])
def test_never_into_a_table_in_a_comment_or_a_fence(repo: Path, hidden: str) -> None:
    body = f"\n## Timeline\n\n{hidden}\n## Impact\n\nnone\n"
    code, after, _ = logged(repo, body)
    assert code == 0
    # The hidden table is as it was; a visible table under the heading holds the row.
    assert after.startswith(f"\n## Timeline\n\n{hidden}\n| Time (UTC) | Event |\n| --- | --- |"
                            f"\n{ROW}\n")
    assert visible_rows(after) == [[AT, "pool size back to 50"]]


def test_never_under_a_commented_out_heading(repo: Path) -> None:
    body = f"\n<!--\n## Timeline\n\n{TABLE}-->\n\n## Impact\n\nnone\n"
    code, after, _ = logged(repo, body)
    assert code == 0
    assert after == f"{body}\n## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n{ROW}\n"
    record, _ = parse_hotfix("hotfix.md", "", ("---\nid: hotfix-001\n---\n" + after).encode())
    assert timeline_updates(record.body) == [datetime(2025, 10, 1, 15, 5, tzinfo=UTC)]


def test_under_the_heading_when_the_section_ends_in_an_open_fence(repo: Path) -> None:
    body = "\n## Timeline\n\n```\nlog lines, the fence never closed\n"
    code, after, _ = logged(repo, body)
    assert code == 0
    assert after.startswith(f"\n## Timeline\n\n| Time (UTC) | Event |\n| --- | --- |\n{ROW}\n\n```")
    assert visible_rows(after) == [[AT, "pool size back to 50"]]


def test_refused_when_no_row_could_show(repo: Path) -> None:
    body = "\n## Impact\n\nnone\n<!-- a comment never closed\n"
    record = write_record(repo, 1, body=body)
    commit_all(repo, "hotfix-001")
    before = record.hotfix.read_bytes()
    outcome = gate(repo, "log", "pool size back to 50", "--at", AT, "--id", "1")
    assert outcome.code == 2
    assert "the new row would not show in the Timeline" in outcome.err
    assert record.hotfix.read_bytes() == before


def test_status_counts_the_logged_row(repo: Path) -> None:
    code, body, _ = logged(repo, f"\n## Timeline\n\n<!--\n{TABLE}-->\n")
    assert code == 0
    assert timeline_updates(body) == [datetime(2025, 10, 1, 15, 5, tzinfo=UTC)]
