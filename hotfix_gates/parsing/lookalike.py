"""Keys that are not what they seem.

A key that is a near miss of a known one (`resolved-at`, `resolvedAt`,
`Resolved_At`, `reslved_at`) or that carries invisible or look-alike
characters (a zero-width space, a Cyrillic a, fullwidth letters) would
otherwise be kept as an unknown key and ignored, while its author believes
the known key is set. Readers refuse such keys and name the key they look
like. Everything here is linear in the key's length.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from hotfix_gates.parsing.frontmatter import FILLERS  # letters that draw as blank space

# Categories that render as nothing or as a mark on the letter before:
# format (zero-width space, joiners, direction marks), control, private
# use, surrogates, unassigned, combining marks and spaces other than " ".
_HIDDEN_CATEGORIES = frozenset({"Cf", "Cc", "Co", "Cs", "Cn", "Mn", "Me", "Zs", "Zl", "Zp"})
# Letters of other scripts drawn like Latin ones: Cyrillic, Greek, a dotless
# i and Armenian (written escaped: on screen they pass for what they map to).
_CONFUSABLE = str.maketrans(
    "\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421\u0422\u0425"
    "\u0423\u0405\u0406\u0408\u051a\u051c\u04ba\u04c0\u0430\u0435\u043e"
    "\u0440\u0441\u0443\u0445\u0455\u0456\u0458\u0501\u051b\u051d\u04bb"
    "\u04cf\u050d\u0391\u0392\u0395\u0396\u0397\u0399\u039a\u039c\u039d"
    "\u039f\u03a1\u03a4\u03a5\u03a7\u03b1\u03b9\u03ba\u03bd\u03bf\u03c1"
    "\u03c4\u03c5\u03c7\u03f2\u03f3\u0131\u0585\u057d\u0581\u0570\u0578",
    "ABEKMHOPCTXYSIJQWHIaeopcyxsijdqwhlgABEZHIKMNOPTYXaikvoptuxcjioughn",
)
_DROP_SEPARATORS = str.maketrans("", "", "-_. ")
_LONGEST = 64  # keys longer than this are compared by folding only
SHOWN = 60  # characters of a bad key or value quoted in a message


def hidden(char: str) -> bool:
    """A character that is not seen, or not seen as itself, in a key."""
    if char == " ":
        return False
    return char in FILLERS or unicodedata.category(char) in _HIDDEN_CATEGORIES


def odd(key: str) -> bool:
    """The key holds invisible characters, compatibility forms (fullwidth
    letters, ligatures) or letters of another script mixed with Latin ones."""
    if key.isascii():
        return False
    if any(hidden(c) for c in key) or unicodedata.normalize("NFKC", key) != key:
        return True
    has_latin = any(c.isascii() and c.isalpha() for c in key)
    return has_latin and key.translate(_CONFUSABLE) != key


def fold(key: str) -> str:
    """The key as it reads: compatibility forms and look-alikes turned into
    Latin letters, invisible characters, case and separators dropped."""
    text = unicodedata.normalize("NFKC", key) if not key.isascii() else key
    if not text.isascii():
        text = "".join(c for c in text.translate(_CONFUSABLE) if not hidden(c))
    return text.casefold().translate(_DROP_SEPARATORS)


def _distance(a: str, b: str, limit: int) -> int:
    """Edit distance (a swap of neighbours counts once), or limit + 1 when
    it is larger than `limit`. Only cells within `limit` of the diagonal are
    computed: the work is len(a) * (2 * limit + 1)."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    over = limit + 1
    before: dict[int, int] = {}
    row = {j: j for j in range(min(len(b), limit) + 1)}
    for i in range(1, len(a) + 1):
        current = {0: i} if i <= limit else {}
        for j in range(max(1, i - limit), min(len(b), i + limit) + 1):
            cost = a[i - 1] != b[j - 1]
            best = min(row.get(j, over) + 1, current.get(j - 1, over) + 1,
                       row.get(j - 1, over) + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                best = min(best, before.get(j - 2, over) + 1)
            current[j] = min(best, over)
        if min(current.values(), default=over) > limit:
            return over
        before, row = row, current
    return min(row.get(len(b), over), over)


def _allowed(folded_known: str) -> int:
    """How many edits still make a near miss: none for short keys (`id`
    would match half the two-letter words), one up to five letters."""
    if len(folded_known) <= 3:
        return 0
    return 1 if len(folded_known) <= 5 else 2


@functools.lru_cache(maxsize=16)
def _folded(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The known keys with their folded forms (a reader asks with the same few sets)."""
    return tuple((name, fold(name)) for name in names)


@dataclass(frozen=True, slots=True)
class LookAlike:
    key: str
    like: str | None  # the known key it looks like, if any
    odd: bool  # it holds invisible or look-alike characters

    def message(self, what: str = "key") -> str:
        name = f"{what} {shown(self.key)}"
        chars = ("invisible characters" if any(hidden(c) for c in self.key)
                 else "look-alike characters")
        if self.like is None:
            return f"{name} holds {chars}"
        return f"{name} looks like {self.like}" + (f" ({chars})" if self.odd else "")

    def fix(self) -> str:
        if self.like is not None:
            return f"write {self.like}"
        return "write it in plain letters, or delete it"

    def text(self, what: str = "key") -> str:
        return f"{self.message(what)}; {self.fix()}"


def look_alike(key: str, known: Iterable[str]) -> LookAlike | None:
    """How `key` imitates one of `known`, or None when it is known itself or
    plainly different."""
    names = tuple(known)
    if key in names:
        return None
    if len(key) <= _LONGEST:
        return _short_look_alike(key, names)  # records of a repository share their keys
    return _look_alike(key, names)


@functools.lru_cache(maxsize=4096)
def _short_look_alike(key: str, names: tuple[str, ...]) -> LookAlike | None:
    return _look_alike(key, names)


def _look_alike(key: str, names: tuple[str, ...]) -> LookAlike | None:
    folded = fold(key)
    best: tuple[int, str] | None = None
    if len(folded) <= _LONGEST:
        for name, target in _folded(names):
            limit = _allowed(target)
            if abs(len(folded) - len(target)) > limit:
                continue
            distance = 0 if folded == target else _distance(folded, target, limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, name)
    strange = odd(key)
    if best is None and not strange:
        return None
    return LookAlike(key, best[1] if best else None, strange)


def shown(value: object, *, quote: bool = True) -> str:
    """A key or value for a one-line message: about SHOWN characters at
    most, with characters that hide or pose as others escaped (so a
    Cyrillic a or a zero-width space is seen for what it is)."""
    text = str(value)
    if text.isascii() and text.isprintable() and len(text) <= SHOWN:
        return f"'{text}'" if quote else text
    out: list[str] = []
    size = 0
    for char in text:
        piece = _escape(char) if _posing(char) else char
        if size + len(piece) > SHOWN:
            out.append("...")
            break
        out.append(piece)
        size += len(piece)
    cut = "".join(out)
    return f"'{cut}'" if quote else cut


def _posing(char: str) -> bool:
    if char.isascii():
        return not char.isprintable()
    return (not char.isprintable() or hidden(char) or char.translate(_CONFUSABLE) != char
            or unicodedata.normalize("NFKC", char) != char)


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"
