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
from datetime import datetime
from typing import Any, TypeVar

from hotfix_gates import __version__
from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.finding import Finding, Level
from hotfix_gates.model.record import HotfixRecord, PostMortem, Section, Waiver

FORMAT = 4  # bump whenever what a parse yields changes (4: commented-out headings)
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
            except (KeyError, TypeError, ValueError):
                pass
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


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


_TIMES = ("incident_start", "detected_at", "deployed_at", "resolved_at")
_TEXTS = ("path", "folder", "number", "format", "id", "title", "branch", "severity", "status",
          "rollback_plan", "reviewed_by", "regression_tests", "lines", "front_matter_end",
          "body_line")


def _finding_to(f: Finding) -> list[object]:
    return [f.path, f.line, f.code, f.name, f.message, f.fix, f.level.value]


def _finding_from(row: list[Any]) -> Finding:
    path, line, code, name, message, fix, level = row
    return Finding(path, line, code, name, message, fix, Level(level))


def _record_to(record: HotfixRecord, findings: list[Finding]) -> dict[str, object]:
    data: dict[str, object] = {key: getattr(record, key) for key in _TEXTS}
    data.update({key: _time(getattr(record, key)) for key in _TIMES})
    data["invalid"] = sorted(record.invalid)
    data["waivers"] = [[w.gate, w.reason, w.by, _time(w.at), _time(w.until), w.line]
                       for w in record.waivers]
    data["findings"] = [_finding_to(f) for f in findings]
    return data


def _record_from(data: dict[str, Any]) -> RecordResult:
    record = HotfixRecord(path=data["path"], folder=data["folder"], number=data["number"])
    for key in _TEXTS:
        setattr(record, key, data[key])
    for key in _TIMES:
        setattr(record, key, _parse_time(data[key]))
    record.invalid = set(data["invalid"])
    record.waivers = [Waiver(gate, reason, by, _parse_time(at), _parse_time(until), line)
                      for gate, reason, by, at, until, line in data["waivers"]]
    return record, [_finding_from(row) for row in data["findings"]]


def _post_mortem_to(post: PostMortem | None, problem: str, line: int) -> dict[str, object]:
    if post is None:
        return {"post": None, "problem": problem, "line": line}
    # Keep only what the gates look at: where each required section is, and
    # whether it has real content.
    sections = {}
    for name in POST_MORTEM_SECTIONS:
        section = post.sections.get(name.lower())
        if section is not None:
            sections[name.lower()] = [section.title, section.line, post.is_filled(name)]
    return {"post": [post.path, post.status, post.status_line, sections],
            "problem": problem, "line": line}


def _post_mortem_from(data: dict[str, Any]) -> PostMortemResult:
    if data["post"] is None:
        return None, data["problem"], data["line"]
    path, status, status_line, sections = data["post"]
    post = PostMortem(path, status, status_line,
                      {key: Section(title, line, "")
                       for key, (title, line, _) in sections.items()},
                      filled={key: bool(filled) for key, (_, _, filled) in sections.items()})
    return post, data["problem"], data["line"]


def for_git_dir(git_dir: str) -> ParseCache:
    return ParseCache(os.path.join(git_dir, FILE))
