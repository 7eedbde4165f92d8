"""Read-only views of a tree: the working tree, a commit's tree, or the index.

Every path is relative to the repository root. Nothing outside the tree is
ever read: absolute paths and `..` are refused, symlinks are followed only
while they stay inside the tree, and only regular files are opened.
"""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from typing import TYPE_CHECKING, Any, Literal, Protocol

from hotfix_gates.model.errors import TreeError

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.cache import ParseCache

EntryKind = Literal["file", "dir", "link", "submodule", "other"]

MAX_READ = 1024 * 1024  # records are small; a bigger file is a finding, not a read
MAX_LINK_HOPS = 8

_GIT_TREE = 0o040000
_GIT_LINK = 0o120000
_GIT_COMMIT = 0o160000




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


def _kind_from_mode(mode: int) -> EntryKind:
    if mode == _GIT_TREE:
        return "dir"
    if mode == _GIT_LINK:
        return "link"
    if mode == _GIT_COMMIT:
        return "submodule"
    return "file"


class TreeView(Protocol):
    label: str

    def kind(self, path: str) -> EntryKind | None: ...

    def listdir(self, path: str) -> dict[str, EntryKind] | None: ...

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


def _too_large(path: str, size: int, limit: int) -> TreeError:
    return TreeError(f"{path} is larger than {limit} bytes ({size} bytes)")


class FsTree:
    """The working tree on disk."""

    def __init__(self, root: str | os.PathLike[str], label: str = "working tree") -> None:
        self.root = os.path.realpath(root)
        self.label = label
        self._dirs_ok: set[str] = {""}

    def _abs(self, path: str) -> str:
        return os.path.join(self.root, path) if path else self.root

    def _parent_ok(self, path: str) -> bool:
        # Intermediate components must be real directories, never symlinks,
        # so a link cannot smuggle a read out of the tree.
        parent = posixpath.dirname(path)
        if parent in self._dirs_ok:
            return True
        if not self._parent_ok(parent):
            return False
        try:
            mode = os.lstat(self._abs(parent)).st_mode
        except OSError:
            return False
        if stat.S_ISDIR(mode):
            self._dirs_ok.add(parent)
            return True
        return False

    def kind(self, path: str) -> EntryKind | None:
        path = normalize(path)
        if not self._parent_ok(path):
            return None
        try:
            mode = os.lstat(self._abs(path)).st_mode
        except OSError:
            return None
        if stat.S_ISREG(mode):
            return "file"
        if stat.S_ISDIR(mode):
            return "dir"
        if stat.S_ISLNK(mode):
            return "link"
        return "other"

    def listdir(self, path: str) -> dict[str, EntryKind] | None:
        path = normalize(path)
        if self.kind(path) != "dir" and path:
            return None
        out: dict[str, EntryKind] = {}
        try:
            with os.scandir(self._abs(path)) as it:
                for entry in it:
                    if entry.is_symlink():
                        out[entry.name] = "link"
                    elif entry.is_dir(follow_symlinks=False):
                        out[entry.name] = "dir"
                    elif entry.is_file(follow_symlinks=False):
                        out[entry.name] = "file"
                    else:
                        out[entry.name] = "other"
        except OSError:
            return None
        return out

    def _read_entry(self, path: str, limit: int) -> bytes:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        try:
            fd = os.open(self._abs(path), flags)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise TreeError(f"{path} is a symlink") from None
            raise TreeError(f"{path} cannot be read ({exc.strerror})") from None
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode):
                raise TreeError(f"{path} is not a regular file")
            if info.st_size > limit:
                raise _too_large(path, info.st_size, limit)
            chunks = []
            remaining = limit + 1
            while remaining > 0:
                chunk = os.read(fd, min(remaining, 1 << 20))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            data = b"".join(chunks)
            if len(data) > limit:
                raise _too_large(path, len(data), limit)
            return data
        finally:
            os.close(fd)

    def _link_target(self, path: str) -> str:
        try:
            return os.readlink(self._abs(path))
        except OSError as exc:
            raise TreeError(f"{path} cannot be read ({exc.strerror})") from None


def _git_object(repo: pygit2.Repository, oid: Any, want: str, path: str) -> Any:
    """Object `oid` when it is a `want` ("blob" or "tree"); a hostile or corrupt
    tree can name a missing object, an unparsable one, or one of another type."""
    import pygit2

    try:
        obj: Any = repo[oid]
        kind = obj.type_str
    except (KeyError, ValueError):
        raise TreeError(f"{path}: object {oid} is missing from the repository") from None
    except pygit2.GitError as exc:
        raise TreeError(f"{path}: object {oid} cannot be read ({exc})") from None
    if kind != want:
        raise TreeError(f"{path}: object {oid} is a {kind}, not a {want}")
    return obj


