"""Look-alike keys: near misses and keys with invisible or look-alike
characters are named by the key they imitate; other keys are left alone."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hotfix_gates.parsing.hotfix import _KNOWN_KEYS, parse_hotfix
from hotfix_gates.parsing.lookalike import look_alike, shown

KNOWN = sorted(_KNOWN_KEYS)


@pytest.mark.parametrize(("key", "like"), [
    ("resolved-at", "resolved_at"), ("resolvedAt", "resolved_at"), ("Resolved_At", "resolved_at"),
    ("resolved_at ", "resolved_at"), (" resolved_at", "resolved_at"), ("reslved_at", "resolved_at"),
    ("resovled_at", "resolved_at"), ("resolved.at", "resolved_at"), ("RESOLVED_AT", "resolved_at"),
    ("st\u200batus", "status"), ("resolved\u200b_at", "resolved_at"), ("st\u0430tus", "status"),
    ("s\u0435verity", "severity"), ("depl\u043eyed_at", "deployed_at"),
    ("\uff53\uff54\uff41\uff54\uff55\uff53", "status"), ("\ufb06atus", "status"),
    ("\ufeffstatus", "status"), ("status\u0301", "status"), ("status\u00a0", "status"),
    ("status\ue000", "status"), ("\u3164status", "status"), ("stat\u03bfs", None),
    ("ID", "id"), ("Id", "id"), ("titel", "title"), ("state", "status"), ("severty", "severity"),
    ("regression_test", "regression_tests"), ("waiver", "waivers"), ("incidentStart",
                                                                    "incident_start"),
    ("rollback-plan", "rollback_plan"), ("reviewed-by", "reviewed_by"),
])
def test_look_alikes_name_the_key(key: str, like: str | None) -> None:
    found = look_alike(key, KNOWN)
    assert found is not None
    assert found.like == (like or found.like)
    assert found.message().startswith(f"key {shown(key)} ")


@pytest.mark.parametrize("key", [
    "team", "owner", "notes", "tags", "service", "component", "region", "customer_impact",
    "ticket", "links", "summary", "description", "impact", "environment", "labels", "priority",
    "incident_commander", "oncall", "root_cause", "duration", "version", "is", "to", "ok",
    "rollback", "reviewer", "deployment", "resolution", "\u62c5\u5f53",
    "\u0441\u0435\u0440\u0432\u0438\u0441", "regression_tests_added_at", *KNOWN,
])
def test_ordinary_keys_are_left_alone(key: str) -> None:
    assert look_alike(key, [*KNOWN, "regression_tests_added_at"]) is None


@pytest.mark.parametrize("key", ["te\u200bam", "own\u0435r", "\uff54\uff45\uff41\uff4d"])
def test_other_keys_with_invisible_or_look_alike_characters_are_named(key: str) -> None:
    found = look_alike(key, KNOWN)
    assert found is not None and found.like is None
    assert found.text() == (f"key {shown(key)} holds "
                            + ("invisible" if "\u200b" in key else "look-alike")
                            + " characters; write it in plain letters, or delete it")


def test_a_look_alike_key_is_hg001_and_kept() -> None:
    data = b"---\nid: hotfix-001\nresolved-at: 2025-10-01T16:00:00Z\nteam: payments\n---\n"
    record, findings = parse_hotfix("specs/hotfix/001-x/hotfix.md", "specs/hotfix/001-x", data)
    assert [(f.line, f.code, f.level.value, f.message, f.fix) for f in findings] == [
        (3, "HG001", "error", "key 'resolved-at' looks like resolved_at", "write resolved_at")]
    assert set(record.extra) == {"resolved-at", "team"}
    assert record.resolved_at is None


@given(st.text(max_size=80))
def test_any_key(key: str) -> None:
    found = look_alike(key, KNOWN)
    if found is not None:
        assert found.like in (None, *KNOWN)
        assert "\n" not in found.text() and len(found.text()) < 200


def test_long_keys_are_linear() -> None:
    started = time.perf_counter()
    for key in ("a" * 100_000, "\u200b" * 100_000, "\uff41" * 100_000, "status" * 20_000):
        look_alike(key, KNOWN)
    assert time.perf_counter() - started < 2
