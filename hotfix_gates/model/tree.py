"""What a tree view is, and how paths inside one are read safely.

A tree is the working tree, a commit's tree or the index (implementations in
hotfix_gates.git.trees). Every path is relative to the repository root.
Nothing outside the tree is ever read: absolute paths and `..` are refused,
symlinks are followed only while they stay inside the tree, and only regular
files are opened. Standard library only.
"""

from __future__ import annotations

import posixpath
import unicodedata
import weakref
from typing import Literal, Protocol, TypeVar

from hotfix_gates.model.errors import TreeError

EntryKind = Literal["file", "dir", "link", "submodule", "other"]

MAX_READ = 1024 * 1024  # records are small; a bigger file is a finding, not a read
MAX_LINK_HOPS = 8
T = TypeVar("T")



def normalize(path: str) -> str:
    """A clean relative posix path inside the tree, or TreeError saying why not."""
    if (path and path[0] not in "/." and "/." not in path and "//" not in path
            and "\0" not in path and path[-1] != "/" and path[1:2] != ":"):
        return path  # no `.`/`..`/`.git` part, no empty part: already clean (and cheap)
    if not path or "\0" in path:
        raise TreeError("empty path" if not path else "path contains a NUL byte")
    if path.startswith("/") or (len(path) > 1 and path[1] == ":"):
        raise TreeError(f"{path!r:.120} is absolute; paths are relative to the repository root")
    clean = posixpath.normpath(path)
    if clean == ".." or clean.startswith("../"):
        raise TreeError(f"{path!r:.120} leaves the repository")
    if clean == ".":
        return ""
    if any(part.casefold() == ".git" for part in clean.split("/")):
        # The repository's own metadata (or a nested one's) is not part of the tree.
        raise TreeError(f"{path!r:.120} is inside .git, not the tree")
    return clean


class TreeView(Protocol):
    label: str

    def object_id(self, path: str) -> str | None:
        """A git id that pins the content at `path` (for caching), or None."""
        ...

    def kind(self, path: str) -> EntryKind | None: ...

    def listdir(self, path: str) -> dict[str, EntryKind] | None: ...

    def flaws(self, path: str) -> list[str]:
        """What makes the folder at `path` read differently by different
        tools (a hand-made git tree): each a sentence; none for a sound one."""
        ...

    def _read_entry(self, path: str, limit: int) -> bytes: ...

    def _link_target(self, path: str) -> str: ...


def resolve(tree: TreeView, path: str) -> str:
    """The path of the regular file that `path` names, following symlinks only
    while they stay inside the tree; TreeError says why there is none."""
    current = normalize(path)
    for _ in range(MAX_LINK_HOPS):
        kind = tree.kind(current)
        if kind is None:
            raise TreeError(f"{current} does not exist")
        if kind == "file":
            return current
        if kind != "link":
            raise TreeError(f"{current} is a {_KIND_WORDS[kind]}, not a file")
        target = tree._link_target(current)
        if target.startswith("/"):
            raise TreeError(f"{current} is a symlink out of the repository ({target})")
        try:
            current = normalize(posixpath.join(posixpath.dirname(current), target))
        except TreeError:
            raise TreeError(f"{current} is a symlink out of the repository ({target})") from None
    raise TreeError(f"{path} is a chain of more than {MAX_LINK_HOPS} symlinks")


def checkout_problem(tree: TreeView, path: str) -> str | None:
    """Why a checkout of the tree would not hold, at `path`, the file the
    gates read: a folder on the way is one git would check out otherwise
    (see TreeView.flaws: names, modes), or a name on the way has a twin that
    differs only in case. None for what git writes itself."""
    parts = normalize(path).split("/")
    checked = _memo(_CHECKED, tree)
    for depth in range(len(parts)):
        here = "/".join(parts[:depth + 1])
        if here not in checked:  # many records' tests share their folders
            checked[here] = _step_problem(tree, "/".join(parts[:depth]), here)
        if checked[here] is not None:
            return checked[here]
    return None


def _step_problem(tree: TreeView, folder: str, here: str) -> str | None:
    flaws = tree.flaws(folder)
    if flaws:
        return f"{folder or 'the root tree'} is malformed: {flaws[0]}"
    for twin in case_twins(tree, here):
        return case_words(twin, here)
    return None


_FOLDED: weakref.WeakKeyDictionary[TreeView, dict[str, dict[str, list[str]]]] = (
    weakref.WeakKeyDictionary())
_CHECKED: weakref.WeakKeyDictionary[TreeView, dict[str, str | None]] = (
    weakref.WeakKeyDictionary())


def _memo(memos: weakref.WeakKeyDictionary[TreeView, dict[str, T]],
          tree: TreeView) -> dict[str, T]:
    """The tree's memo. Not `setdefault`, which makes a new weak reference (with
    a callback) on every call: this is asked once per test of every record."""
    found = memos.get(tree)
    if found is None:
        found = memos[tree] = {}
    return found


def case_twins(tree: TreeView, path: str) -> list[str]:
    """The other entries of `path`'s folder whose names differ from its own
    only in case or Unicode normalisation (`Specs` for `specs`): a checkout
    on a case-insensitive file system (macOS, Windows) holds them as one.
    `path` itself need not exist."""
    folder, _, name = normalize(path).rpartition("/")
    folded = _memo(_FOLDED, tree)
    index = folded.get(folder)
    if index is None:  # one pass per folder, however many names are asked
        index = {}
        try:
            listing = tree.listdir(folder or ".") or {}
        except TreeError:
            listing = {}
        for entry in listing:
            index.setdefault(_fold(entry), []).append(entry)
        folded[folder] = index
    return [f"{folder}/{other}" if folder else other
            for other in index.get(_fold(name), ()) if other != name]


def case_words(twin: str, path: str) -> str:
    return (f"{twin} differs from {path} only in case: a checkout on a case-insensitive "
            f"file system (macOS, Windows) holds one of them, the gates read {path}")


def _fold(name: str) -> str:
    return (name if name.isascii() else unicodedata.normalize("NFC", name)).lower()


def read(tree: TreeView, path: str, limit: int = MAX_READ) -> bytes:
    """The bytes of a file, following symlinks only inside the tree."""
    return tree._read_entry(resolve(tree, path), limit)


def read_text(tree: TreeView, path: str, limit: int = MAX_READ) -> str:
    data = read(tree, path, limit)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TreeError(f"{path} is not UTF-8 text (byte {exc.start})") from None


def is_file(tree: TreeView, path: str) -> bool:
    try:
        resolve(tree, path)
    except TreeError:
        return False
    return True


_KIND_WORDS: dict[EntryKind, str] = {
    "file": "file",
    "dir": "directory",
    "link": "symlink",
    "submodule": "submodule",
    "other": "special file",
}


def too_large(path: str, size: int, limit: int) -> TreeError:
    return TreeError(f"{path} is larger than {limit} bytes ({size} bytes)")
