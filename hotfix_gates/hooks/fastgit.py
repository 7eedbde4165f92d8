"""Standard-library reads of a repository, for the commit-msg fast path.

commit-msg runs on every commit, and loading pygit2 alone costs several times
a bare Python start. This module reads just enough with the standard library
to prove that a commit touches no hotfix record: the git dir (also of a linked
worktree), HEAD, the index (versions 2 and 3) and objects (loose and packed,
with deltas). Whatever it does not fully understand raises `Unsupported`, and
the caller takes the pygit2 path; so it may only ever prove "nothing to
judge", never decide that something must be judged.
"""

from __future__ import annotations

import os
import struct
import zlib
from collections.abc import Iterator, Mapping
from io import BufferedReader

HASH_SIZE = 20  # SHA-1 only; a SHA-256 repository is Unsupported
TREE_MODE = 0o040000
_LOOSE_LIMIT = 64 * 1024 * 1024
_MAX_DELTA_CHAIN = 10_000


class Unsupported(Exception):
    """Something this reader does not handle; use pygit2 instead."""


class GitDirs:
    """Where a repository keeps its state: `git_dir` holds HEAD and the index
    (a linked worktree has its own), `common_dir` the objects, refs and config."""

    __slots__ = ("common_dir", "git_dir", "index_file")

    def __init__(self, git_dir: str, common_dir: str, index_file: str) -> None:
        self.git_dir = git_dir
        self.common_dir = common_dir
        self.index_file = index_file


def find_git_dirs(cwd: str | None = None, environ: Mapping[str, str] | None = None
                  ) -> GitDirs | None:
    """The repository around `cwd`, as git would find it ($GIT_DIR, else the
    nearest `.git` folder or `gitdir:` file); None when there is none."""
    env = os.environ if environ is None else environ
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    git_dir: str | None = None
    if env.get("GIT_DIR"):
        git_dir = os.path.join(here, env["GIT_DIR"])
    else:
        current = here
        while True:
            dot_git = os.path.join(current, ".git")
            if os.path.isdir(dot_git):
                git_dir = dot_git
                break
            if os.path.isfile(dot_git):
                git_dir = _follow_gitfile(dot_git)
                break
            parent = os.path.dirname(current)
            if parent == current:
                return None
            current = parent
    if not os.path.isfile(os.path.join(git_dir, "HEAD")):
        return None
    if env.get("GIT_COMMON_DIR"):
        common_dir = os.path.join(here, env["GIT_COMMON_DIR"])
    else:
        common_dir = common_dir_of(git_dir)
    index_file = os.path.join(here, env["GIT_INDEX_FILE"]) if env.get("GIT_INDEX_FILE") \
        else os.path.join(git_dir, "index")
    return GitDirs(os.path.normpath(git_dir), os.path.normpath(common_dir),
                   os.path.normpath(index_file))


def common_dir_of(git_dir: str) -> str:
    """The folder shared by all worktrees (objects, refs, config, hooks): a
    linked worktree's git dir names it in its `commondir` file."""
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            return os.path.normpath(os.path.join(git_dir, handle.read().strip()))
    except FileNotFoundError:
        return os.path.normpath(git_dir)
    except (OSError, UnicodeDecodeError) as exc:
        raise Unsupported(f"unreadable commondir: {exc}") from None


def _follow_gitfile(path: str) -> str:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise Unsupported(f"unreadable {path}: {exc}") from None
    if not text.startswith("gitdir:"):
        raise Unsupported(f"{path} is not a gitdir: pointer")
    return os.path.join(os.path.dirname(path), text[len("gitdir:"):].strip())


def check_format(dirs: GitDirs) -> None:
    """Refuse repositories whose objects or refs this reader cannot read."""
    try:
        with open(os.path.join(dirs.common_dir, "config"), "rb") as handle:
            config = handle.read().lower()
    except FileNotFoundError:
        config = b""
    except OSError as exc:
        raise Unsupported(f"unreadable config: {exc}") from None
    if b"objectformat" in config and b"sha256" in config:
        raise Unsupported("SHA-256 repository")
    if b"refstorage" in config or os.path.isdir(os.path.join(dirs.common_dir, "reftable")):
        raise Unsupported("reftable refs")


# ---------------------------------------------------------------- HEAD, refs

def head_branch(git_dir: str) -> str | None:
    """The checked-out branch (also unborn), or None for a detached HEAD."""
    try:
        with open(os.path.join(git_dir, "HEAD"), encoding="utf-8") as handle:
            head = handle.read().strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise Unsupported(f"unreadable HEAD: {exc}") from None
    if head.startswith("ref:"):
        ref = head[4:].strip()
        if ref.startswith("refs/heads/"):
            return ref[len("refs/heads/"):]
        raise Unsupported(f"HEAD points at {ref}")
    if _is_hex(head):
        return None
    raise Unsupported("HEAD is neither a branch nor a commit")


