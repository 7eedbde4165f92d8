"""commit-msg: merges, squashes and direct edits that bring a hotfix record
onto a protected branch must pass the merge gates.

The commit is judged on the index about to be committed (`$GIT_INDEX_FILE`,
which git sets for `commit -a` and `commit PATH` too), and only on the records
whose folders differ between HEAD's tree and that index. On a `hotfix/*`
branch the record's unmet merge gates are printed as reminders and never
block. Other branches and a detached HEAD pass silently.

The fast path (standard library only; pygit2, yaml and click stay unloaded)
decides "pass", in this order, and nothing else:

1. HEAD is detached (a rebase, a bisect): pass.
2. The index (version 2 or 3, neither split nor sparse) holds no path
   containing `hotfix.md`: no record can come in or change, pass.
3. The branch is neither protected nor `hotfix/*`: pass. Protected globs come
   from the index's `.hotfix-gates.yaml` (read and parsed only when present),
   else the defaults; without that file this needs no parsing of the index.
4. On a protected branch, the tree ids the index gives the specs folder (and
   every older `hotfix-NNN-*` folder beside it) equal HEAD's: pass. The ids
   are computed from the index entries as git would write the trees, and
   HEAD's are read from its loose or packed objects.

Everything else, and anything the reader does not understand (index version
4, a SHA-256 repository, a missing object, ...), takes the full check with
pygit2: diff HEAD's tree against the index, judge the changed records.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from hotfix_gates.hooks import fastgit
from hotfix_gates.model.constants import (
    CONFIG_FILE,
    DEFAULT_PROTECTED,
    DEFAULT_SPECS_DIR,
    LEGACY_FOLDER,
)

TYPE_CHECKING = False  # typing itself costs the fast path a few milliseconds
if TYPE_CHECKING:
    import pygit2

HOOK = "commit-msg"
HOTFIX_BRANCH = re.compile(r"hotfix/")
LEGACY_FOLDER_BYTES = re.compile(LEGACY_FOLDER.pattern.encode())


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print("usage: hotfix-gate-commit-msg [MESSAGE_FILE]\n"
              "git's commit-msg hook: a commit on a protected branch that brings in or changes\n"
              "a hotfix record must pass the merge gates (judged on the index).")
        return 0
    from hotfix_gates.hooks.guard import guarded

    return guarded(HOOK, run)


def run() -> int:
    try:
        if fast_pass(os.environ):
            return 0
    except fastgit.Unsupported:
        pass
    return full_check()


def fast_pass(environ: Mapping[str, str]) -> bool:
    """True when the commit provably needs no judging (see the module text);
    False, or fastgit.Unsupported, sends it to the full check."""
    dirs = fastgit.find_git_dirs(environ=environ)
    if dirs is None:
        return False
    branch = fastgit.head_branch(dirs.git_dir)
    if branch is None:
        return True
    data = fastgit.read_index(dirs.index_file)
    if fastgit.index_lacks(data, b"hotfix.md"):
        return True
    fastgit.check_format(dirs)
    hotfix_branch = HOTFIX_BRANCH.match(branch) is not None
    if fastgit.index_lacks(data, CONFIG_FILE.encode()) and \
            not _protected(branch, DEFAULT_PROTECTED):
        return not hotfix_branch  # no configuration: the defaults decide, no parsing
    index = fastgit.parse_index(data)  # refuses a split index
    if b"hotfix.md" not in data and not index.sparse:
        return True
    store = fastgit.ObjectStore(dirs.common_dir, environ)
    protected, specs_dir = _fast_config(index, store)
    if not _protected(branch, protected):
        return not hotfix_branch
    head = fastgit.resolve_ref(dirs.common_dir, f"refs/heads/{branch}")
    if head is None:
        return False  # the first commit: every record in the index is new
    root = fastgit.commit_tree(store, head)
    for folder in _watched(index, specs_dir.encode("utf-8")):
        folder = index.sparse_folder(folder) or folder  # compare a sparse folder whole
        mine = index.object_at(folder)
        if mine is not None and mine != fastgit.tree_object(store, root, folder):
            return False
    return True


def _protected(branch: str, globs: tuple[str, ...]) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(branch, pattern) for pattern in globs)


def _fast_config(index: fastgit.Index, store: fastgit.ObjectStore
                 ) -> tuple[tuple[str, ...], str]:
    """(protected globs, specs folder) from the index's configuration."""
    entry = index.find(CONFIG_FILE.encode())
    if entry is None or entry.intent_to_add:
        return DEFAULT_PROTECTED, DEFAULT_SPECS_DIR
    if entry.mode & 0o170000 != 0o100000:
        raise fastgit.Unsupported("the configuration is not a regular file")
    kind, data = store.read(entry.oid)
    if kind != "blob":
        raise fastgit.Unsupported("the configuration is not a blob")
    from hotfix_gates.model.errors import ConfigError
    from hotfix_gates.parsing.config import parse_config

    try:
        text = data.decode("utf-8-sig")
        config = parse_config(text, f"{CONFIG_FILE} (index)")
    except (UnicodeDecodeError, ConfigError):
        raise fastgit.Unsupported("the configuration has problems") from None
    return config.protected_branches, config.specs_dir


