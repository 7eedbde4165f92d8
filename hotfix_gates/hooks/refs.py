"""The ref lines git hands to pre-push and pre-receive, and what each update needs.

Pure and standard-library only: the hooks decide from ref names alone
whether a push needs judging before they load pygit2.

- pre-push stdin: `<local ref> <local id> <remote ref> <remote id>` per ref;
- pre-receive stdin: `<old id> <new id> <ref>` per ref.

An id of all zeros (40 hex digits for SHA-1, 64 for SHA-256) means the ref is
created (old) or deleted (new). The ref that decides is the one being
updated: for pre-push the REMOTE ref, so `git push origin hotfix/001-x:main`
is a push to main.
"""

from __future__ import annotations

import re
from fnmatch import fnmatchcase

from hotfix_gates.model.constants import DEFAULT_PROTECTED, HOTFIX_BRANCH
from hotfix_gates.model.errors import ToolError

TYPE_CHECKING = False  # `typing` costs the quick path a few milliseconds
if TYPE_CHECKING:
    from typing import TextIO

_OID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")

# What an update needs (Decision.kind).
DELETED = "deleted"
TAG = "tag"
OTHER = "other"
PROTECTED = "protected"
HOTFIX = "hotfix"
# The server's default branch when it is not protected: its configuration
# judges the branches a push creates, so only the rules it brings are judged.
RULES = "rules"


class RefLineError(ToolError):
    """A line on stdin that is not what git writes; the message is one line."""


class _Value:
    """A small immutable record (dataclasses would cost the quick path an
    import of `inspect`)."""

    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__slots__)
        return f"{type(self).__name__}({fields})"


class Update(_Value):
    """One ref update: `ref` is the ref being changed (None when unknown, as
    when pre-commit runs the hook by hand), `old` is None when it is created,
    `new` is None when it is deleted. `new` is a full object id, except under
    pre-commit, which may name the local ref instead. `source` is the local
    ref (pre-push) for messages."""

    __slots__ = ("new", "old", "ref", "source")

    def __init__(self, ref: str | None, old: str | None, new: str | None,
                 source: str = "") -> None:
        self.ref = ref
        self.old = old
        self.new = new
        self.source = source

    @property
    def branch(self) -> str | None:
        return branch_of(self.ref) if self.ref is not None else None

    @property
    def name(self) -> str:
        """A short name for messages: `main`, `v1.0`, `refs/notes/x`."""
        if self.ref is None:
            return self.source or "HEAD"
        for prefix in ("refs/heads/", "refs/tags/"):
            if self.ref.startswith(prefix):
                return self.ref[len(prefix):]
        return self.ref


class Decision(_Value):
    """What an update needs: `kind` is DELETED, TAG, OTHER, PROTECTED,
    HOTFIX or RULES; `number` the hotfix number, for HOTFIX."""

    __slots__ = ("kind", "number", "reason")

    def __init__(self, kind: str, reason: str, number: int | None = None) -> None:
        self.kind = kind
        self.reason = reason
        self.number = number

    @property
    def judged(self) -> bool:
        return self.kind in (PROTECTED, HOTFIX, RULES)


def is_zero(oid: str) -> bool:
    return bool(oid) and oid.strip("0") == ""


def _oid(text: str, what: str, number: int, line: str, form: str) -> str | None:
    if not _OID.fullmatch(text):
        raise RefLineError(f"stdin line {number}: {what} {text[:80]!r} is not an object id "
                           f"(40 or 64 hex digits); expected {form}, got {line[:120]!r}")
    return None if is_zero(text) else text.lower()


def _lines(text: str) -> list[tuple[int, str]]:
    out = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if line.strip():
            out.append((number, line))
    return out


PUSH_FORM = "'<local ref> <local id> <remote ref> <remote id>'"
RECEIVE_FORM = "'<old id> <new id> <ref>'"