def resolve_ref(common_dir: str, ref: str) -> str | None:
    """The commit id (hex) a ref names, or None when it does not exist."""
    for _ in range(5):
        try:
            with open(os.path.join(common_dir, *ref.split("/")), encoding="utf-8") as handle:
                value = handle.read().strip()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return _packed_ref(common_dir, ref)
        except (OSError, UnicodeDecodeError) as exc:
            raise Unsupported(f"unreadable {ref}: {exc}") from None
        if value.startswith("ref:"):
            ref = value[4:].strip()
            continue
        if _is_hex(value):
            return value
        raise Unsupported(f"{ref} holds no object id")
    raise Unsupported(f"{ref} is a chain of symbolic refs")


def _packed_ref(common_dir: str, ref: str) -> str | None:
    try:
        with open(os.path.join(common_dir, "packed-refs"), encoding="utf-8") as handle:
            for line in handle:
                if line.startswith(("#", "^")):
                    continue
                oid, _, name = line.rstrip("\n").partition(" ")
                if name == ref and _is_hex(oid):
                    return oid
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise Unsupported(f"unreadable packed-refs: {exc}") from None
    return None


def _is_hex(text: str) -> bool:
    if len(text) != 2 * HASH_SIZE:
        return False
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return True


# --------------------------------------------------------------------- index

