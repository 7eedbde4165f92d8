"""The shared ref judge of pre-push and pre-receive: one judgement per
distinct (configuration, tree, decision), the repository and the clock."""

from __future__ import annotations

import re
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

    from hotfix_gates.git.cache import ParseCache
    from hotfix_gates.git.trees import GitTree
    from hotfix_gates.model.finding import Finding
    from hotfix_gates.parsing.config import Config


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
