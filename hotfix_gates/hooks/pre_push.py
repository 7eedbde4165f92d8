"""pre-push: a push to a protected branch, or of a hotfix branch, must pass its gates.

Raw hook: every `<local ref> <local id> <remote ref> <remote id>` line git
writes on stdin is judged, and the REMOTE ref decides (`git push origin
hotfix/001-x:main` is a push to main):

- a protected branch (configured globs): every record in the pushed commit's
  tree, merge gates and every post-incident gate whose deadline has passed;
- `hotfix/NNN-*`: that hotfix's record must exist in the pushed tree and pass
  HG001 record-valid and HG101 severity;
- deletions, tags, other refs and other branches pass.

Under pre-commit (which hands its hooks only the first ref of a push, and no
arguments) the `PRE_COMMIT_*` variables name the push instead of stdin; when
git's REMOTE and URL arguments are given, stdin decides.

Configuration is read from the pushed commit's tree. Which branches are
protected is decided first with the standard library (`fastgit`): a push
that needs no judging never loads pygit2 or PyYAML (the latter only when the
pushed commit has a `.hotfix-gates.yaml`).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.guard import guarded
from hotfix_gates.hooks.refs import Update
from hotfix_gates.model.constants import CONFIG_FILE, DEFAULT_PROTECTED
from hotfix_gates.model.errors import ToolError

TYPE_CHECKING = False  # `typing` costs the quick path a few milliseconds
if TYPE_CHECKING:
    from datetime import datetime
    from typing import TextIO

    import pygit2

    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.hooks.fastgit import ObjectStore
    from hotfix_gates.model.finding import Finding
    from hotfix_gates.parsing.config import Config

HOOK = "pre-push"
USAGE = """\
usage: hotfix-gate-pre-push [REMOTE [URL]] < push lines
git's pre-push hook. Reads '<local ref> <local id> <remote ref> <remote id>' lines on
stdin (as git writes them); run with no arguments under pre-commit, the
PRE_COMMIT_* variables instead.
A push to a protected branch must pass every gate in force; a push of hotfix/NNN-*
needs that hotfix's record with its severity set. To check by hand:
hotfix-gate check --rev REV"""


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(USAGE)
        return 0
    return guarded(HOOK, lambda: run(os.environ, sys.stdin, from_git=bool(args)))


def run(environ: Mapping[str, str], stdin: TextIO, from_git: bool = False) -> int:
    # git gives a pre-push hook the remote's name and URL and the refs on
    # stdin; pre-commit gives its hooks no arguments and the push in
    # PRE_COMMIT_* variables. A PRE_COMMIT left in the environment of a raw
    # hook must not replace what git says.
    updates = None if from_git else pre_commit_updates(environ)
    if updates is None:
        updates = refs.parse_push_lines(read_stdin(stdin))
    if quick_pass(updates, environ):
        return 0
    return full_check(updates, environ)


def read_stdin(stdin: TextIO) -> str:
    """All of stdin; a terminal means nobody is feeding push lines (no hang)."""
    try:
        if stdin.isatty():
            raise ToolError("no push lines on stdin: git runs this hook and writes them; "
                            "to check a commit by hand run `hotfix-gate check --rev REV`")
    except (AttributeError, ValueError):
        pass
    data = stdin.buffer.read() if hasattr(stdin, "buffer") else stdin.read().encode()
    return data.decode("utf-8", "surrogateescape")


def pre_commit_updates(environ: Mapping[str, str]) -> list[Update] | None:
    """The one ref pre-commit tells its hooks about, or None outside pre-commit.

    pre-commit sets TO_REF (the pushed commit) unless the push brings a root
    commit, and REMOTE_BRANCH/LOCAL_BRANCH when git gave it a remote. Run by
    hand (`pre-commit run --hook-stage pre-push`) there is no target: the
    commit (TO_REF, else HEAD) is judged as a push to a protected branch.
    """
    remote = environ.get("PRE_COMMIT_REMOTE_BRANCH", "").strip()
    to_ref = environ.get("PRE_COMMIT_TO_REF", "").strip()
    local = environ.get("PRE_COMMIT_LOCAL_BRANCH", "").strip()
    if not (remote or to_ref or environ.get("PRE_COMMIT")):
        return None
    from_ref = environ.get("PRE_COMMIT_FROM_REF", "").strip()
    new = to_ref or local or "HEAD"
    if refs.is_zero(new):
        new = ""
    return [Update(refs.full_ref(remote) if remote else None, from_ref or None,
                   new or None, local)]


# ------------------------------------------------------------ quick decision

def quick_pass(updates: list[Update], environ: Mapping[str, str]) -> bool:
    """True when no update needs judging, proven with the standard library.
    False means "look closer" (pygit2), never "blocked"."""
    pending = [u for u in updates if refs.needs_config(u)]
    if not pending:
        return True
    if any(refs.decide(u).judged for u in pending):
        return False  # judged unless configured otherwise: pygit2 reads the configuration
    from hotfix_gates.hooks import fastgit

    try:
        dirs = fastgit.find_git_dirs(environ=environ)
        if dirs is None:
            return False
        fastgit.check_format(dirs)
        store = fastgit.ObjectStore(dirs.common_dir, environ)
        globs: dict[bytes | None, tuple[str, ...]] = {}
        config_of: dict[str, bytes | None] = {}  # many refs often push one commit
        for update in pending:
            if update.ref is None or update.new is None or len(update.new) != 40:
                return False
            if update.new not in config_of:
                root = fastgit.commit_tree(store, update.new)
                entry = fastgit.tree_object(store, root, CONFIG_FILE.encode())
                key = config_of[update.new] = entry[1] if entry is not None else None
                if key not in globs:
                    globs[key] = _fast_globs(store, entry)
            if refs.decide(update, globs[config_of[update.new]]).judged:
                return False
    except fastgit.Unsupported:
        return False
    return True


def _fast_globs(store: ObjectStore, entry: tuple[int, bytes] | None) -> tuple[str, ...]:
    from hotfix_gates.hooks import fastgit

    if entry is None:
        return DEFAULT_PROTECTED
    mode, oid = entry
    if mode & 0o170000 != 0o100000:
        raise fastgit.Unsupported("the configuration is not a regular file")
    kind, data = store.read(oid)
    if kind != "blob":
        raise fastgit.Unsupported("the configuration is not a blob")
    from hotfix_gates.model.errors import ConfigError
    from hotfix_gates.parsing.config import parse_config

    try:
        config = parse_config(data.decode("utf-8-sig"), CONFIG_FILE)
    except (UnicodeDecodeError, ConfigError):
        raise fastgit.Unsupported("the configuration has problems") from None
    return config.protected_branches


# --------------------------------------------------------------- full check

class RefJudge:
    """Judges updates against trees, once per distinct (configuration, tree,
    decision): a push of many refs to the same commit costs one judgement.
    Only verdicts are kept from ref to ref, never trees or records, so memory
    does not grow with the number of refs pushed."""

    def __init__(self, repo: pygit2.Repository, now: datetime, hook: str) -> None:
        from hotfix_gates.git.cache import for_git_dir

        self.repo = repo
        self.now = now
        self.hook = hook
        self.missing_hint = "push from a clone that has it (`git fetch`), or check `git fsck`"
        self.parse_cache: ParseCache = for_git_dir(repo.path)
        self._last_tree: GitTree | None = None
        self._configs: dict[str, Config] = {}
        self._verdicts: dict[tuple[str, str, str, int | None], tuple[list[Finding], int]] = {}
        self._reported: dict[tuple[str, str, str, int | None], str] = {}

    def commit(self, rev: str, what: str) -> pygit2.Commit:
        """The commit `rev` (an id, or a ref name under pre-commit) names."""
        import pygit2

        try:
            obj = self.repo.revparse_single(rev)
        except (KeyError, ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise ToolError(f"{what}: object {rev} is not in the repository at "
                            f"{self.repo.path.rstrip('/')}; {self.missing_hint}") from None
        try:
            commit: pygit2.Commit = obj.peel(pygit2.Commit)
        except (ValueError, pygit2.GitError, pygit2.InvalidSpecError):
            raise ToolError(f"{what}: {rev} is a {obj.type_str}, not a commit; "
                            "a branch must point at a commit") from None
        return commit

    def tree(self, commit: pygit2.Commit, label: str) -> GitTree:
        from hotfix_gates.git.trees import GitTree

        found = self._last_tree
        if found is None or found.tree.id != commit.tree_id:
            found = GitTree(self.repo, commit.tree, label=label)
            found.cache = self.parse_cache
            self._last_tree = found
        return found

    def config(self, tree: GitTree) -> tuple[Config, str]:
        """The configuration in `tree` and a key naming it; ConfigError when
        it is broken."""
        from hotfix_gates.parsing.config import load_config

        kind = tree.kind(CONFIG_FILE)
        key = "defaults"
        if kind == "file":
            key = f"blob:{tree.object_id(CONFIG_FILE)}"
        elif kind is not None:
            key = f"tree:{tree.tree.id}"  # a link or folder: keyed by where it is read
        if key not in self._configs:
            self._configs[key] = load_config(tree)
        return self._configs[key], key

    def verdict(self, decision: refs.Decision, tree: GitTree, config: Config,
                config_key: str) -> tuple[list[Finding], int, bool]:
        """(findings, records judged, seen before) for this decision on `tree`."""
        key = (decision.kind, config_key, str(tree.tree.id), decision.number)
        if key in self._verdicts:
            return (*self._verdicts[key], True)
        if decision.kind == refs.PROTECTED:
            result = self._protected(tree, config)
        else:
            assert decision.number is not None
            result = self._hotfix(tree, config, decision.number)
        self._verdicts[key] = result
        return (*result, False)

    def _protected(self, tree: GitTree, config: Config) -> tuple[list[Finding], int]:
        from hotfix_gates.gates.builtin import DUE, MERGE
        from hotfix_gates.gates.engine import judge

        judgement = judge(tree, config, self.now, frozenset({MERGE, DUE}))
        return judgement.findings, len(judgement.records)

    def _hotfix(self, tree: GitTree, config: Config, number: int) -> tuple[list[Finding], int]:
        """The hotfix's own record must exist and pass HG001 and HG101. Only
        its folder is read: a push of many hotfix branches, or a repository
        of many records, costs one record per ref."""
        from hotfix_gates.gates.builtin import GATES, HOTFIX_PUSH, Context
        from hotfix_gates.gates.engine import apply_policy, load_record, record_folders
        from hotfix_gates.model.constants import folder_number
        from hotfix_gates.model.finding import Finding, Level
        from hotfix_gates.parsing.hotfix import RECORD_CODE, RECORD_NAME

        found, _ = record_folders(tree, config)
        # A cheap first filter, so a tree of many records costs one C-level
        # match per name; folder_number has the last word.
        candidate = re.compile(rf"(?:hotfix-)?0*{number}-").match
        mine = [folder for folder in found if candidate(folder, folder.rfind("/") + 1)
                and folder_number(folder) == number]
        if not mine:
            missing = Finding(
                f"{config.specs_dir}/{number:03d}-*", 1, RECORD_CODE, RECORD_NAME,
                f"no record for hotfix-{number:03d} in the pushed commit",
                f"commit the record folder {config.specs_dir}/{number:03d}-<slug>/ with its "
                f"hotfix.md (`hotfix-gate new` makes one) before pushing the branch",
                Level.ERROR)
            return apply_policy([missing], None, config, self.now), 0
        findings: list[Finding] = []
        for folder in mine:
            record, parse_findings = load_record(tree, folder)
            ctx = Context(record, tree, config, self.now, frozenset({HOTFIX_PUSH}),
                          parse_findings)
            raw = [f for unit in GATES if unit.code in ("HG001", "HG101")
                   for f in unit.check(ctx)]
            if record.format == "legacy":
                from hotfix_gates.parsing.speckit import reword

                raw = reword(raw)  # fixes worded for the Markdown-only form
            findings.extend(apply_policy(raw, record, config, self.now))
        return findings, len(mine)

    def report(self, update: Update, decision: refs.Decision, tree: GitTree,
               config: Config, config_key: str, rerun: str) -> bool:
        """Judge and print one update; True when it blocks."""
        from hotfix_gates.hooks.verdict import report

        findings, count, seen = self.verdict(decision, tree, config, config_key)
        key = (decision.kind, config_key, str(tree.tree.id), decision.number)
        blocked = any(f.blocking for f in findings)
        if seen and findings:
            state = "blocked" if blocked else "warnings"
            print(f"hotfix-gate {self.hook} to {update.name}: {state}: the same findings as "
                  f"for {self._reported[key]} above", file=sys.stderr)
            return blocked
        self._reported.setdefault(key, update.name)
        return report(findings, count, hook=f"{self.hook} to {update.name}", rerun=rerun) != 0

    def save(self) -> None:
        # The cache keeps only what a run used: a run that judged no protected
        # ref never read post-mortems or tests, and saving would drop them.
        if any(key[0] == refs.PROTECTED for key in self._verdicts):
            self.parse_cache.save()


def open_repository(environ: Mapping[str, str]) -> pygit2.Repository:
    from hotfix_gates.git.repository import open_repo

    return open_repo(environ.get("GIT_DIR") or None)


def clock(environ: Mapping[str, str]) -> datetime:
    from hotfix_gates.model.timeutil import resolve_now

    return resolve_now(None, dict(environ))


def full_check(updates: list[Update], environ: Mapping[str, str]) -> int:
    """Read the pushed commits with pygit2 and judge every update that needs it."""
    from hotfix_gates.model.errors import ConfigError

    repo = open_repository(environ)
    judge = RefJudge(repo, clock(environ), HOOK)
    blocked = False
    try:
        for update in updates:
            if not refs.needs_config(update) or update.new is None:
                continue
            commit = judge.commit(update.new, f"pushing {update.source or 'HEAD'} to "
                                              f"{update.name}")
            tree = judge.tree(commit, f"pushed commit {str(commit.id)[:12]}")
            try:
                config, config_key = judge.config(tree)
            except ConfigError as exc:
                raise ToolError(f"{exc} (read from the pushed commit, pushing to "
                                f"{update.name})") from None
            decision = refs.decide(update, config.protected_branches)
            if not decision.judged:
                continue
            rerun = f"hotfix-gate check --rev {commit.id}"
            blocked |= judge.report(update, decision, tree, config, config_key, rerun)
    finally:
        judge.save()
    return 1 if blocked else 0


if __name__ == "__main__":
    sys.exit(main())
