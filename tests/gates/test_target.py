"""The judged tree against the merge target: configuration (HG002),
milestones (HG205) and removed records (HG206), through the one engine."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hotfix_gates.gates.engine import MERGE_CHECK, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.gates.target import moved
from hotfix_gates.git.repository import open_repo, rev_tree
from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import Finding
from hotfix_gates.model.record import HotfixRecord
from testing.repos import COMPLETE_POST_MORTEM, commit_all, make_repo, write_record

NOW = datetime(2025, 10, 10, tzinfo=UTC)
FOLDER = "specs/hotfix/001-pool"
DONE: dict[str, Any] = {"severity": "P0", "rollback_plan": "revert", "status": "resolved",
        "deployed_at": "2025-10-01T15:00:00Z", "resolved_at": "2025-10-01T16:00:00Z"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def record(**fields: Any) -> HotfixRecord:
    return HotfixRecord(path=f"{FOLDER}/hotfix.md", folder=FOLDER, number=1, **fields)


def test_moved_names_each_milestone_later_or_gone_and_a_status_back() -> None:
    target = record(status="resolved", incident_start=at("2025-10-01T14:00:00Z"),
                    deployed_at=at("2025-10-01T15:00:00Z"), resolved_at=at("2025-10-01T16:00:00Z"))
    pushed = record(status="monitoring", incident_start=at("2025-10-01T13:00:00Z"),
                    deployed_at=at("2025-10-02T15:00:00Z"))
    assert [key for key, _ in moved(pushed, target)] == ["deployed_at", "resolved_at", "status"]
    assert list(moved(target, target)) == []
    earlier = record(status="closed", incident_start=at("2025-10-01T13:00:00Z"),
                     detected_at=at("2025-10-01T14:05:00Z"),
                     deployed_at=at("2025-10-01T14:30:00Z"), resolved_at=at("2025-10-01T15:00:00Z"))
    assert list(moved(earlier, target)) == []  # earlier, newly set, further on: never a loss


def test_a_new_branch_is_held_only_to_milestones_not_moved_later() -> None:
    """Against the default branch, a branch cut earlier may lack later milestones."""
    target = record(status="resolved", incident_start=at("2025-10-01T14:00:00Z"),
                    deployed_at=at("2025-10-01T15:00:00Z"), resolved_at=at("2025-10-01T16:00:00Z"))
    older = record(status="monitoring", incident_start=at("2025-10-01T14:00:00Z"),
                   deployed_at=at("2025-10-01T15:00:00Z"))
    assert list(moved(older, target, "main", later_only=True)) == []
    reset = record(status="resolved", incident_start=at("2025-10-01T14:00:00Z"),
                   deployed_at=at("2025-10-01T15:00:00Z"), resolved_at=at("2025-10-09T16:00:00Z"))
    assert list(moved(reset, target, "main", later_only=True)) == [
        ("resolved_at", "resolved_at moved later: 2025-10-01T16:00:00Z on main, "
                        "2025-10-09T16:00:00Z here")]


def test_moved_is_silent_on_values_the_record_valid_gate_reports() -> None:
    target = record(status="resolved", resolved_at=at("2025-10-01T16:00:00Z"))
    pushed = record(status="resolved")
    pushed.invalid.add("resolved_at")
    assert list(moved(pushed, target)) == []
    pushed.invalid.add("*")
    assert list(moved(pushed, target)) == []


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "service")


def against(repo: Path, base: str, rev: str = "HEAD",
            config_file: str | None = ".hotfix-gates.yaml") -> list[Finding]:
    opened = open_repo(repo)
    run = Run(rev_tree(opened, rev), Config(), NOW, baseline=rev_tree(opened, base),
              config_file=config_file)
    return judge(run, MERGE_CHECK).findings


def codes(findings: list[Finding]) -> list[str]:
    return [f.code for f in findings if f.blocking]


def test_a_later_resolution_is_found_against_the_target_only(repo: Path) -> None:
    write_record(repo, 1, "pool", post_mortem=COMPLETE_POST_MORTEM, **DONE)
    base = commit_all(repo, "resolved")
    write_record(repo, 1, "pool", post_mortem=COMPLETE_POST_MORTEM,
                 **{**DONE, "resolved_at": "2025-10-09T16:00:00Z"})
    commit_all(repo, "resolved later")
    assert codes(against(repo, base)) == ["HG205"]
    assert codes(against(repo, "HEAD")) == []  # against itself: nothing moved
    opened = open_repo(repo)
    plain = Run(rev_tree(opened, "HEAD"), Config(), NOW)  # no target: nothing to compare
    assert codes(judge(plain, MERGE_CHECK).findings) == []


def test_a_renamed_folder_is_compared_by_its_number(repo: Path) -> None:
    write_record(repo, 1, "pool", post_mortem=COMPLETE_POST_MORTEM, **DONE)
    base = commit_all(repo, "resolved")
    shutil.rmtree(repo / FOLDER)
    write_record(repo, 1, "pool-exhaustion", post_mortem=COMPLETE_POST_MORTEM,
                 **{**DONE, "resolved_at": None, "status": "monitoring"})
    commit_all(repo, "renamed, and the resolution dropped")
    found = [f for f in against(repo, base) if f.code in ("HG205", "HG206")]
    assert codes(found) == ["HG205", "HG205"]  # resolved_at gone, status back; not removed
    assert all(f.path == "specs/hotfix/001-pool-exhaustion/hotfix.md" for f in found)


def test_a_removed_record_owes_its_work(repo: Path) -> None:
    write_record(repo, 1, "pool", **DONE)
    base = commit_all(repo, "resolved, no post-mortem yet")
    shutil.rmtree(repo / FOLDER)
    commit_all(repo, "removed")
    (finding,) = against(repo, base)
    assert (finding.code, finding.path) == ("HG206", f"{FOLDER}/hotfix.md")
    assert finding.message.endswith("post-mortem draft, no regression test")
    assert against(repo, base, config_file=None) == [finding]  # not a matter of configuration


def test_a_removed_record_whose_work_is_done_may_go(repo: Path) -> None:
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text("def test_pool():\n    pass\n")
    write_record(repo, 1, "pool", post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_pool"], **DONE)
    base = commit_all(repo, "complete")
    shutil.rmtree(repo / FOLDER)
    commit_all(repo, "archived")
    assert against(repo, base) == []


def test_a_configuration_brought_broken_is_found_unless_unchanged(repo: Path) -> None:
    (repo / ".hotfix-gates.yaml").write_text("gates: {severity: offf}\n")
    broken = commit_all(repo, "broken")
    (finding,) = against(repo, "HEAD~1")
    assert (finding.code, finding.path, finding.line) == ("HG002", ".hotfix-gates.yaml", 1)
    assert "level must be error, warn or off" in finding.message
    assert against(repo, broken) == []  # the target has it already: this tree does not bring it
    assert against(repo, "HEAD~1", config_file=None) == []  # its own judged: it had to load
    (repo / ".hotfix-gates.yaml").write_text("gates: {severity: error}\n")
    commit_all(repo, "repaired")
    assert against(repo, broken) == []


def test_a_linked_record_is_compared_though_its_folder_is_unchanged(repo: Path) -> None:
    write_record(repo, 1, "pool", post_mortem=COMPLETE_POST_MORTEM, **DONE)
    shadow = repo / "shadow.md"
    (repo / FOLDER / "hotfix.md").rename(shadow)
    (repo / FOLDER / "hotfix.md").symlink_to("../../../shadow.md")
    base = commit_all(repo, "the record lives outside its folder")
    shadow.write_text(shadow.read_text().replace("2025-10-01T16:00:00Z", "2025-10-09T16:00:00Z"))
    commit_all(repo, "resolved later, through the link")
    assert codes(against(repo, base)) == ["HG205"]