def _watched(index: fastgit.Index, specs_dir: bytes) -> list[bytes]:
    """The folders whose content decides whether a record changed: the specs
    folder, and the older `hotfix-NNN-*` folders beside a `.../hotfix` one."""
    folders = [specs_dir]
    parent, _, base = specs_dir.rpartition(b"/")
    if base == b"hotfix":
        prefix = parent + b"/" if parent else b""
        for entry in index.under(prefix + b"hotfix-"):
            name = entry.path[len(prefix):].split(b"/", 1)[0]
            if LEGACY_FOLDER_BYTES.fullmatch(name) and prefix + name not in folders:
                folders.append(prefix + name)
    return folders


def full_check() -> int:
    """Read the repository with pygit2: which records change, and the gates."""
    from hotfix_gates.gates.engine import COMMIT, judge
    from hotfix_gates.gates.subject import Run
    from hotfix_gates.git.repository import current_branch, open_repo
    from hotfix_gates.git.trees import IndexTree
    from hotfix_gates.hooks.judge import uncommitted
    from hotfix_gates.hooks.verdict import outcome, report
    from hotfix_gates.model.constants import folder_number
    from hotfix_gates.model.errors import ToolError
    from hotfix_gates.model.timeutil import resolve_now
    from hotfix_gates.parsing.config import load_config
    from hotfix_gates.parsing.records import record_folders

    try:
        dirs = fastgit.find_git_dirs()
    except fastgit.Unsupported:
        dirs = None
    repo = open_repo(dirs.git_dir if dirs is not None else None)
    branch = current_branch(repo)
    if branch is None:
        return 0
    try:
        index = _open_index(repo, dirs)
    except ToolError:
        # An index pygit2 cannot read (a split index) only matters where
        # the commit would be judged; HEAD's configuration says where.
        if not _protected_at_head(repo, branch):
            return 0
        raise
    tree = IndexTree(repo, index)
    config = load_config(tree)
    run = Run(tree, config, resolve_now(None))
    if config.is_protected(branch):
        folders = changed_folders(repo, index, config.specs_dir)
        if not folders:
            return 0
        judgement = judge(run, COMMIT, folders)
        rerun = "hotfix-gate check; then `git add` the fix and commit again"
        if os.path.exists(os.path.join(repo.path, "MERGE_HEAD")):
            rerun += " (the merge is still in progress: `git commit` completes it)"
        result = outcome(judgement, config)
        if result.blocked:
            result = outcome(judgement, config,
                             uncommitted(repo, tree, result.findings, "index"))
        return report(result, hook=HOOK, rerun=rerun)
    if HOTFIX_BRANCH.match(branch):
        number = folder_number(branch.split("/", 1)[1])
        found, _ = record_folders(tree, config)
        mine = [folder for folder in found if folder_number(folder) == number]
        if number is None or not mine:
            return 0
        judgement = judge(run, COMMIT, mine)
        return report(outcome(judgement, config), hook=HOOK, advisory=True)
    return 0


