"""The tree views: the working tree (FsTree), a commit's tree (GitTree) and
the index (IndexTree). What a view promises, and how paths in one are read,
is hotfix_gates.model.tree."""

from __future__ import annotations

import errno
import os
import posixpath
import stat
from typing import TYPE_CHECKING, Any

from hotfix_gates.model.errors import TreeError
from hotfix_gates.model.tree import EntryKind, normalize, too_large

if TYPE_CHECKING:
    import pygit2

    from hotfix_gates.git.cache import ParseCache

_GIT_TREE = 0o040000
_GIT_LINK = 0o120000
_GIT_COMMIT = 0o160000
# A folder this big keeps its encoding check in the parse cache; a smaller one
# is re-encoded in microseconds, and caching it (a record's folder is asked
# only when the record is parsed) would rewrite the cache on the next run.
_ENCODING_CACHED_FROM = 64


def _kind_from_mode(mode: int) -> EntryKind:
    if mode == _GIT_TREE:
        return "dir"
    if mode == _GIT_LINK:
        return "link"
    if mode == _GIT_COMMIT:
        return "submodule"
    return "file"


class FsTree:
    """The working tree on disk."""

    def __init__(self, root: str | os.PathLike[str], label: str = "working tree") -> None:
        self.root = os.path.realpath(root)
        self.label = label
        self._dirs_ok: set[str] = {""}

    def _abs(self, path: str) -> str:
        return os.path.join(self.root, path) if path else self.root

    def object_id(self, path: str) -> str | None:
        return None  # files on disk have no git id: never cached

    def flaws(self, path: str) -> list[str]:
        return []  # a file system holds no repeated or slashed names

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
        if path and self.kind(path) != "dir":
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
                raise too_large(path, info.st_size, limit)
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
                raise too_large(path, len(data), limit)
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


def _encoded(entries: list[tuple[bytes, int, Any]]) -> bytes:
    """The bytes git writes for a tree of these (name, mode, id) entries.

    libgit2 reads a mode git never writes as the nearest it knows: 120755 as
    a file (100755), 160755 or 644 as a file too, where git checks out a
    symlink or a submodule. It has no hash of a typed object, and the index
    it builds from a tree (which keeps modes as written) reads every folder
    below, which a small push can make astronomically many. Encoding the
    modes as read and comparing with the stored bytes tells a tree git wrote
    from one written by hand, one folder at a time."""
    ordered = sorted(entries, key=lambda e: e[0] + b"/" if e[1] == _GIT_TREE else e[0])
    return b"".join(b"%o %s\0%s" % (mode, name, oid.raw) for name, mode, oid in ordered)


