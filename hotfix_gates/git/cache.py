"""A cache of parsed records, keyed by git object id.

A record folder's content never changes under the same tree id (nor a test
file's under the same blob id), so a push that does not touch the records
re-uses what the last run parsed and pays only for the gates. It lives in
the git dir (`hotfix-gates/parse-cache.json`), holds only the entries the
last run used, and is best effort: an unreadable or unwritable cache is
ignored. Only commit trees have these ids: working-tree and index checks
are never cached.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from hotfix_gates import __version__
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem, Section, Waiver

FORMAT = 5  # bump whenever what a parse yields changes (5: whole records)
FILE = os.path.join("hotfix-gates", "parse-cache.json")

RecordResult = tuple[HotfixRecord, list[Finding]]
PostMortemResult = tuple[PostMortem | None, str, int]


T = TypeVar("T")


class ParseCache:
    """Memoised parse results by kind ("records", "post_mortems", "tests")."""

    KINDS = ("records", "post_mortems", "tests")

    def __init__(self, path: str) -> None:
        self.path = path
        self._old: dict[str, Any] | None = None
        self._new: dict[str, dict[str, Any]] = {kind: {} for kind in self.KINDS}
        self._dirty = False
        self._used: set[str] = set()  # kinds this run looked at

    def _load(self) -> dict[str, Any]:
        if self._old is None:
            self._old = {kind: {} for kind in self.KINDS}
            try:
                with open(self.path, encoding="utf-8") as handle:
                    data = json.load(handle)
                if (isinstance(data, dict) and data.get("format") == FORMAT
                        and data.get("version") == __version__):
                    # Only well-shaped kinds are used; anything else starts empty.
                    for kind in self.KINDS:
                        if isinstance(data.get(kind), dict):
                            self._old[kind] = data[kind]
            except (OSError, ValueError, AttributeError):
                pass
        return self._old

    def memo(self, kind: str, key: str, compute: Callable[[], T],
             dump: Callable[[T], Any], load: Callable[[Any], T], *,
             store: Callable[[], bool] | None = None) -> T:
        self._used.add(kind)
        # This run's own entries too: a push of many trees shares most folders.
        stored = self._new[kind].get(key)
        if stored is None:
            stored = self._load().get(kind, {}).get(key)
        if stored is not None:
            try:
                result = load(stored)
                self._new[kind][key] = stored
                return result
            except (KeyError, TypeError, ValueError, AttributeError):
                pass  # an entry of another shape: parse again
        result = compute()
        if store is None or store():
            self._new[kind][key] = dump(result)
            self._dirty = True
        return result

    def record(self, key: str, compute: Callable[[], RecordResult], *,
               store: Callable[[], bool] | None = None) -> RecordResult:
        return self.memo("records", key, compute, lambda r: _record_to(*r), _record_from,
                         store=store)

    def post_mortem(self, key: str, compute: Callable[[], PostMortemResult], *,
                    store: Callable[[], bool] | None = None) -> PostMortemResult:
        return self.memo("post_mortems", key, compute, lambda r: _post_mortem_to(*r),
                         _post_mortem_from, store=store)

    def save(self) -> None:
        old = self._load()
        unchanged = all(len(self._new[k]) == len(old.get(k, {})) for k in self._used)
        if not self._dirty and unchanged:
            return
        from hotfix_gates.editing.atomic import write_atomic

        # A kind this run never looked at (no post-mortem was due, say) is kept
        # as it was; a kind it used keeps only what it used.
        kept = {kind: self._new[kind] if kind in self._used else old.get(kind, {})
                for kind in self.KINDS}
        payload = {"format": FORMAT, "version": __version__, **kept}
        try:
            os.makedirs(os.path.dirname(self.path), exist_ok=True)
            write_atomic(self.path, json.dumps(payload, separators=(",", ":")).encode())
        except OSError:
            pass  # a read-only repository still gets a verdict


def _encode(value: Any) -> Any:
    """A parse result as JSON, every value kept: records and post-mortems come
    back whole (body, unknown keys, section text), so no reader of the cache
    can get less than a parse would give it."""
    if isinstance(value, Level):  # a str too: keep its type
        return {"$level": value.value}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {"$set": [_encode(item) for item in sorted(value, key=repr)]}
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if is_dataclass(value) and type(value).__name__ in _CLASSES:
        return {"$dc": type(value).__name__,
                **{f.name: _encode(getattr(value, f.name)) for f in fields(value)}}
    raise TypeError(f"cannot cache a {type(value).__name__}")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    if "$dt" in value:
        return datetime.fromisoformat(value["$dt"])
    if "$d" in value:
        return date.fromisoformat(value["$d"])
    if "$level" in value:
        return Level(value["$level"])
    if "$set" in value:
        return {_decode(item) for item in value["$set"]}
    if "$map" in value:
        return {_hashable(_decode(k)): _decode(v) for k, v in value["$map"]}
    cls = _CLASSES[value["$dc"]]
    return cls(**{name: _decode(item) for name, item in value.items() if name != "$dc"})


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


_CLASSES: dict[str, Any] = {cls.__name__: cls for cls in (HotfixRecord, PostMortem, Section,
                                                           Waiver, Finding)}


def _record_to(record: HotfixRecord, findings: list[Finding]) -> object:
    return _encode([record, findings])


def _record_from(data: Any) -> RecordResult:
    record, findings = _decode(data)
    if not isinstance(record, HotfixRecord):
        raise TypeError("not a record")
    return record, list(findings)


def _post_mortem_to(post: PostMortem | None, problem: str, line: int) -> object:
    return _encode([post, problem, line])


def _post_mortem_from(data: Any) -> PostMortemResult:
    post, problem, line = _decode(data)
    if post is not None and not isinstance(post, PostMortem):
        raise TypeError("not a post-mortem")
    return post, str(problem), int(line)


def for_git_dir(git_dir: str) -> ParseCache:
    return ParseCache(os.path.join(git_dir, FILE))