def _protected_at_head(repo: pygit2.Repository, branch: str) -> bool:
    """Whether `branch` is protected by the configuration in HEAD's commit
    (the defaults with none, or when it cannot be read)."""
    import contextlib

    import pygit2

    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.model.config import Config
    from hotfix_gates.model.errors import ConfigError
    from hotfix_gates.parsing.config import load_config

    config = Config()
    if not repo.head_is_unborn:
        with contextlib.suppress(ConfigError, pygit2.GitError):
            config = load_config(GitTree(repo, repo.head.peel(pygit2.Tree), "HEAD"))
    return config.is_protected(branch)


def _open_index(repo: pygit2.Repository, dirs: fastgit.GitDirs | None) -> pygit2.Index:
    """The index git is committing: $GIT_INDEX_FILE (a temporary one for
    `commit -a` and `commit PATH`), else the repository's."""
    import pygit2

    from hotfix_gates.model.errors import ToolError

    where = dirs.index_file if dirs is not None else os.path.join(repo.path, "index")
    failure = ""
    # pygit2's Index complains on stderr when its constructor fails and the
    # half-made object goes: keep quiet until then, and say it once below
    quiet, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        if dirs is None:
            index: pygit2.Index = repo.index
        elif os.path.exists(dirs.index_file):
            index = pygit2.Index(dirs.index_file)
        else:
            index = pygit2.Index()
    except pygit2.GitError as exc:
        failure = str(exc)
    finally:
        if failure:
            import gc

            gc.collect()  # the half-made Index is in a reference cycle
        sys.unraisablehook = quiet
    if failure:
        message = f"cannot read the index {where}: {failure}"
        if "extension" in failure:
            message += ("; a split or sparse index cannot be read here: turn it off "
                        "(`git update-index --no-split-index`, `git sparse-checkout set "
                        "--no-sparse-index`), or commit with --no-verify and let pre-push judge")
        raise ToolError(message)
    return index


def changed_folders(repo: pygit2.Repository, index: pygit2.Index, specs_dir: str) -> list[str]:
    """Record folders (by path) whose content differs between HEAD and the index."""
    import pygit2

    head: pygit2.Tree | None = None
    if not repo.head_is_unborn:
        head = repo.head.peel(pygit2.Tree)
    if head is None:
        paths = {entry.path for entry in index}
    else:
        paths = set()
        for delta in head.diff_to_index(index).deltas:
            paths.add(delta.old_file.path)
            paths.add(delta.new_file.path)
    folders = {record_folder(path, specs_dir) for path in paths}
    return sorted(folder for folder in folders if folder is not None)


def record_folder(path: str, specs_dir: str) -> str | None:
    """The record folder a changed path belongs to, if any."""
    from hotfix_gates.model.constants import LEGACY_FOLDER as LEGACY
    from hotfix_gates.model.constants import RECORD_FOLDER

    if path.startswith(specs_dir + "/"):
        name = path[len(specs_dir) + 1:].split("/", 1)[0]
        if RECORD_FOLDER.fullmatch(name):
            return f"{specs_dir}/{name}"
    parent, _, base = specs_dir.rpartition("/")
    if base == "hotfix":
        prefix = f"{parent}/" if parent else ""
        if path.startswith(prefix):
            name = path[len(prefix):].split("/", 1)[0]
            if LEGACY.fullmatch(name):
                return prefix + name
    return None


if __name__ == "__main__":
    sys.exit(main())