def read_index(path: str) -> bytes:
    """The index file's bytes (empty when there is none yet), checked to be a
    version 2 or 3 index, which store every path in full."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        return b""
    except OSError as exc:
        raise Unsupported(f"unreadable index: {exc}") from None
    if len(data) < 12 + HASH_SIZE or data[:4] != b"DIRC":
        raise Unsupported("not an index file")
    version = struct.unpack_from(">I", data, 4)[0]
    if version not in (2, 3):
        raise Unsupported(f"index version {version}")
    return data


def index_lacks(data: bytes, name: bytes) -> bool:
    """True when no path in the index can contain `name`: its bytes occur
    nowhere in the file. A split index (`link`) keeps entries in another file
    and a sparse index (`sdir`) folds folders into one entry, so when either
    signature occurs anywhere this answers False and the caller parses
    (`parse_index` refuses a split index; `Index.sparse` tells the other)."""
    return name not in data and b"link" not in data and b"sdir" not in data


class IndexEntry:
    __slots__ = ("intent_to_add", "mode", "oid", "path", "stage")

    def __init__(self, path: bytes, mode: int, oid: bytes, stage: int,
                 intent_to_add: bool) -> None:
        self.path = path
        self.mode = mode
        self.oid = oid
        self.stage = stage
        self.intent_to_add = intent_to_add


class Index:
    """A parsed version 2 or 3 index. Parsing keeps only each entry's path and
    offset (a few milliseconds per ten thousand files); the entries asked for
    are read in full."""

    __slots__ = ("_data", "_offsets", "paths", "sparse", "version")

    def __init__(self, data: bytes, version: int, paths: list[bytes],
                 offsets: list[int], sparse: bool = False) -> None:
        self._data = data
        self.version = version
        self.paths = paths  # in index order: path byte order
        self._offsets = offsets
        # a sparse index: a folder outside the sparse-checkout cone is one
        # entry, `folder/` with its tree id, and its files are not listed
        self.sparse = sparse

    def __len__(self) -> int:
        return len(self.paths)

    def entry(self, i: int) -> IndexEntry:
        pos = self._offsets[i]
        data = self._data
        flags = (data[pos + 60] << 8) | data[pos + 61]
        intent_to_add = bool(flags & 0x4000) and bool(data[pos + 62] & 0x20)
        return IndexEntry(self.paths[i], struct.unpack_from(">I", data, pos + 24)[0],
                          data[pos + 40:pos + 60], (flags >> 12) & 3, intent_to_add)

    def under(self, prefix: bytes, exact: bool = False) -> Iterator[IndexEntry]:
        """The entries whose path starts with `prefix` (or is it, when exact);
        Unsupported when one of them is unmerged."""
        from bisect import bisect_left

        paths = self.paths
        # index order is path byte order: the matches are one run
        for i in range(bisect_left(paths, prefix), len(paths)):
            path = paths[i]
            if not path.startswith(prefix) or (exact and path != prefix):
                return
            entry = self.entry(i)
            if entry.stage != 0:
                raise Unsupported("unmerged entries")
            yield entry

    def find(self, path: bytes) -> IndexEntry | None:
        """The entry at exactly `path`."""
        for entry in self.under(path, exact=True):
            return entry
        return None

    def sparse_folder(self, path: bytes) -> bytes | None:
        """The folder holding `path` (or `path` itself) that a sparse index
        keeps as one entry, if any."""
        if not self.sparse:
            return None
        parts = path.split(b"/")
        for depth in range(1, len(parts) + 1):
            folder = b"/".join(parts[:depth])
            entry = self.find(folder + b"/")
            if entry is not None and entry.mode == TREE_MODE:
                return folder
        return None

    def object_at(self, path: bytes) -> tuple[int, bytes] | None:
        """(mode, id) of what the next commit holds at `path`: a file's entry,
        or the id of the tree the entries under the folder `path` make; None
        if nothing is there. A path inside a sparse folder is Unsupported:
        ask for the folder (`sparse_folder`)."""
        folded = self.sparse_folder(path)
        if folded is not None:
            if folded != path:
                raise Unsupported(f"{path!r} is inside the sparse folder {folded!r}")
            entry = self.find(path + b"/")
            assert entry is not None
            return TREE_MODE, entry.oid
        entry = self.find(path)
        if entry is not None and not entry.intent_to_add:
            return entry.mode, entry.oid
        inside = [(e.path[len(path) + 1:], e) for e in self.under(path + b"/")]
        if not inside:
            return None
        return TREE_MODE, _tree_id(inside)


def parse_index(data: bytes) -> Index:
    """The entries of a version 2 or 3 index (empty data: an empty index)."""
    if not data:
        return Index(b"", 2, [], [])
    version, count = struct.unpack_from(">II", data, 4)
    paths: list[bytes] = []
    offsets: list[int] = []
    add_path, add_offset = paths.append, offsets.append
    pos = 12
    end = len(data) - HASH_SIZE
    sparse = False
    try:
        for _ in range(count):
            flags = (data[pos + 60] << 8) | data[pos + 61]
            fixed = 62
            if flags & 0x4000:
                if version < 3:
                    raise Unsupported("extended flags in a version 2 index")
                fixed = 64
            start = pos + fixed
            length = flags & 0x0FFF
            if length == 0x0FFF:
                length = data.index(b"\0", start) - start
            elif data[start + length] != 0:
                raise Unsupported("malformed index entry")
            add_path(data[start:start + length])
            add_offset(pos)
            pos += (fixed + length + 8) & ~7
    except (IndexError, ValueError):
        raise Unsupported("truncated index") from None
    if pos > end:
        raise Unsupported("truncated index")
    while pos < end:
        signature = data[pos:pos + 4]
        if signature == b"sdir":
            sparse = True
        elif len(signature) < 4 or not (0x41 <= signature[0] <= 0x5A):
            # link (split index: entries in another file) or an unknown required one
            raise Unsupported(f"index extension {signature!r}")
        (size,) = struct.unpack_from(">I", data, pos + 4)
        pos += 8 + size
    if pos != end:
        raise Unsupported("malformed index extensions")
    return Index(data, version, paths, offsets, sparse)


def _tree_id(items: list[tuple[bytes, IndexEntry]]) -> bytes:
    """The id of the tree object git would write for these entries."""
    import hashlib

    parts: list[tuple[bytes, bytes]] = []
    i = 0
    while i < len(items):
        rel, entry = items[i]
        name, slash, rest = rel.partition(b"/")
        if slash and not rest and entry.mode == TREE_MODE:  # a sparse folder: its tree id
            parts.append((name + b"/", b"40000 %s\0%s" % (name, entry.oid)))
            i += 1
            continue
        if not slash:
            if not entry.intent_to_add:  # git leaves intent-to-add paths out of commits
                parts.append((name, b"%o %s\0%s" % (entry.mode, name, entry.oid)))
            i += 1
            continue
        group = name + b"/"
        j = i
        while j < len(items) and items[j][0].startswith(group):
            j += 1
        sub = [(r[len(group):], e) for r, e in items[i:j] if not e.intent_to_add]
        if sub:
            # trees sort as if their name ended in "/"
            parts.append((group, b"40000 %s\0%s" % (name, _tree_id(sub))))
        i = j
    parts.sort(key=lambda part: part[0])
    body = b"".join(part for _, part in parts)
    return hashlib.sha1(b"tree %d\0%s" % (len(body), body)).digest()


# ------------------------------------------------------------------- objects

class ObjectStore:
    """Loose and packed objects of a repository and its alternates."""

    def __init__(self, common_dir: str, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        if env.get("GIT_OBJECT_DIRECTORY") or env.get("GIT_ALTERNATE_OBJECT_DIRECTORIES"):
            raise Unsupported("object directories set in the environment")
        self.dirs: list[str] = []
        self._add_dir(os.path.join(common_dir, "objects"), 0)
        self._packs: list[_Pack] | None = None

    def _add_dir(self, path: str, depth: int) -> None:
        path = os.path.normpath(path)
        if path in self.dirs:
            return
        if depth > 5:
            raise Unsupported("alternates nested too deeply")
        self.dirs.append(path)
        try:
            with open(os.path.join(path, "info", "alternates"), encoding="utf-8") as handle:
                lines = handle.read().splitlines()
        except FileNotFoundError:
            return
        except (OSError, UnicodeDecodeError) as exc:
            raise Unsupported(f"unreadable alternates: {exc}") from None
        for line in lines:
            line = line.strip()
            if line and not line.startswith("#"):
                if line.startswith('"'):
                    raise Unsupported("quoted alternate path")
                self._add_dir(os.path.join(path, line), depth + 1)

    def read(self, oid: bytes) -> tuple[str, bytes]:
        """(type, content) of the object `oid` (raw bytes); Unsupported if absent."""
        hexoid = oid.hex()
        for objects in self.dirs:
            loose = os.path.join(objects, hexoid[:2], hexoid[2:])
            try:
                with open(loose, "rb") as handle:
                    raw = handle.read(_LOOSE_LIMIT)
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise Unsupported(f"unreadable object {hexoid}: {exc}") from None
            return _parse_loose(raw, hexoid)
        for pack in self._all_packs():
            offset = pack.find(oid)
            if offset is not None:
                return pack.read_at(offset, self)
        raise Unsupported(f"object {hexoid} not found")

    def _all_packs(self) -> list[_Pack]:
        if self._packs is None:
            self._packs = []
            for objects in self.dirs:
                folder = os.path.join(objects, "pack")
                try:
                    names = sorted(os.listdir(folder))
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    raise Unsupported(f"unreadable pack folder: {exc}") from None
                for name in names:
                    if name.endswith(".idx"):
                        base = os.path.join(folder, name[:-4])
                        if os.path.isfile(base + ".pack"):
                            self._packs.append(_Pack(base))
        return self._packs


def _parse_loose(raw: bytes, hexoid: str) -> tuple[str, bytes]:
    try:
        data = zlib.decompress(raw)
    except zlib.error:
        raise Unsupported(f"corrupt object {hexoid}") from None
    header, nul, body = data.partition(b"\0")
    kind, _, size = header.partition(b" ")
    if not nul or not size.isdigit() or int(size) != len(body):
        raise Unsupported(f"corrupt object {hexoid}")
    return kind.decode("ascii", "replace"), body


_PACK_KINDS = {1: "commit", 2: "tree", 3: "blob", 4: "tag"}


class _Pack:
    """One pack and its version 2 index, read by seeking (no whole-file reads)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self._fanout: tuple[int, ...] | None = None

    def find(self, oid: bytes) -> int | None:
        with open(self.base + ".idx", "rb") as idx:
            if self._fanout is None:
                head = idx.read(8 + 256 * 4)
                if len(head) < 8 + 1024 or head[:8] != b"\xfftOc\x00\x00\x00\x02":
                    raise Unsupported(f"{self.base}.idx is not a version 2 pack index")
                self._fanout = struct.unpack_from(">256I", head, 8)
            fanout = self._fanout
            count = fanout[255]
            lo = fanout[oid[0] - 1] if oid[0] else 0
            hi = fanout[oid[0]]
            names = 8 + 1024
            while lo < hi:
                mid = (lo + hi) // 2
                idx.seek(names + mid * HASH_SIZE)
                here = idx.read(HASH_SIZE)
                if here == oid:
                    break
                if here < oid:
                    lo = mid + 1
                else:
                    hi = mid
            else:
                return None
            offsets = names + count * (HASH_SIZE + 4)
            idx.seek(offsets + mid * 4)
            (offset,) = struct.unpack(">I", idx.read(4))
            if offset & 0x80000000:
                idx.seek(offsets + count * 4 + (offset & 0x7FFFFFFF) * 8)
                (offset,) = struct.unpack(">Q", idx.read(8))
            return int(offset)

    def read_at(self, offset: int, store: ObjectStore) -> tuple[str, bytes]:
        deltas: list[bytes] = []
        with open(self.base + ".pack", "rb") as pack:
            try:
                while True:
                    if len(deltas) > _MAX_DELTA_CHAIN:
                        raise Unsupported("delta chain too long")
                    pack.seek(offset)
                    head = pack.read(32)
                    byte = head[0]
                    kind = (byte >> 4) & 7
                    size = byte & 15
                    shift, pos = 4, 1
                    while byte & 0x80:
                        byte = head[pos]
                        pos += 1
                        size |= (byte & 0x7F) << shift
                        shift += 7
                    if kind == 6:  # delta against an object earlier in this pack
                        byte = head[pos]
                        pos += 1
                        back = byte & 0x7F
                        while byte & 0x80:
                            byte = head[pos]
                            pos += 1
                            back = ((back + 1) << 7) | (byte & 0x7F)
                        deltas.append(_inflate(pack, offset + pos, size))
                        offset -= back
                        continue
                    if kind == 7:  # delta against an object named by id
                        base_id = head[pos:pos + HASH_SIZE]
                        deltas.append(_inflate(pack, offset + pos + HASH_SIZE, size))
                        kind_name, data = store.read(base_id)
                        break
                    if kind not in _PACK_KINDS:
                        raise Unsupported(f"pack object type {kind}")
                    kind_name, data = _PACK_KINDS[kind], _inflate(pack, offset + pos, size)
                    break
            except IndexError:
                raise Unsupported("truncated pack") from None
        for delta in reversed(deltas):
            data = _apply_delta(data, delta)
        return kind_name, data


