"""The slug of design.md section 2: examples, acronyms, the 3-or-4 rule, odd input."""

from __future__ import annotations

import re

import pytest

from hotfix_gates.editing.slug import FALLBACK, MAX_LENGTH, STOP_WORDS, slug_words, slugify

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


@pytest.mark.parametrize(("description", "expected"), [
    # the design's example
    ("database connection pool exhausted causing 503 errors", "database-connection-pool"),
    # exactly four words left: all four are kept
    ("payment webhook signature mismatch", "payment-webhook-signature-mismatch"),
    ("Fix the payment webhook signature mismatch", "fix-payment-webhook"),
    # stop words and short lower-case words go
    ("I want to fix the login for our users", "fix-login-users"),
    ("is it up or is it down", "down"),
    # acronyms written in capitals are kept, lower-cased
    ("DB failover broken", "db-failover-broken"),
    ("UI is blank on iOS", "ui-blank-ios"),
    ("5G modem drops", "5g-modem-drops"),
    ("db failover broken", "failover-broken"),
    # a capital stop word is still a stop word; a lone capital is an acronym
    ("A plan B rollout", "plan-b-rollout"),
    # every non [a-z0-9] separates words
    ("checkout_api/v2: 500s", "checkout-api-500s"),
    ("EU-west (DNS)", "eu-west-dns"),
    ("\u202e\u2066evil\u2069 override", "evil-override"),
    ("café crashes", "caf-crashes"),
    ("Database CONNECTION Pool", "database-connection-pool"),
])
def test_examples(description: str, expected: str) -> None:
    assert slugify(description) == expected


def test_stop_words_are_the_design_list() -> None:
    design = ("a, an, the, to, for, of, in, on, at, by, with, from, is, are, was, were, be, "
              "been, being, have, has, had, do, does, did, will, would, should, could, can, "
              "may, might, must, shall, this, that, these, those, my, your, our, their, want, "
              "need, add, get, set, i")
    assert set(design.split(", ")) == STOP_WORDS
    assert slug_words(" ".join(sorted(STOP_WORDS))) == []


@pytest.mark.parametrize("description", [
    "", "   ", "\n\t", "🔥🔥🔥", "の データベース が 落ちた", "قاعدة البيانات معطلة",
    "מסד הנתונים נפל", "\u202e\u200f", "a an the", "to of in", "x y z", "1 2 3",
])
def test_nothing_left_gives_incident(description: str) -> None:
    assert slugify(description) == FALLBACK


def test_newlines_and_yaml_are_separators() -> None:
    assert slugify("pool\nexhausted\r\nseverity: P0\n---") == "pool-exhausted-severity-p0"
    assert slugify("pool\nexhausted\r\nseverity: p0\n---\nid: x") == "pool-exhausted-severity"


@pytest.mark.parametrize("description", [
    "x" * 10_000,
    "word " * 2_000,
    "🔥" * 10_000,
    ("averyveryverylongwordindeed " * 3),
    "a-" * 5_000,
    "\x00\x01\x1b[31mred\x1b[0m",
    "../../etc/passwd",
    "refs/heads/main..HEAD@{1}~^:?*[",
])
def test_odd_input_stays_a_short_clean_slug(description: str) -> None:
    slug = slugify(description)
    assert SLUG.fullmatch(slug), slug
    assert 1 <= len(slug) <= MAX_LENGTH


def test_long_words_are_cut_at_a_word_boundary() -> None:
    slug = slugify("a" * 30 + " " + "b" * 30 + " " + "c" * 30)
    assert slug == "a" * 30  # the second word would pass MAX_LENGTH
    assert slugify("z" * 500) == "z" * MAX_LENGTH
