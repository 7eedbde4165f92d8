"""The shared ref judge of pre-push and pre-receive: one judgement per
distinct (configuration, tree, decision), the repository and the clock."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.refs import Update
from hotfix_gates.model.constants import CONFIG_FILE
from hotfix_gates.model.errors import ToolError

if TYPE_CHECKING:
    from datetime import datetime

    import pygit2

    from hotfix_gates.gates.engine import Judgement
    from hotfix_gates.gates.tests import Scans
    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.hooks.verdict import Outcome
    from hotfix_gates.model.config import Config
    from hotfix_gates.model.tree import TreeView


class RefJudge:
    """Judges updates against trees, once per distinct (configuration, tree,
    decision): a push of many refs to the same commit costs one judgement.
    Only verdicts are kept from ref to ref, never trees or records, so memory
    does not grow with the number of refs pushed."""

    def __init__(self, repo: pygit2.Repository, now: datetime, hook: str) -> None:
        from hotfix_gates.gates.tests import HOOK_PARSE_BYTES, Scans
        from hotfix_gates.git.cache import for_git_dir
        from hotfix_gates.git.repository import accepted_rules

        self.repo = repo
        self.now = now
        self.hook = hook
        self.missing_hint = "push from a clone that has it (`git fetch`), or check `git fsck`"
        self.parse_cache: ParseCache = for_git_dir(repo.path)
        # One budget for the test files of every ref pushed: ten branches do
        # not buy ten times the parsing.
        self.scans: Scans = Scans(parse_limit=HOOK_PARSE_BYTES)
        self.accepted_rules = accepted_rules(repo)
        # The last three: a pushed tree, its target's and the default branch's.
        self._trees: dict[str, GitTree] = {}
        self._configs: dict[str, Config] = {}
        self._verdicts: dict[VerdictKey, Outcome] = {}
        self._reported: dict[VerdictKey, str] = {}

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

        key = str(commit.tree_id)
        found = self._trees.pop(key, None)
        if found is None:
            found = GitTree(self.repo, commit.tree_id, label=label)
            found.cache = self.parse_cache
        self._trees[key] = found  # the most recent last
        while len(self._trees) > 3:
            del self._trees[next(iter(self._trees))]
        return found

    def config(self, tree: GitTree) -> tuple[Config, str]:
        """The configuration in `tree` and a key naming it; ConfigError when
        it is broken."""
        from dataclasses import replace

        from hotfix_gates.model.config import Config

        kind = tree.kind(CONFIG_FILE)
        key = "defaults"
        if kind == "file":
            key = f"blob:{tree.object_id(CONFIG_FILE)}"
        elif kind is not None:
            key = f"tree:{tree.tree_id}"  # a link or folder: keyed by where it is read
        if key not in self._configs:
            if kind is None:
                self._configs[key] = Config()  # what load_config gives, without loading it
            elif kind == "file":  # a blob's settings never change: kept in the parse cache
                found = self.parse_cache.config(key, lambda: _load(tree))
                self._configs[key] = replace(found, source=f"{CONFIG_FILE} ({tree.label})")
            else:
                self._configs[key] = _load(tree)
        return self._configs[key], key

    def verdict(self, decision: refs.Decision, tree: GitTree, config: Config,
                config_key: str, target: Target | None = None) -> tuple[Outcome, bool]:
        """The outcome of this decision on `tree`, and whether it was seen before."""
        from hotfix_gates.gates.branches import judge_hotfix
        from hotfix_gates.gates.engine import MERGE_CHECK, Judgement, judge, judge_rules
        from hotfix_gates.gates.subject import Run
        from hotfix_gates.hooks.verdict import outcome
        from hotfix_gates.model.finding import sort_key

        key = _key(decision, tree, config_key, target)
        if key in self._verdicts:
            return self._verdicts[key], True
        run = Run(tree, config, self.now, self.parse_cache, self.scans,
                  accepted_rules=self.accepted_rules)
        if target is not None:
            run.baseline, run.config_file = target.tree, target.config_file
            run.reference, run.reference_name = target.reference, target.reference_name
            run.next_config = target.next_config
        if decision.kind == refs.PROTECTED:
            judgement = judge(run, MERGE_CHECK)
        elif decision.kind == refs.RULES:
            judgement = judge_rules(run)
        else:
            assert decision.number is not None
            judgement = judge_hotfix(run, decision.number)
            if target is not None:  # the server's default branch: it judges others
                rules = judge_rules(run).findings
                judgement = Judgement(judgement.verdicts,
                                      sorted([*judgement.findings, *rules], key=sort_key))
        result = outcome(judgement, config)
        if result.blocked:
            result = outcome(judgement, config, uncommitted(self.repo, tree, judgement,
                                                            "commit"))
        self._verdicts[key] = result
        return result, False

    def report(self, update: Update, decision: refs.Decision, tree: GitTree,
               config: Config, config_key: str, rerun: str, target: Target | None = None,
               shown: str | None = None) -> bool:
        """Judge and print one update (named `shown`, else by its ref); True
        when it blocks."""
        from hotfix_gates.hooks.verdict import report
        from hotfix_gates.model.finding import printable

        result, seen = self.verdict(decision, tree, config, config_key, target)
        key = _key(decision, tree, config_key, target)
        name = printable(shown or update.name)
        if seen and result.findings:
            state = "blocked" if result.blocked else "warnings"
            print(f"hotfix-gate {self.hook} to {name}: {state}: the same findings as "
                  f"for {self._reported[key]} above", file=sys.stderr)
            return result.blocked
        self._reported.setdefault(key, name)
        return report(result, hook=f"{self.hook} to {name}", rerun=rerun) != 0

    def save(self) -> None:
        # The cache keeps only what a run used: a run that judged no protected
        # ref never read post-mortems or tests, and saving would drop them.
        if any(key[0] == refs.PROTECTED for key in self._verdicts):
            self.parse_cache.save()


class Target:
    """What the server (or CI) knows of the branch a push updates: its current
    tree, whose records the pushed ones must keep (None for a branch the
    push creates), and the configuration file read from it, whose pushed
    copy must still load. On the server, for a branch other than its
    default one, `reference` is the default branch's tree (named
    `reference_name`), whose milestones no record may move later."""

    __slots__ = ("config_file", "next_config", "reference", "reference_name", "tree")

    def __init__(self, tree: GitTree | None, config_file: str = CONFIG_FILE,
                 reference: GitTree | None = None, reference_name: str = "") -> None:
        self.tree = tree
        self.config_file = config_file
        self.reference = reference
        self.reference_name = reference_name
        # See Run.next_config: set when the target's configuration is broken.
        self.next_config: tuple[Config, str] | None = None


VerdictKey = tuple[str, str, str, int | None, str]


def _key(decision: refs.Decision, tree: GitTree, config_key: str,
         target: Target | None) -> VerdictKey:
    """One verdict per (decision, configuration, tree, target tree)."""
    against = "" if target is None else f"{target.config_file}:" + (
        str(target.tree.tree_id) if target.tree is not None else "new") + (
        f":{target.reference.tree_id}" if target.reference is not None else "") + (
        f":next {target.next_config[1]}" if target.next_config is not None else "")
    return (decision.kind, config_key, str(tree.tree_id), decision.number, against)


def open_repository(environ: Mapping[str, str]) -> pygit2.Repository:
    from hotfix_gates.git.repository import open_repo

    return open_repo(environ.get("GIT_DIR") or None)


def clock(environ: Mapping[str, str]) -> datetime:
    from hotfix_gates.model.timeutil import resolve_now

    return resolve_now(None, dict(environ))


def uncommitted(repo: pygit2.Repository, tree: TreeView, judgement: Judgement,
                judged: str) -> list[str]:
    """Notes for the files behind the blocking findings whose working-tree copy
    differs from the judged one, the regression tests HG202 looked for
    included: "fixed but not committed" is not "not fixed"."""
    import os

    from hotfix_gates.model.tree import read

    if repo.is_bare or not repo.workdir:
        return []
    notes = []
    for path in _behind(judgement):
        try:
            with open(os.path.join(repo.workdir, path), "rb") as handle:
                on_disk = handle.read(MAX_COMPARED + 1)
        except OSError:
            continue
        try:
            judged_data = read(tree, path)
        except ToolError:
            judged_data = None
        if on_disk == judged_data:
            continue
        if judged_data is None:  # new: `git commit PATH` does not know it yet
            notes.append(f"{path} is in the working tree but not in the {_NAMES[judged]}: "
                         f"`git add {path}`, then {_AGAIN[judged]}")
        elif judged == "index":
            notes.append(f"{path} has changes in the working tree that are not staged: "
                         f"`git add {path}`, then commit again")
        else:
            notes.append(f"{path} has changes in the working tree that are not in the "
                         f"pushed commit: commit them (`git commit {path}`), then push "
                         "again")
    return notes


_NAMES = {"index": "index", "commit": "pushed commit"}
_AGAIN = {"index": "commit again", "commit": "commit it and push again"}


def _behind(judgement: Judgement) -> list[str]:
    """The files behind the blocking findings, and the regression tests listed
    by a record that HG202 blocks (a test written but never committed)."""
    paths = [f.path for f in judgement.findings if f.blocking and "*" not in f.path]
    for verdict in judgement.verdicts:
        if any(f.code == "HG202" and f.blocking for f in verdict.findings):
            for entry in verdict.record.regression_tests:
                path = entry.split("::", 1)[0].strip()
                if path and not path.startswith("/") and ".." not in path.split("/"):
                    paths.append(path)
    return list(dict.fromkeys(paths))


MAX_COMPARED = 1024 * 1024


def _load(tree: TreeView) -> Config:
    from hotfix_gates.parsing.config import load_config

    return load_config(tree)
