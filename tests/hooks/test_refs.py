"""The ref lines of pre-push and pre-receive, and the per-ref decision (pure)."""

from __future__ import annotations

import pytest

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.refs import (
    DELETED,
    HOTFIX,
    OTHER,
    PROTECTED,
    TAG,
    RefLineError,
    Update,
    decide,
    parse_push_lines,
    parse_receive_lines,
)

A = "a" * 40
B = "b" * 40
Z = "0" * 40
A256 = "a" * 64
Z256 = "0" * 64


def test_push_line_update_of_an_existing_branch() -> None:
    [update] = parse_push_lines(f"refs/heads/main {A} refs/heads/main {B}\n")
    assert update == Update("refs/heads/main", B, A, "refs/heads/main")
    assert update.name == "main" and update.branch == "main"


def test_push_line_new_branch_and_deletion() -> None:
    new, gone = parse_push_lines(
        f"refs/heads/x {A} refs/heads/hotfix/001-x {Z}\n(delete) {Z} refs/heads/old {B}\n")
    assert new.old is None and new.new == A
    assert gone.new is None and gone.old == B and gone.source == "(delete)"


def test_push_line_the_remote_ref_decides() -> None:
    [update] = parse_push_lines(f"refs/heads/hotfix/001-x {A} refs/heads/main {B}")
    assert update.ref == "refs/heads/main"
    assert decide(update).kind == PROTECTED


def test_push_line_detached_head_and_local_names_with_spaces() -> None:
    detached, spaced = parse_push_lines(
        f"HEAD {A} refs/heads/main {Z}\nmain@{{1 day ago}} {B} refs/heads/feature {Z}\r\n")
    assert detached.source == "HEAD" and detached.ref == "refs/heads/main"
    assert spaced.source == "main@{1 day ago}" and spaced.new == B


def test_sha256_ids_and_their_zero_id() -> None:
    created, deleted = parse_push_lines(
        f"refs/heads/main {A256} refs/heads/main {Z256}\n"
        f"(delete) {Z256} refs/heads/x {A256}\n")
    assert created.new == A256 and created.old is None
    assert deleted.new is None
    [received] = parse_receive_lines(f"{Z256} {A256} refs/heads/main\n")
    assert received.old is None and received.new == A256


def test_upper_case_ids_are_read_as_lower_case() -> None:
    [update] = parse_receive_lines(f"{B.upper()} {A.upper()} refs/heads/main")
    assert update.new == A and update.old == B


def test_empty_input_and_blank_lines_mean_no_updates() -> None:
    assert parse_push_lines("") == []
    assert parse_receive_lines("\n\n  \n") == []


def test_receive_lines() -> None:
    lines = f"{Z} {A} refs/heads/new\n{A} {Z} refs/heads/gone\n{A} {B} refs/tags/v1\n"
    new, gone, tag = parse_receive_lines(lines)
    assert (new.old, new.new, new.ref) == (None, A, "refs/heads/new")
    assert gone.new is None
    assert decide(tag).kind == TAG


@pytest.mark.parametrize("line, fragment", [
    ("garbage", "expected '<local ref> <local id> <remote ref> <remote id>'"),
    (f"refs/heads/main {A} refs/heads/main", "expected"),
    (f"refs/heads/main xyz refs/heads/main {B}", "local id 'xyz' is not an object id"),
    (f"refs/heads/main {A} refs/heads/main {B[:39]}", "remote id"),
    (f"refs/heads/main {A} main {B}", "'main' is not a full ref name"),
    (f"refs/heads/main {A}0 refs/heads/main {B}", "is not an object id"),
])
def test_malformed_push_lines_are_one_clear_error(line: str, fragment: str) -> None:
    with pytest.raises(RefLineError) as caught:
        parse_push_lines(f"refs/heads/ok {A} refs/heads/ok {B}\n{line}\n")
    message = str(caught.value)
    assert message.startswith("stdin line 2: ")
    assert fragment in message and "\n" not in message


@pytest.mark.parametrize("line, fragment", [
    (f"{A} {B}", "expected '<old id> <new id> <ref>'"),
    (f"{A} {B} refs/heads/x extra", "expected"),
    (f"{Z} {Z} refs/heads/x", "both ids are zero"),
    (f"{A} nope refs/heads/x", "new id 'nope'"),
    (f"{A} {B} refs/", "not a full ref name"),
])
def test_malformed_receive_lines_are_one_clear_error(line: str, fragment: str) -> None:
    with pytest.raises(RefLineError, match=r"^stdin line 1: ") as caught:
        parse_receive_lines(line)
    assert fragment in str(caught.value)


