"""commit-msg: merges, squashes and direct edits that bring a hotfix record
onto a protected branch must pass the merge gates.

The commit is judged on the index about to be committed (`$GIT_INDEX_FILE`,
which git sets for `commit -a` and `commit PATH` too), and only on the records
whose folders differ between HEAD's tree and that index. On a `hotfix/*`
branch the record's unmet merge gates are printed as reminders and never
block. Other branches and a detached HEAD pass silently.

The fast path (standard library and `git` commands; pygit2, yaml and click
stay unloaded on ordinary commits) decides "pass", in this order, and nothing
else:

1. HEAD is detached (a rebase, a bisect): pass, without running git.
2. The protected globs and the specs folder come from the `.hotfix-gates.yaml`
   in the index (the tree being committed; `git ls-files` honours
   $GIT_INDEX_FILE), else the defaults. Its settings are cached by blob id,
   so YAML is parsed once per version of the file (see quickconfig).
3. The branch is neither protected nor `hotfix/*`: pass.
4. On a protected branch, `git diff-index --cached` names no changed path in
   a record folder (under the specs folder, or an older `hotfix-NNN-*`
   folder beside a `.../hotfix` one): pass.

Everything else, and whatever git cannot answer (a configuration that does
not load, one that is not a regular file, a HEAD with no commit yet, an
error), takes the full check with pygit2: diff HEAD's tree against the
index, judge the changed records.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from hotfix_gates.git.command import (
    GitFailed,
    common_dir_of,
    find_git_dir,
    head_branch,
    index_entry,
    run_git,
)
from hotfix_gates.hooks.quickconfig import settings_of
from hotfix_gates.model.constants import CONFIG_FILE

TYPE_CHECKING = False  # typing itself costs the fast path a few milliseconds
if TYPE_CHECKING:
    from typing import NoReturn

    import pygit2

HOOK = "commit-msg"
HOTFIX_BRANCH = re.compile(r"hotfix/")


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
    except GitFailed:
        pass
    return full_check()


def fast_pass(environ: Mapping[str, str]) -> bool:
    """True when the commit provably needs no judging (see the module text);
    False, or GitFailed, sends it to the full check."""
    git_dir = find_git_dir(environ)
    if git_dir is None:
        return False
    branch = head_branch(git_dir)
    if branch is None:
        return True
    entry = index_entry(CONFIG_FILE, environ)
    settings = settings_of([entry], common_dir_of(git_dir, environ), environ)[entry]
    if settings is None:
        return False  # a configuration that does not load: the full check says why
    protected, specs_dir = settings
    if not _protected(branch, protected):
        return HOTFIX_BRANCH.match(branch) is None
    # Plumbing, not `git diff`: no user setting (diff.relative) changes what it
    # lists. Intent-to-add paths (`git add -N`) are not part of the commit.
    changed = run_git(["diff-index", "--cached", "--name-only", "-z", "--no-renames",
                       "--ita-invisible-in-index", "HEAD", "--", *_watched(specs_dir)], environ)
    return not any(record_folder(os.fsdecode(path), specs_dir)
                   for path in changed.split(b"\0") if path)


def _protected(branch: str, globs: tuple[str, ...]) -> bool:
    from fnmatch import fnmatchcase

    return any(fnmatchcase(branch, pattern) for pattern in globs)


def _watched(specs_dir: str) -> list[str]:
    """Pathspecs that hold every record folder: the specs folder and, beside
    a `.../hotfix` one, its parent (for the older `hotfix-NNN-*` folders).
    Paths in them that belong to no record folder are sorted out after."""
    parent, _, base = specs_dir.rpartition("/")
    if base != "hotfix":
        return [f":(top,literal){specs_dir}"]
    return [f":(top,literal){parent}" if parent else ":(top)"]


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

    git_dir = find_git_dir(os.environ)
    repo = open_repo(git_dir)
    branch = current_branch(repo)
    if branch is None:
        return 0
    try:
        index = _open_index(repo)
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
                             uncommitted(repo, tree, judgement, "index"))
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


def _open_index(repo: pygit2.Repository) -> pygit2.Index:
    """The index git is committing: $GIT_INDEX_FILE (a temporary one for
    `commit -a` and `commit PATH`; relative to here), else the repository's."""
    import pygit2

    from hotfix_gates.model.errors import ToolError

    where = os.path.abspath(os.environ.get("GIT_INDEX_FILE") or os.path.join(repo.path, "index"))
    failure = ""
    # pygit2's Index complains on stderr when its constructor fails and the
    # half-made object goes: keep quiet until then, and say it once below
    quiet, sys.unraisablehook = sys.unraisablehook, lambda _: None
    try:
        if os.path.exists(where):
            index: pygit2.Index = pygit2.Index(where)
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


def entry() -> NoReturn:
    """The hook's process (the installed hook, the console script)."""
    from hotfix_gates.hooks.guard import finish

    finish(main())


if __name__ == "__main__":
    entry()
