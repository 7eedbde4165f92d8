"""The one YAML writer: whatever the value, it reads back as exactly that
value and can never add a key, end the front matter or start a comment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from hotfix_gates.editing.yamlemit import Stamp, dump_lines, front_matter_block, scalar_line
from hotfix_gates.model.errors import EditError
from hotfix_gates.parsing.hotfix import parse_hotfix


def test_timestamps_are_plain_and_in_utc() -> None:
    moment = datetime(2025, 10, 1, 16, 32, 18, 999, tzinfo=timezone(timedelta(hours=2)))
    assert dump_lines(moment, "resolved_at") == ["resolved_at: 2025-10-01T14:32:18Z"]
    assert dump_lines(Stamp("2025-10-01T14:32:18Z"), "at") == ["at: 2025-10-01T14:32:18Z"]
    assert scalar_line(moment) == "2025-10-01T14:32:18Z"
    with pytest.raises(ValueError, match="canonical"):
        Stamp("2025-10-01 14:32")


@pytest.mark.parametrize(("value", "line"), [
    (None, "null"), ("yes", "'yes'"), ("P0", "P0"), ("a: b", "'a: b'"), ("# x", "'# x'"),
    ("---", "'---'"), ("...", "'...'"), ("2025-10-01T14:00:00Z", "'2025-10-01T14:00:00Z'"),
    ("café", "café"),
])
def test_scalars_that_yaml_would_misread_are_quoted(value: object, line: str) -> None:
    assert scalar_line(value) == line
    assert yaml.safe_load(f"k: {line}")["k"] == value


def test_several_lines_are_a_literal_block_or_refused_on_one_line() -> None:
    assert dump_lines("revert\nredeploy", "rollback_plan") == [
        "rollback_plan: |-", "  revert", "  redeploy"]
    assert dump_lines("ends in a break\n", "k") == ['k: "ends in a break\\n"']
    with pytest.raises(EditError, match="one YAML line"):
        scalar_line("revert\nredeploy")


def test_a_document_end_marker_is_never_written() -> None:
    assert dump_lines("plain") == ["plain"]
    assert "..." not in dump_lines(None)


def test_front_matter_block_with_comments_reads_back() -> None:
    block = front_matter_block({"id": "hotfix-001", "title": "Pool: exhausted # again",
                                "status": "investigating",
                                "incident_start": "2025-10-01T14:00:00Z",
                                "rollback_plan": None, "regression_tests": []},
                               {"rollback_plan": "read from the\nsection below"}, "\r\n")
    assert block.startswith(b"---\r\nid: hotfix-001\r\n")
    assert b"rollback_plan: null  # read from the section below\r\n" in block
    record, findings = parse_hotfix("hotfix.md", "", block + b"# Hotfix\r\n")
    assert not findings
    assert record.title == "Pool: exhausted # again" and record.regression_tests == []


@given(st.text(max_size=80))
def test_any_text_reads_back_as_itself(text: str) -> None:
    lines = dump_lines(text, "title")
    loaded = yaml.safe_load("\n".join(lines) + "\n")
    assert list(loaded) == ["title"]
    assert loaded["title"] == text or (loaded["title"] is None and text == "")


def test_utc_now_round_trips() -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    loaded = yaml.safe_load(dump_lines(now, "t")[0])["t"]
    assert loaded.replace(tzinfo=UTC) == now