def test_is_zero() -> None:
    assert refs.is_zero(Z) and refs.is_zero(Z256)
    assert not refs.is_zero(A) and not refs.is_zero("") and not refs.is_zero("0" * 39 + "1")


@pytest.mark.parametrize("ref, kind, number", [
    ("refs/heads/main", PROTECTED, None),
    ("refs/heads/master", PROTECTED, None),
    ("refs/heads/release/2.4", PROTECTED, None),
    ("refs/heads/production", PROTECTED, None),
    ("refs/heads/hotfix/001-database-pool", HOTFIX, 1),
    ("refs/heads/hotfix/1042-big-number", HOTFIX, 1042),
    ("refs/heads/hotfix/001-", HOTFIX, 1),
    ("refs/heads/hotfix/no-number", OTHER, None),
    ("refs/heads/hotfix/001", OTHER, None),
    ("refs/heads/hotfix/0000000000000000000042-x", HOTFIX, 42),
    ("refs/heads/hotfix/" + "9" * 19 + "-x", OTHER, None),
    ("refs/heads/hotfix/" + "9" * 5000 + "-x", OTHER, None),
    ("refs/heads/feature/login", OTHER, None),
    ("refs/heads/mainline", OTHER, None),
    ("refs/heads/release", OTHER, None),
    ("refs/tags/v1.0", TAG, None),
    ("refs/notes/commits", OTHER, None),
    ("refs/pull/7/head", OTHER, None),
])
def test_decide_by_the_updated_ref(ref: str, kind: str, number: int | None) -> None:
    decision = decide(Update(ref, B, A))
    assert (decision.kind, decision.number) == (kind, number)
    assert decision.judged == (kind in (PROTECTED, HOTFIX))


def test_new_branches_are_decided_like_existing_ones() -> None:
    assert decide(Update("refs/heads/main", None, A)).kind == PROTECTED
    assert decide(Update("refs/heads/hotfix/002-x", None, A)).number == 2


def test_deletion_passes_even_for_protected_branches() -> None:
    decision = decide(Update("refs/heads/main", A, None))
    assert decision.kind == DELETED and not decision.judged


def test_configured_globs_decide_what_is_protected() -> None:
    globs = ("develop", "stable/*")
    assert decide(Update("refs/heads/develop", B, A), globs).kind == PROTECTED
    assert decide(Update("refs/heads/stable/1", B, A), globs).kind == PROTECTED
    assert decide(Update("refs/heads/main", B, A), globs).kind == OTHER
    # protected wins over the hotfix pattern when both match
    assert decide(Update("refs/heads/hotfix/001-x", B, A), ("hotfix/*",)).kind == PROTECTED


def test_unknown_target_is_judged_as_protected() -> None:
    decision = decide(Update(None, None, "HEAD"))
    assert decision.kind == PROTECTED


def test_needs_config_only_for_branches_that_receive_a_commit() -> None:
    assert refs.needs_config(Update("refs/heads/feature", None, A))
    assert refs.needs_config(Update(None, None, A))
    assert not refs.needs_config(Update("refs/heads/main", A, None))
    assert not refs.needs_config(Update("refs/tags/v1", None, A))
    assert not refs.needs_config(Update("refs/notes/x", None, A))


def test_full_ref() -> None:
    assert refs.full_ref("main") == "refs/heads/main"
    assert refs.full_ref("refs/heads/x") == "refs/heads/x"


def test_update_names_for_messages() -> None:
    assert Update("refs/heads/release/1", None, A).name == "release/1"
    assert Update("refs/tags/v1", None, A).name == "v1"
    assert Update("refs/notes/x", None, A).name == "refs/notes/x"
    assert Update(None, None, A, "refs/heads/x").name == "refs/heads/x"
    assert Update("refs/heads/a", None, A) == Update("refs/heads/a", None, A)
    assert hash(Update("refs/heads/a", None, A)) == hash(Update("refs/heads/a", None, A))
    assert "refs/heads/a" in repr(Update("refs/heads/a", None, A))