def _inflate(handle: BufferedReader, offset: int, size: int) -> bytes:
    handle.seek(offset)
    inflater = zlib.decompressobj()
    out: list[bytes] = []
    produced = 0
    try:
        while not inflater.eof:
            chunk = inflater.unconsumed_tail or handle.read(16384)
            if not chunk:
                raise Unsupported("truncated pack")
            # never inflate past the size the header promised (corrupt data)
            piece = inflater.decompress(chunk, size + 1 - produced)
            produced += len(piece)
            if produced > size:
                raise Unsupported("pack object has the wrong size")
            out.append(piece)
    except zlib.error:
        raise Unsupported("corrupt pack data") from None
    if produced != size:
        raise Unsupported("pack object has the wrong size")
    return b"".join(out)


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, pos


def _apply_delta(base: bytes, delta: bytes) -> bytes:
    try:
        source_size, pos = _varint(delta, 0)
        target_size, pos = _varint(delta, pos)
        if source_size != len(base):
            raise Unsupported("delta does not fit its base")
        out = bytearray()
        while pos < len(delta):
            op = delta[pos]
            pos += 1
            if op & 0x80:  # copy a range of the base
                start = length = 0
                for bit in range(4):
                    if op & (1 << bit):
                        start |= delta[pos] << (8 * bit)
                        pos += 1
                for bit in range(3):
                    if op & (0x10 << bit):
                        length |= delta[pos] << (8 * bit)
                        pos += 1
                out += base[start:start + (length or 0x10000)]
            elif op:  # insert literal bytes
                out += delta[pos:pos + op]
                pos += op
            else:
                raise Unsupported("reserved delta opcode")
    except IndexError:
        raise Unsupported("truncated delta") from None
    if len(out) != target_size:
        raise Unsupported("delta result has the wrong size")
    return bytes(out)