class GitTree:
    """A commit's tree read through pygit2, with no checkout.

    Each directory's listing is read once and kept: a lookup by path walks
    these dictionaries instead of asking libgit2 to re-read every parent.

    A tree made by hand can hold what git itself never writes: an entry whose
    name contains `/` or is empty (git checks it out as a path, a lookup by
    path never finds it), or a name listed twice (tools disagree on which one
    counts). Such entries are kept out of the listing (the first of a repeated
    name stays, as `git show` shows it) and named by `flaws`, so the readers
    of records can refuse the tree instead of passing it with records unseen.
    Whether a folder is encoded as git writes it is decided only when its
    flaws are asked, and a big folder's answer is kept in the parse cache by
    its tree id (a tree's bytes never change under its id): a folder of a
    thousand records is re-encoded once, not on every push.
    """

    def __init__(self, repo: pygit2.Repository, tree: pygit2.Tree | pygit2.Oid | str,
                 label: str) -> None:
        self.repo = repo
        self.label = label
        root: Any = tree
        if hasattr(root, "type_str"):  # a parsed tree
            self._root: Any = root
            self.tree_id: Any = root.id
        else:  # an id: parsed on first use, so a malformed root is a flaw, not a crash
            self._root = None
            self.tree_id = root
        self._dirs: dict[str, dict[str, tuple[int, Any]] | None] = {}
        self._flaws: dict[str, list[str]] = {}
        self._unencoded: dict[str, Any] = {}  # listed folders whose encoding is not yet checked
        self.cache: ParseCache | None = None

    @property
    def tree(self) -> pygit2.Tree:
        """The root tree object; TreeError when it cannot be parsed."""
        if self._root is None:
            self._root = _git_object(self.repo, self.tree_id, "tree", "the root tree")
        root: pygit2.Tree = self._root
        return root

    def object_id(self, path: str) -> str | None:
        """The id of the entry at `path` (not following symlinks), for caching."""
        if not path:
            return str(self.tree_id)
        path = normalize(path)
        found = self._lookup(path)
        return str(found[1]) if found is not None else None

    def flaws(self, path: str) -> list[str]:
        """What is wrong with the listing of the folder at `path` (none when
        it is not a folder of this tree; "" is the root)."""
        path = normalize(path) if path else ""
        self._entries(path)
        listed = self._unencoded.pop(path, None)
        if listed is not None and not self._encoded_as_git_writes(listed):
            where = path or "the root tree"
            self._flaws.setdefault(path, []).insert(
                0, f"{where} is not encoded as git writes trees (a mode git never writes, such "
                   "as 120755 or 644, or entries out of order): git may check out a symlink or "
                   "a submodule where a file is read here")
        return self._flaws.get(path, [])

    def _encoded_as_git_writes(self, obj: Any) -> bool:
        def compute() -> bool:
            raw = [(entry.raw_name, entry.filemode, entry.id) for entry in obj]
            return bool(_encoded(raw) == obj.read_raw())

        if self.cache is None or len(obj) < _ENCODING_CACHED_FROM:
            return compute()
        return self.cache.memo("encodings", str(obj.id), compute,
                               lambda found: found if isinstance(found, bool) else None)

    def _entries(self, path: str) -> dict[str, tuple[int, Any]] | None:
        if path in self._dirs:
            return self._dirs[path]
        obj: Any = None
        if not path:
            try:
                obj = self.tree
            except TreeError as exc:
                self._flaws[path] = [str(exc)]
        else:
            parent, _, name = path.rpartition("/")
            entries = self._entries(parent)
            found = entries.get(name) if entries is not None else None
            if found is not None and found[0] == _GIT_TREE:
                try:
                    obj = _git_object(self.repo, found[1], "tree", path)
                except TreeError as exc:
                    self._flaws[path] = [str(exc)]
        listing = self._listing(obj, path) if obj is not None else None
        self._dirs[path] = listing
        return listing

    def _listing(self, obj: Any, path: str) -> dict[str, tuple[int, Any]] | None:
        import pygit2

        where = path or "the root tree"
        try:
            entries = [(entry.name, entry.filemode, entry.id) for entry in obj]
        except (pygit2.GitError, UnicodeError) as exc:
            self._flaws[path] = [f"{where} cannot be read ({exc})"]
            return None
        self._unencoded[path] = obj
        listing: dict[str, tuple[int, Any]] = {}
        flaws: list[str] = []
        for name, mode, oid in entries:
            if not name or "/" in name:
                flaws.append(f"{where} has an entry named {name!r:.100}, which git would "
                             "check out as a path of its own")
            elif name in listing:
                flaws.append(f"{where} lists {name!r:.100} twice")
            else:
                listing[name] = (mode, oid)
        if flaws:
            self._flaws[path] = flaws
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
        entries = self._entries(normalize(path) if path else "")
        if entries is None:
            return None
        return {name: _kind_from_mode(mode) for name, (mode, _) in entries.items()}

    def _blob(self, path: str, limit: int) -> bytes:
        found = self._lookup(path)
        if found is None:
            raise TreeError(f"{path} does not exist")
        blob = _git_object(self.repo, found[1], "blob", path)
        if blob.size > limit:
            raise too_large(path, blob.size, limit)
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

    def object_id(self, path: str) -> str | None:
        found = self._entries.get(normalize(path))
        return str(found[1]) if found is not None else None

    def flaws(self, path: str) -> list[str]:
        return []  # built from the index's paths: each one a path git checks out

    def _oid(self, path: str) -> pygit2.Oid:
        found = self._entries.get(path)
        if found is None:
            raise TreeError(f"{path} does not exist")
        return found[1]

    def _read_entry(self, path: str, limit: int) -> bytes:
        oid = self._oid(path)
        blob = _git_object(self.repo, oid, "blob", path)
        if blob.size > limit:
            raise too_large(path, blob.size, limit)
        data: bytes = blob.data
        return data

    def _link_target(self, path: str) -> str:
        return self._read_entry(path, 4096).decode("utf-8", "replace")
