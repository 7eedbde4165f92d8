"""Values that mean nothing count as nothing."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix_gates.parsing.hotfix import parse_hotfix
from hotfix_gates.parsing.values import says_nothing, visible

PATH, FOLDER = "specs/hotfix/001-x/hotfix.md", "specs/hotfix/001-x"


@pytest.mark.parametrize("value", [
    "", "TBD", "tbd", "TODO", "N/A", "n/a", "-", "--", "none", "None", "...", "\u2026", "?",
    "[ROLLBACK STEPS]", "[Rollback plan here]", "{{rollback_plan}}", "<your name>", "\u200b",
    "\u3164", "\u200b \u3164\u00a0", "\x07\x1b", "TBD.", "(TBD)", "TODO: TBD", "n/a - tbd",
    "**TBD**", "`TODO`",
])
def test_says_nothing(value: str) -> None:
    assert says_nothing(value)


@pytest.mark.parametrize("value", [
    "git revert abc123", "revert", "Ana Lima <ana@example.com>", "x", "0", "feature flag off",
    "TBD: revert the deploy", "[revert](https://example.com/runbook)", "<ana@example.com>",
    "\u56de\u6eda", "caf\u00e9",
])
def test_says_something(value: str) -> None:
    assert not says_nothing(value)


def test_visible_drops_invisible_characters() -> None:
    assert visible(" a\u200bb \u3164 c\t\n") == "a b c"


@pytest.mark.parametrize(("key", "value", "fires"), [
    ("rollback_plan", "TBD", "rollback_plan"), ("rollback_plan", "'[ROLLBACK STEPS]'",
                                                 "rollback_plan"),
    ("reviewed_by", "N/A", "reviewed_by"), ("rollback_plan", "git revert abc", None),
])
def test_placeholders_read_as_no_value(key: str, value: str, fires: str | None) -> None:
    record, findings = parse_hotfix(PATH, FOLDER, f"---\n{key}: {value}\n---\n".encode())
    assert findings == []
    assert (getattr(record, key) is None) == (fires is not None)


@pytest.mark.parametrize("key", ["title", "id", "branch"])
def test_invisible_names_are_invalid(key: str) -> None:
    record, findings = parse_hotfix(PATH, FOLDER,
                                    f'---\n{key}: "\\u200b\\x07"\n---\n'.encode())
    assert getattr(record, key) is None and key in record.invalid
    assert [(f.line, f.message) for f in findings] == [(2, f"{key} has no visible characters")]


@given(st.text(max_size=60))
def test_any_text(text: str) -> None:
    assert says_nothing(text) == says_nothing(visible(text))


def test_linear() -> None:
    started = time.perf_counter()
    for text in ("[" * 100_000, "TBD " * 25_000, "a/" * 50_000, "\u200b" * 100_000,
                 "<" + "x" * 100_000 + ">"):
        says_nothing(text)
    assert time.perf_counter() - started < 2
