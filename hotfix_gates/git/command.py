"""`git` as a command, and the git dir and HEAD read from their files.

Standard library only and cheap to import: the hooks' fast paths use it
before they decide whether pygit2 is needed. Objects, the index and refs are
asked of `git` itself, which honours what git hands a hook (GIT_DIR,
GIT_INDEX_FILE, GIT_WORK_TREE, the quarantine's object directories): the
child inherits the environment and the working directory. Only HEAD's branch
is read from its file, since it is one line of text and a process costs more
than the rest of the fast path.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping

# The empty tree, which git knows without storing it, by the length of an id.
EMPTY_TREE = {
    40: "4b825dc642cb6eb9a060e54bf8d69288fbee4904",
    64: "6ef19b41225c5369f1c104d45d8d85efa9b057b53b14b4b9b939dd74decc5321",
}
REGULAR_MODES = (b"100644", b"100755")
_HEX = frozenset("0123456789abcdef")


class GitFailed(Exception):
    """git could not answer: it is missing, it failed, or it said something
    this module does not expect. A fast path treats it as "look closer"."""


def run_git(args: list[str], environ: Mapping[str, str] | None = None,
            stdin: bytes | None = None) -> bytes:
    """git's standard output for `git ARGS`; GitFailed when it cannot run or
    exits non-zero. It runs here, with `environ` (default: ours), and takes
    no optional locks: the git that runs a hook may hold the index lock."""
    env = None if environ is None or environ is os.environ else dict(environ)
    try:
        done = subprocess.run(["git", "--no-optional-locks", *args], env=env, input=stdin,
                              capture_output=True, check=False)
    except OSError as exc:
        raise GitFailed(f"cannot run git: {exc}") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitFailed(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}")
    return done.stdout


def is_object_id(text: str) -> bool:
    return len(text) in EMPTY_TREE and set(text) <= _HEX


# ------------------------------------------------------------- git dir, HEAD

def find_git_dir(environ: Mapping[str, str], cwd: str | None = None) -> str | None:
    """The git dir git would use from `cwd` ($GIT_DIR, else the nearest `.git`
    folder or `gitdir:` file, else `cwd` itself when it is a bare repository);
    None when there is none. A linked worktree's git dir is its own (HEAD,
    index); `common_dir_of` gives the one all worktrees share."""
    here = os.path.abspath(cwd if cwd is not None else os.getcwd())
    if environ.get("GIT_DIR"):
        named = os.path.join(here, environ["GIT_DIR"])
        return os.path.normpath(named) if _is_git_dir(named) else None
    current = here
    while True:
        dot_git = os.path.join(current, ".git")
        if os.path.isfile(dot_git):
            linked = _follow_gitfile(dot_git)
            if linked is not None and _is_git_dir(linked):
                return os.path.normpath(linked)
        elif _is_git_dir(dot_git):
            return dot_git
        elif current == here and _is_git_dir(current) and os.path.isdir(
                os.path.join(current, "objects")):
            return current  # a bare repository, as git runs its hooks there
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _is_git_dir(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "HEAD"))


def _follow_gitfile(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read(4096).strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not text.startswith("gitdir:"):
        return None
    return os.path.join(os.path.dirname(path), text[len("gitdir:"):].strip())


def common_dir_of(git_dir: str, environ: Mapping[str, str] | None = None) -> str:
    """The git dir all worktrees share (objects, refs, config, hooks): a linked
    worktree's git dir names it in its `commondir` file. GitFailed when that
    file cannot be read."""
    if environ is not None and environ.get("GIT_COMMON_DIR"):
        return os.path.normpath(os.path.abspath(environ["GIT_COMMON_DIR"]))
    try:
        with open(os.path.join(git_dir, "commondir"), encoding="utf-8") as handle:
            return os.path.normpath(os.path.join(git_dir, handle.read().strip()))
    except FileNotFoundError:
        return os.path.normpath(git_dir)
    except (OSError, UnicodeDecodeError) as exc:
        raise GitFailed(f"unreadable commondir in {git_dir}: {exc}") from None


def head_branch(git_dir: str) -> str | None:
    """The branch HEAD names (also one with no commit yet), or None when HEAD
    is detached. GitFailed for anything else: an unreadable HEAD, a symbolic
    link, a ref outside refs/heads/, the placeholder of a reftable repository."""
    path = os.path.join(git_dir, "HEAD")
    try:
        if os.path.islink(path):
            raise GitFailed("HEAD is a symbolic link")
        with open(path, encoding="utf-8") as handle:
            head = handle.read(4096).strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise GitFailed(f"unreadable HEAD: {exc}") from None
    if head.startswith("ref:"):
        ref = head[len("ref:"):].strip()
        branch = ref[len("refs/heads/"):]
        if ref.startswith("refs/heads/") and branch and branch != ".invalid":
            return branch
        raise GitFailed(f"HEAD names {ref!r}")
    if is_object_id(head):
        return None
    raise GitFailed("HEAD names neither a branch nor a commit")


# ----------------------------------------------------------- entries by path

Entry = tuple[bytes, str]  # (mode as git writes it, object id)


def index_entry(path: str, environ: Mapping[str, str] | None = None) -> Entry | None:
    """What the index ($GIT_INDEX_FILE, else the repository's) holds at
    `path` from the top of the working tree, or None. GitFailed unless it is
    one entry at exactly that path, merged."""
    out = run_git(["ls-files", "--stage", "--full-name", "-z", "--", f":(top,literal){path}"],
                  environ)
    entries = [item for item in out.split(b"\0") if item]
    if not entries:
        return None
    meta, _, name = entries[0].partition(b"\t")
    fields = meta.split(b" ")
    if len(entries) != 1 or name != path.encode() or len(fields) != 3 or fields[2] != b"0":
        raise GitFailed(f"the index holds more than one entry at {path}")
    return fields[0], fields[1].decode("ascii")


def commit_entries(commits: Iterable[str], path: str,
                   environ: Mapping[str, str] | None = None) -> dict[str, Entry | None]:
    """What each commit's tree holds at the top-level `path`, asked of two git
    processes whatever the number of commits. GitFailed when an id is not a
    commit of this repository."""
    assert "/" not in path, "diff-tree without -r names a folder, not what is inside"
    commits = list(dict.fromkeys(commits))
    if not commits:
        return {}
    if not all(is_object_id(commit) for commit in commits):
        raise GitFailed("not an object id")
    asked = "".join(f"{commit}\n{commit}^{{tree}}\n" for commit in commits).encode()
    answers = run_git(["cat-file", "--batch-check=%(objecttype) %(objectname)"], environ,
                      asked).decode("ascii", "replace").splitlines()
    if len(answers) != 2 * len(commits):
        raise GitFailed("cat-file answered another number of lines")
    tree_of: dict[str, str] = {}
    for commit, kind, tree in zip(commits, answers[0::2], answers[1::2], strict=True):
        if kind != f"commit {commit}" or not tree.startswith("tree "):
            raise GitFailed(f"{commit} is not a commit here ({kind})")
        tree_of[commit] = tree[len("tree "):]
    trees = list(dict.fromkeys(tree_of.values()))
    # diff-tree from the empty tree lists what a tree holds, with its mode;
    # it writes each pair it reads, then that pair's entries.
    pairs = "".join(f"{EMPTY_TREE[len(tree)]} {tree}\n" for tree in trees).encode()
    out = run_git(["diff-tree", "--stdin", "-z", "--no-renames", "--",
                   f":(top,literal){path}"], environ, pairs)
    try:
        found = _diff_tree_entries(out, path.encode())
    except (ValueError, UnicodeDecodeError):
        raise GitFailed("diff-tree wrote something unexpected") from None
    if set(found) != set(trees):
        raise GitFailed("diff-tree did not answer for every tree")
    return {commit: found[tree] for commit, tree in tree_of.items()}


def _diff_tree_entries(out: bytes, path: bytes) -> dict[str, Entry | None]:
    """Per tree, its entry at `path` from `diff-tree --stdin -z` output: each
    pair read comes back as a line `<empty> <tree>`, then `:<modes> <ids>
    <status>` NUL `<path>` NUL per entry."""
    found: dict[str, Entry | None] = {}
    pos, current = 0, ""
    while pos < len(out):
        if out[pos:pos + 1] != b":":
            # the pair's line ends in a newline (a NUL in case a later git
            # applies -z to it too)
            ends = [end for end in (out.find(b"\n", pos), out.find(b"\0", pos)) if end >= 0]
            if not ends:
                raise ValueError("an unterminated line")
            end = min(ends)
            current = out[pos:end].decode("ascii").rpartition(" ")[2]
            found[current] = None
            pos = end + 1
            continue
        meta_end = out.index(b"\0", pos)
        name_end = out.index(b"\0", meta_end + 1)
        fields = out[pos + 1:meta_end].split(b" ")
        if out[meta_end + 1:name_end] == path and len(fields) == 5 and current:
            found[current] = fields[1], fields[3].decode("ascii")
        pos = name_end + 1
    return found
