"""The shared ref judge: one judgement per (decision, configuration, tree,
target), a bounded tree cache, and names printed safely."""

from __future__ import annotations

import contextlib
import io
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pygit2
import pytest

from hotfix_gates.hooks import refs
from hotfix_gates.hooks.judge import RefJudge, Target
from hotfix_gates.model.config import Config
from testing.repos import commit_all, make_repo, write_record

NOW = datetime(2025, 10, 10, tzinfo=UTC)
DONE = {"severity": "P0", "rollback_plan": "revert", "status": "resolved",
        "deployed_at": "2025-10-09T15:00:00Z", "resolved_at": "2025-10-09T16:00:00Z"}


def setup(tmp_path: Path) -> tuple[RefJudge, list[pygit2.Commit]]:
    repo = make_repo(tmp_path / "r")
    write_record(repo, 1, "pool", **DONE)
    commits = [commit_all(repo, "resolved")]
    shutil.rmtree(repo / "specs/hotfix/001-pool")
    (repo / "app.py").write_text("fixed = True\n")
    commits.append(commit_all(repo, "removed"))
    opened = pygit2.Repository(str(repo))
    judge = RefJudge(opened, NOW, "pre-receive")
    return judge, [judge.commit(c, "test") for c in commits]


def test_a_verdict_is_kept_per_target(tmp_path: Path) -> None:
    judge, (resolved, removed) = setup(tmp_path)
    decision = refs.Decision(refs.PROTECTED, "main is protected")
    tree = judge.tree(removed, "pushed")
    alone, seen = judge.verdict(decision, tree, Config(), "defaults")
    assert not alone.blocked and not seen
    against = Target(judge.tree(resolved, "main"))
    result, seen = judge.verdict(decision, tree, Config(), "defaults", against)
    assert not seen and [f.code for f in result.findings] == ["HG206"]
    assert judge.verdict(decision, tree, Config(), "defaults", against) == (result, True)
    new_branch, seen = judge.verdict(decision, tree, Config(), "defaults", Target(None))
    assert not seen and not new_branch.blocked


def test_the_tree_cache_holds_three_trees(tmp_path: Path) -> None:
    """A pushed tree, its target's and the server's default branch's."""
    judge, (resolved, removed) = setup(tmp_path)
    initial = judge.commit(str(resolved.parent_ids[0]), "test")
    empty = judge.repo[judge.repo.TreeBuilder().write()]
    fourth = judge.commit(str(judge.repo.create_commit(None, initial.author, initial.author,
                                                       "empty", empty.id, [])), "test")
    first = judge.tree(resolved, "a")
    judge.tree(removed, "b")
    judge.tree(initial, "c")
    assert judge.tree(resolved, "a") is first  # three fit
    judge.tree(removed, "b")
    judge.tree(initial, "c")
    judge.tree(fourth, "d")
    assert judge.tree(resolved, "a") is not first  # the oldest went


def test_a_name_is_printed_escaped(tmp_path: Path) -> None:
    judge, (resolved, removed) = setup(tmp_path)
    update = refs.Update("refs/heads/main", str(resolved.id), str(removed.id))
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        blocked = judge.report(update, refs.Decision(refs.PROTECTED, "p"),
                               judge.tree(removed, "pushed"), Config(), "defaults", "rerun",
                               Target(judge.tree(resolved, "main")),
                               shown="main (pushed as refs/heads/x\u2028forged)")
    assert blocked
    assert err.getvalue().startswith(
        "hotfix-gate pre-receive to main (pushed as refs/heads/x\\u2028forged): blocked\n")


def test_every_ref_of_a_push_shares_one_parsing_budget(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from hotfix_gates.gates import engine
    from hotfix_gates.gates.tests import HOOK_PARSE_BYTES

    judge, (resolved, removed) = setup(tmp_path)
    seen = []
    real = engine.judge

    def watching(run: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(run.scans)
        return real(run, *args, **kwargs)

    monkeypatch.setattr(engine, "judge", watching)
    decision = refs.Decision(refs.PROTECTED, "main is protected")
    for commit in (resolved, removed):
        judge.verdict(decision, judge.tree(commit, "pushed"), Config(), "defaults")
    assert len(seen) == 2 and seen[0] is seen[1] is judge.scans
    assert judge.scans.parse_limit == HOOK_PARSE_BYTES