class GitTree:
    """A commit's tree read through pygit2, with no checkout.

    Each directory's listing is read once and kept: a lookup by path walks
    these dictionaries instead of asking libgit2 to re-read every parent.
    """

    def __init__(self, repo: pygit2.Repository, tree: pygit2.Tree, label: str) -> None:
        self.repo = repo
        self.tree = tree
        self.label = label
        self._dirs: dict[str, dict[str, tuple[int, Any]] | None] = {}
        self.cache: ParseCache | None = None

    def object_id(self, path: str) -> str | None:
        """The id of the entry at `path` (not following symlinks), for caching."""
        found = self._lookup(normalize(path))
        return str(found[1]) if found is not None else None

    def _entries(self, path: str) -> dict[str, tuple[int, Any]] | None:
        if path in self._dirs:
            return self._dirs[path]
        listing: dict[str, tuple[int, Any]] | None = None
        obj: Any = None
        if not path:
            obj = self.tree
        else:
            parent, _, name = path.rpartition("/")
            entries = self._entries(parent)
            found = entries.get(name) if entries is not None else None
            if found is not None and found[0] == _GIT_TREE:
                try:
                    obj = _git_object(self.repo, found[1], "tree", path)
                except TreeError:
                    obj = None  # corrupt or missing: listed as unreadable by the caller
        if obj is not None:
            import pygit2

            try:
                listing = {entry.name: (entry.filemode, entry.id) for entry in obj}
            except pygit2.GitError:
                listing = None
        self._dirs[path] = listing
        return listing

    def _lookup(self, path: str) -> tuple[int, Any] | None:
        parent, _, name = path.rpartition("/")
        entries = self._entries(parent)
        return entries.get(name) if entries is not None else None

    def kind(self, path: str) -> EntryKind | None:
        path = normalize(path)
        if not path:
            return "dir"
        found = self._lookup(path)
        return _kind_from_mode(found[0]) if found is not None else None

    def listdir(self, path: str) -> dict[str, EntryKind] | None:
        entries = self._entries(normalize(path))
        if entries is None:
            return None
        return {name: _kind_from_mode(mode) for name, (mode, _) in entries.items()}

    def _blob(self, path: str, limit: int) -> bytes:
        found = self._lookup(path)
        if found is None:
            raise TreeError(f"{path} does not exist")
        blob = _git_object(self.repo, found[1], "blob", path)
        if blob.size > limit:
            raise _too_large(path, blob.size, limit)
        data: bytes = blob.data
        return data

    def _read_entry(self, path: str, limit: int) -> bytes:
        return self._blob(path, limit)

    def _link_target(self, path: str) -> str:
        return self._blob(path, 4096).decode("utf-8", "replace")


class IndexTree:
    """The index: what the next commit will hold (used by commit-msg)."""

    def __init__(self, repo: pygit2.Repository, index: pygit2.Index, label: str = "index") -> None:
        self.repo = repo
        self.label = label
        self._entries: dict[str, tuple[EntryKind, pygit2.Oid]] = {}
        self._children: dict[str, dict[str, EntryKind]] = {"": {}}
        # pygit2 lists every stage of a conflicted path and has no `stage`
        # attribute: leave conflicted paths out (git will not commit them).
        conflicts: Any = index.conflicts
        conflicted = {side.path for entry in (conflicts or ()) for side in entry if side}
        for entry in index:
            if self._stage(entry) != 0 or entry.path in conflicted:
                continue
            kind = _kind_from_mode(entry.mode)
            self._entries[entry.path] = (kind, entry.id)
            parts = entry.path.split("/")
            for depth in range(len(parts)):
                parent = "/".join(parts[:depth])
                name = parts[depth]
                here = "/".join(parts[: depth + 1])
                is_leaf = depth == len(parts) - 1
                self._children.setdefault(parent, {})[name] = kind if is_leaf else "dir"
                if not is_leaf:
                    self._children.setdefault(here, {})

    @staticmethod
    def _stage(entry: pygit2.IndexEntry) -> int:
        stage = getattr(entry, "stage", None)
        if stage is None:
            return 0
        return int(stage)

    def kind(self, path: str) -> EntryKind | None:
        path = normalize(path)
        found = self._entries.get(path)
        if found is not None:
            return found[0]
        return "dir" if path in self._children else None

    def listdir(self, path: str) -> dict[str, EntryKind] | None:
        children = self._children.get(normalize(path))
        return dict(children) if children is not None else None

    def _oid(self, path: str) -> pygit2.Oid:
        found = self._entries.get(path)
        if found is None:
            raise TreeError(f"{path} does not exist")
        return found[1]

    def _read_entry(self, path: str, limit: int) -> bytes:
        oid = self._oid(path)
        blob = _git_object(self.repo, oid, "blob", path)
        if blob.size > limit:
            raise _too_large(path, blob.size, limit)
        data: bytes = blob.data
        return data

    def _link_target(self, path: str) -> str:
        return self._read_entry(path, 4096).decode("utf-8", "replace")
