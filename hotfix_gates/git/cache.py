"""A cache of parse results, keyed by git object id.

A record folder's content never changes under the same tree id (nor a test
file's under the same blob id), so a push that does not touch the records
re-uses what the last run parsed and pays only for the gates. Results are
kept whole (a record with its body and unknown keys, a post-mortem with its
section text), so no reader of the cache gets less than a parse gives.

It lives in the git dir (`hotfix-gates/parse-cache.pickle`), holds the
entries the last run used (and, for some kinds, a bounded number of those
earlier runs used: see KEPT_ACROSS_RUNS), and is best effort: an unreadable, foreign or
unwritable cache is ignored. It is read with an unpickler that builds only
our record types and the standard library's dates: a file planted there
cannot run code. Only trees with object ids (commits, pushed trees) are
cached; the working tree never is.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import os
import pickle
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from hotfix_gates import __version__
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding
from hotfix_gates.model.record import HotfixRecord, PostMortem

FORMAT = 7  # the layout of the file (7: whole results, each rebuilt by its constructor)
FILE = os.path.join("hotfix-gates", "parse-cache.pickle")
# What a parse yields is decided by these folders' code (git/: how a tree is
# read, which entries are flaws): the cache is keyed by their files' names,
# sizes and modification times (as Python keys its byte code), so a change to
# a reader is never served stale results, and no run reads or hashes the code.
READERS = ("model", "parsing", "gates", "git")
PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

RecordResult = tuple[HotfixRecord, list[Finding]]
PostMortemResult = tuple[PostMortem | None, str, int]
T = TypeVar("T")

# What the cache may hold: our record types, dates, and plain containers.
_ALLOWED = {
    ("hotfix_gates.model.record", "HotfixRecord"), ("hotfix_gates.model.record", "PostMortem"),
    ("hotfix_gates.model.record", "Section"), ("hotfix_gates.model.record", "Waiver"),
    ("hotfix_gates.model.finding", "Finding"), ("hotfix_gates.model.finding", "Level"),
    ("hotfix_gates.model.config", "Config"),
    ("datetime", "datetime"), ("datetime", "date"), ("datetime", "timezone"),
    ("datetime", "timedelta"), ("builtins", "set"), ("builtins", "frozenset"),
    ("copyreg", "_reconstructor"), ("builtins", "object"),
}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in the cache")
        return super().find_class(module, name)


class ParseCache:
    """Memoised parse results by kind ("records", "post_mortems", "tests",
    "configs": a configuration by its blob id, so a warm hook loads no YAML;
    "encodings": whether a tree id's bytes are as git writes them; "settled":
    records judged clean for good, see gates.settled)."""

    KINDS = ("records", "post_mortems", "tests", "configs", "encodings", "settled")
    # Kinds that keep, beside what the last run used, up to a bound of what
    # earlier runs used (the most recent last): pushes to main and to a
    # release branch compare with different targets, and would otherwise
    # rewrite the cache each time, each dropping what the other needs.
    # Post-mortems and tests too: a run that serves settled records reads
    # those of the few others only. The bound grows with the records a run
    # reads, so a big repository keeps all of its own.
    KEPT_ACROSS_RUNS = (("post_mortems", 1024), ("tests", 1024), ("encodings", 512),
                        ("settled", 4096))

    def __init__(self, path: str) -> None:
        self.path = path
        self._old: dict[str, dict[str, Any]] | None = None
        self._new: dict[str, dict[str, Any]] = {kind: {} for kind in self.KINDS}
        self._dirty = False
        self._used: set[str] = set()  # kinds this run looked at

    def _load(self) -> dict[str, dict[str, Any]]:
        if self._old is None:
            self._old = {kind: {} for kind in self.KINDS}
            try:
                with open(self.path, "rb") as handle, _no_collection():
                    data = _Unpickler(handle).load()
            except (OSError, EOFError, ValueError, TypeError, AttributeError, ImportError,
                    IndexError, KeyError, MemoryError, RecursionError, pickle.PickleError):
                return self._old
            if (isinstance(data, dict) and data.get("format") == FORMAT
                    and data.get("version") == __version__
                    and data.get("readers") == readers_stamp()):
                for kind in self.KINDS:  # only well-shaped kinds; anything else starts empty
                    if isinstance(data.get(kind), dict):
                        self._old[kind] = data[kind]
        return self._old

    def memo(self, kind: str, key: str, compute: Callable[[], T],
             valid: Callable[[object], T | None], *,
             store: Callable[[], bool] | None = None) -> T:
        """The result for `key`: the stored one when `valid` accepts it, else computed."""
        found = self.lookup(kind, key, valid)
        if found is not None:
            return found
        result = compute()
        if store is None or store():
            self._new[kind][key] = result
            self._dirty = True
        return result

    def lookup(self, kind: str, key: str, valid: Callable[[object], T | None]) -> T | None:
        """The stored result for `key` when `valid` accepts it, else None."""
        self._used.add(kind)
        # This run's own entries too: a push of many trees shares most folders.
        stored = self._new[kind].get(key)
        if stored is None:
            stored = self._load()[kind].get(key)
        found = valid(stored) if stored is not None else None
        if found is not None:
            self._new[kind][key] = found
        return found

    def put(self, kind: str, key: str, result: object) -> None:
        """Store `result` under `key`, replacing what was there."""
        self._used.add(kind)
        if self._new[kind].get(key) != result:
            self._new[kind][key] = result
            self._dirty = True

    def knows(self, kind: str, key: str) -> bool:
        """Whether a result is stored under `key`: only results that their key
        pins are (a symlinked record's is not)."""
        return key in self._new[kind] or key in self._load().get(kind, {})

    def record(self, key: str, compute: Callable[[], RecordResult], *,
               store: Callable[[], bool] | None = None) -> RecordResult:
        return self.memo("records", key, compute, _record, store=store)

    def post_mortem(self, key: str, compute: Callable[[], PostMortemResult], *,
                    store: Callable[[], bool] | None = None) -> PostMortemResult:
        return self.memo("post_mortems", key, compute, _post_mortem, store=store)

    def config(self, key: str, compute: Callable[[], Config]) -> Config:
        return self.memo("configs", key, compute, _config)

    def save(self) -> None:
        old = self._load()
        unchanged = all(len(self._new[k]) == len(old.get(k, {})) for k in self._used
                        if k not in dict(self.KEPT_ACROSS_RUNS))
        if not self._dirty and unchanged:
            return
        # A kind this run never looked at (no post-mortem was due, say) is kept
        # as it was; a kind it used keeps what it used (and, if kept across
        # runs, a bounded number of others).
        kept = {kind: self._new[kind] if kind in self._used else old.get(kind, {})
                for kind in self.KINDS}
        records = len(self._new["records"])
        for kind, least in self.KEPT_ACROSS_RUNS:
            if kind not in self._used:
                continue
            bound = max(least, 2 * records)
            others = [(k, v) for k, v in old.get(kind, {}).items() if k not in self._new[kind]]
            kept[kind] = dict(others[-bound:]) | self._new[kind]
        payload = {"format": FORMAT, "version": __version__, "readers": readers_stamp(),
                   **kept}
        temporary = ""
        try:
            data = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            folder = os.path.dirname(self.path)
            os.makedirs(folder, exist_ok=True)
            # Whole or not at all: a torn file would only be ignored, but two
            # hooks may write at once.
            import tempfile  # only when something changed: most runs never write

            fd, temporary = tempfile.mkstemp(prefix=".parse-cache.", dir=folder)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, self.path)
        except (OSError, pickle.PickleError, TypeError, RecursionError):
            if temporary:  # a read-only repository still gets a verdict
                with contextlib.suppress(OSError):
                    os.unlink(temporary)


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """The garbage collector paused: a load creates tens of thousands of
    objects, none of them garbage, and the collections it set off (each
    visiting everything loaded so far) took a third of the load's time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _record(found: object) -> RecordResult | None:
    if (isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], HotfixRecord)
            and isinstance(found[1], list) and all(isinstance(f, Finding) for f in found[1])):
        return found[0], found[1]
    return None


def _config(found: object) -> Config | None:
    return found if isinstance(found, Config) else None


def _post_mortem(found: object) -> PostMortemResult | None:
    if (isinstance(found, tuple) and len(found) == 3
            and (found[0] is None or isinstance(found[0], PostMortem))
            and isinstance(found[1], str) and isinstance(found[2], int)):
        return found[0], found[1], found[2]
    return None


@functools.cache
def readers_stamp(package: str = PACKAGE) -> str:
    """Each reader file's name, size and modification time, in one string."""
    parts = []
    for folder in READERS:
        with os.scandir(os.path.join(package, folder)) as found:
            for entry in sorted(found, key=lambda e: e.name):
                if entry.name.endswith(".py"):
                    stat = entry.stat()
                    parts.append(f"{folder}/{entry.name}:{stat.st_size}:{stat.st_mtime_ns}")
    return "\n".join(parts)


def for_git_dir(git_dir: str) -> ParseCache:
    return ParseCache(os.path.join(git_dir, FILE))