def parse_push_lines(text: str) -> list[Update]:
    """pre-push's stdin. The local ref is whatever the user named (it can hold
    spaces, as in `main@{1 day ago}`), so fields are split from the right."""
    updates = []
    for number, line in _lines(text):
        parts = line.rsplit(None, 3)
        if len(parts) != 4:
            raise RefLineError(f"stdin line {number}: expected {PUSH_FORM}, got {line[:120]!r}")
        local_ref, local_id, remote_ref, remote_id = parts
        new = _oid(local_id, "local id", number, line, PUSH_FORM)
        old = _oid(remote_id, "remote id", number, line, PUSH_FORM)
        _check_ref(remote_ref, number, line, PUSH_FORM)
        updates.append(Update(remote_ref, old, new, local_ref))
    return updates


def parse_receive_lines(text: str) -> list[Update]:
    """pre-receive's stdin."""
    updates = []
    for number, line in _lines(text):
        parts = line.split()
        if len(parts) != 3:
            raise RefLineError(f"stdin line {number}: expected {RECEIVE_FORM}, "
                               f"got {line[:120]!r}")
        old_id, new_id, ref = parts
        old = _oid(old_id, "old id", number, line, RECEIVE_FORM)
        new = _oid(new_id, "new id", number, line, RECEIVE_FORM)
        if old is None and new is None:
            raise RefLineError(f"stdin line {number}: both ids are zero; expected "
                               f"{RECEIVE_FORM}, got {line[:120]!r}")
        _check_ref(ref, number, line, RECEIVE_FORM)
        updates.append(Update(ref, old, new))
    return updates


def _check_ref(ref: str, number: int, line: str, form: str) -> None:
    if not ref.startswith("refs/") or len(ref) == len("refs/"):
        raise RefLineError(f"stdin line {number}: {ref[:80]!r} is not a full ref name "
                           f"(refs/...); expected {form}, got {line[:120]!r}")


def full_ref(name: str) -> str:
    """A branch name as a full ref (pre-commit may hand over either)."""
    return name if name.startswith("refs/") else f"refs/heads/{name}"


def branch_of(ref: str) -> str | None:
    if ref.startswith("refs/heads/") and len(ref) > len("refs/heads/"):
        return ref[len("refs/heads/"):]
    return None


def needs_config(update: Update) -> bool:
    """Only a branch that is created or moved can need judging, and which
    branches are protected is configuration."""
    if update.new is None:
        return False
    return update.ref is None or branch_of(update.ref) is not None


def is_protected(branch: str, protected: tuple[str, ...] | list[str]) -> bool:
    return any(fnmatchcase(branch, pattern) for pattern in protected)


def decide(update: Update, protected: tuple[str, ...] | list[str] = DEFAULT_PROTECTED
           ) -> Decision:
    """What an update needs, given the protected-branch globs in force."""
    if update.new is None:
        return Decision(DELETED, "deleting a ref is not judged")
    if update.ref is None:
        return Decision(PROTECTED, "no target branch is known: judged as a push to a "
                                   "protected branch")
    if update.ref.startswith("refs/tags/"):
        return Decision(TAG, "tags are not judged")
    branch = branch_of(update.ref)
    if branch is None:
        return Decision(OTHER, f"{update.ref} is not a branch")
    if is_protected(branch, protected):
        return Decision(PROTECTED, f"{branch} is a protected branch")
    match = HOTFIX_BRANCH.fullmatch(branch)
    if match:
        return Decision(HOTFIX, f"{branch} is the branch of hotfix-{int(match.group(1)):03d}",
                        int(match.group(1)))
    return Decision(OTHER, f"{branch} is neither protected nor a hotfix/NNN-* branch")


def read_stdin(stdin: TextIO) -> str:
    """All of stdin; a terminal means nobody is feeding push lines (no hang)."""
    try:
        if stdin.isatty():
            raise RefLineError("no push lines on stdin: git runs this hook and writes them; "
                            "to check a commit by hand run `hotfix-gate check --rev REV`")
    except (AttributeError, ValueError):
        pass
    data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    return data.decode("utf-8", "surrogateescape")
