"""Front matter values that say nothing.

`rollback_plan: TBD`, `reviewed_by: N/A`, `[ROLLBACK STEPS]` left from a
template, a dash, or a value made only of invisible characters (a zero-width
space, U+3164 HANGUL FILLER) must count as no value at all, or a gate would
pass on a placeholder. One pass over the value: no pattern can backtrack.
"""

from __future__ import annotations

import re

from hotfix_gates.parsing.lookalike import hidden

# Words that hold a place rather than say something, compared case-folded.
PLACEHOLDER_WORDS = frozenset({
    "tbd", "tba", "tbc", "todo", "fixme", "xxx", "n/a", "na", "none", "null", "nil",
    "nothing", "pending", "placeholder", "unknown", "unset", "empty",
})
_WORD = re.compile(r"[^\W_]+(?:/[^\W_]+)?")
_WRAPPERS = (("[", "]"), ("{{", "}}"), ("<", ">"))


def visible(text: str) -> str:
    """`text` without its invisible characters, its whitespace collapsed."""
    if not text.isascii():
        text = "".join(" " if hidden(c) or c.isspace() else c for c in text)
    elif not text.isprintable():
        text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())


def says_nothing(text: str) -> bool:
    """True for a value that is empty once invisible characters are set
    aside, only punctuation, a template placeholder (`[ROLLBACK STEPS]`,
    `{{rollback_plan}}`, `<name>`), or only placeholder words (TBD, TODO,
    N/A, none)."""
    seen = visible(text)
    if not any(c.isalnum() for c in seen):
        return True
    for opening, closing in _WRAPPERS:
        if (seen.startswith(opening) and seen.endswith(closing)
                and opening not in seen[len(opening):] and "@" not in seen):
            return True
    words = _WORD.findall(seen.casefold())
    return all(word in PLACEHOLDER_WORDS for word in words)
