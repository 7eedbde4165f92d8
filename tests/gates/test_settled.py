"""Settled records: served only when everything about them is done for good,
and then the same verdict as a judgement in full."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pygit2

from hotfix_gates.gates import settled
from hotfix_gates.gates.engine import MERGE_CHECK, Judgement, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.git.cache import ParseCache
from hotfix_gates.git.repository import rev_tree
from hotfix_gates.model.config import Config
from testing.repos import COMPLETE_POST_MORTEM, commit_all, write_record

LATE = "2025-10-10T00:00:00Z"  # every deadline of the record below has come


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def done(repo: Path, severity: str = "P0", waivers: tuple[dict[str, str], ...] = ()) -> None:
    (repo / "tests").mkdir(exist_ok=True)
    (repo / "tests/test_pool.py").write_text("def test_leak():\n    pass\n")
    write_record(repo, 1, "pool", severity=severity, rollback_plan="revert", status="resolved",
                 incident_start="2025-10-01T13:00:00Z", detected_at="2025-10-01T13:30:00Z",
                 deployed_at="2025-10-01T15:00:00Z", resolved_at="2025-10-01T16:00:00Z",
                 post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"], waivers=list(waivers))
    commit_all(repo, "hotfix-001")


def judged(repo: Path, now: str) -> tuple[Judgement, ParseCache]:
    cache = ParseCache(str(repo / ".git" / "cache.pickle"))
    tree = rev_tree(pygit2.Repository(str(repo)), "HEAD")
    tree.cache = cache
    judgement = judge(Run(tree, Config(), at(now), cache), MERGE_CHECK)
    cache.save()
    return judgement, cache


def stored(cache: ParseCache) -> int:
    return len(cache._load()[settled.KIND])


def test_a_settled_record_is_served_with_the_same_gates_and_no_gate_runs(repo: Path) -> None:
    done(repo)
    full, _ = judged(repo, LATE)
    served, cache = judged(repo, LATE)
    assert stored(cache) == 1 and not full.findings and not served.findings
    assert [g.code for g in served.verdicts[0].gates] == [g.code for g in full.verdicts[0].gates]
    assert "HG202" in [g.code for g in full.verdicts[0].gates]
    assert served.verdicts[0].subject._tests is None  # HG202 never read the tests


def test_a_deadline_still_to_come_is_not_settled(repo: Path) -> None:
    done(repo)
    _, cache = judged(repo, "2025-10-02T00:00:00Z")  # the post-incident work is not due
    _, cache = judged(repo, "2025-10-02T00:00:00Z")
    assert stored(cache) == 0


def test_a_warning_is_not_settled(repo: Path) -> None:
    done(repo, severity="P1")  # a P1 with no quick review: HG103 warns
    first, _ = judged(repo, LATE)
    assert [f.code for f in first.findings] == ["HG103"]
    _, cache = judged(repo, LATE)
    assert stored(cache) == 0


def test_no_key_without_a_cache_or_for_a_record_with_waivers(repo: Path) -> None:
    done(repo, waivers=({"gate": "HG103", "reason": "night", "by": "ana",
                         "at": "2025-10-01T16:00:00Z"},))
    tree = rev_tree(pygit2.Repository(str(repo)), "HEAD")
    assert settled.context(Run(tree, Config(), at(LATE)), MERGE_CHECK) is None
    judged(repo, LATE)
    _, cache = judged(repo, LATE)
    assert stored(cache) == 0
