"""The short name of a record, from its description (design.md section 2)."""

from __future__ import annotations

import re

STOP_WORDS = frozenset((
    "a", "an", "the", "to", "for", "of", "in", "on", "at", "by", "with", "from", "is", "are",
    "was", "were", "be", "been", "being", "have", "has", "had", "do", "does", "did", "will",
    "would", "should", "could", "can", "may", "might", "must", "shall", "this", "that",
    "these", "those", "my", "your", "our", "their", "want", "need", "add", "get", "set", "i",
))

FALLBACK = "incident"
MAX_LENGTH = 60  # a slug is part of a branch and folder name; a whole paragraph is not
_WORD = re.compile(r"[A-Za-z0-9]+")  # every other character separates words


def slug_words(description: str) -> list[str]:
    """The kept words, in order: stop words dropped, and words shorter than
    three characters dropped unless written in capitals (DB, UI, 5G)."""
    kept = []
    for word in _WORD.findall(description):
        lower = word.lower()
        if lower in STOP_WORDS:
            continue
        if len(word) < 3 and not word.isupper():
            continue
        kept.append(lower)
    return kept


def slugify(description: str) -> str:
    """`database connection pool exhausted causing 503 errors` ->
    `database-connection-pool`: the first three kept words (all four when
    exactly four remain), else `incident`. Always [a-z0-9-], never empty."""
    words = slug_words(description)
    words = words if len(words) == 4 else words[:3]
    if not words:
        return FALLBACK
    if len(words[0]) > MAX_LENGTH:
        return words[0][:MAX_LENGTH]
    slug = words[0]
    for word in words[1:]:
        if len(slug) + 1 + len(word) > MAX_LENGTH:
            break
        slug = f"{slug}-{word}"
    return slug


slug = slugify