# --------------------------------------------------------------------- trees

def commit_tree(store: ObjectStore, commit: str) -> bytes:
    """The root tree id of a commit (hex id in, raw id out)."""
    kind, body = store.read(bytes.fromhex(commit))
    if kind != "commit" or not body.startswith(b"tree "):
        raise Unsupported(f"{commit} is not a commit")
    return bytes.fromhex(body[5:5 + 2 * HASH_SIZE].decode("ascii"))


def tree_object(store: ObjectStore, tree: bytes, path: bytes) -> tuple[int, bytes] | None:
    """(mode, id) of the entry at `path` below the tree `tree`, or None."""
    found: tuple[int, bytes] | None = (TREE_MODE, tree)
    for name in path.split(b"/"):
        if found is None or found[0] != TREE_MODE:
            return None
        kind, body = store.read(found[1])
        if kind != "tree":
            raise Unsupported("a tree entry names a non-tree")
        found = _tree_lookup(body, name)
    return found


def _tree_lookup(body: bytes, name: bytes) -> tuple[int, bytes] | None:
    pos = 0
    try:
        while pos < len(body):
            space = body.index(b" ", pos)
            nul = body.index(b"\0", space)
            if body[space + 1:nul] == name:
                return int(body[pos:space], 8), body[nul + 1:nul + 1 + HASH_SIZE]
            pos = nul + 1 + HASH_SIZE
    except ValueError:
        raise Unsupported("malformed tree") from None
    return None
