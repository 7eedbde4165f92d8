"""Settled records (gates.settled): a record that passed everything is served
from the server's cache, and every change to what it was judged on is
judged in full again. Each attack starts from a settled record on a real
bare server with our pre-receive, and must be refused.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from testing.pushes import accept_rules, push, server_clock
from testing.repos import COMPLETE_POST_MORTEM, commit_all, git, run_gate, write_record
from testing.served import LATE, OVERDUE, SLUG, accepted, blocking, refused

TEST = "def test_leak():\n    pass\n"


def settled_keys(remote: Path) -> list[str]:
    with open(remote / "hotfix-gates" / "parse-cache.pickle", "rb") as handle:
        return list(pickle.load(handle)["settled"])


def unrelated(repo: Path) -> None:
    """A push that changes nothing the gates read."""
    with open(repo / "README.md", "a") as handle:
        handle.write("one more line\n")
    commit_all(repo, "an unrelated change")
    accepted(repo)


def settle(repo: Path, remote: Path, settled: int = 1,
           tests: tuple[str, ...] = ("tests/test_pool.py::test_leak",),
           waivers: tuple[dict[str, str], ...] = ()) -> None:
    """The overdue record, its work done, pushed twice: judged in full, then
    served from the server's cache."""
    (repo / "tests").mkdir(exist_ok=True)
    if not (repo / "tests/test_pool.py").is_symlink():
        (repo / "tests/test_pool.py").write_text(TEST)
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM, regression_tests=list(tests),
                 waivers=list(waivers), **OVERDUE)
    commit_all(repo, "hotfix-001: the post-incident work")
    accepted(repo)
    assert len(settled_keys(remote)) == settled
    unrelated(repo)


def test_a_settled_record_is_served_and_stays_settled(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    settle(repo, remote)
    stored = os.stat(remote / "hotfix-gates" / "parse-cache.pickle").st_ino
    (repo / "README.md").write_text("a third change\n")
    commit_all(repo, "a third change")
    accepted(repo)
    assert os.stat(remote / "hotfix-gates" / "parse-cache.pickle").st_ino == stored


def test_a_deleted_regression_test_is_judged_again(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    settle(repo, remote)
    (repo / "tests/test_pool.py").unlink()
    commit_all(repo, "tests: drop the pool test")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_regression_test_emptied_below_its_folder_is_judged_again(
        fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    settle(repo, remote)
    (repo / "tests/test_pool.py").write_text("def helper():\n    pass\n")
    commit_all(repo, "tests: the pool test is a helper now")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_case_twin_of_the_tests_folder_is_judged_again(fresh: tuple[Path, Path]) -> None:
    """The root changes, not the tests folder: a checkout on macOS would hold
    one of `tests` and `Tests`."""
    repo, remote = fresh
    settle(repo, remote)
    git(repo, "config", "core.ignorecase", "false")
    (repo / "Tests").mkdir()
    (repo / "Tests/test_other.py").write_text(TEST)
    commit_all(repo, "a twin of tests")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_test_replaced_by_a_symlink_is_judged_again(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    settle(repo, remote)
    (repo / "app").mkdir()
    (repo / "app/pool.py").write_text("def release():\n    pass\n")
    (repo / "tests/test_pool.py").unlink()
    (repo / "tests/test_pool.py").symlink_to("../app/pool.py")
    commit_all(repo, "tests: link to the code")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_gate_switched_back_on_judges_the_settled_record_again(
        fresh: tuple[Path, Path]) -> None:
    """Settled while HG202 was off (its state "off"): once the configuration
    in force turns it on, the record is judged again and its missing test
    refused."""
    repo, remote = fresh
    (repo / ".hotfix-gates.yaml").write_text("gates:\n  HG202: off\n")
    commit_all(repo, "configuration: no regression tests")
    accept_rules(repo, remote)
    accepted(repo)
    settle(repo, remote, tests=())
    (repo / ".hotfix-gates.yaml").write_text("gates:\n  HG202: error\n")
    commit_all(repo, "configuration: regression tests again")
    accepted(repo)  # judged by the configuration in force: HG202 off
    (repo / "README.md").write_text("the next push\n")
    commit_all(repo, "the next push")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_clock_set_back_judges_the_settled_record_again(fresh: tuple[Path, Path]) -> None:
    """Settled at LATE; judged before the record's resolution, its milestones
    are in the future and HG001 says so."""
    repo, remote = fresh
    settle(repo, remote)
    server_clock(remote, "2025-09-01T10:30:00Z")
    (repo / "README.md").write_text("a change\n")
    commit_all(repo, "a change")
    pushed = push(repo, "origin", "main", now=LATE)
    assert pushed.returncode != 0 and "HG001" in blocking(pushed.stderr), pushed.stderr


def test_a_record_with_a_waiver_is_never_settled(fresh: tuple[Path, Path]) -> None:
    """A waiver ends: the record must be judged on every push."""
    repo, remote = fresh
    settle(repo, remote, settled=0, waivers=({"gate": "HG103", "reason": "paged at night",
                                              "by": "ana", "at": "2025-09-01T12:00:00Z",
                                              "until": "2025-12-01T00:00:00Z"},))
    assert settled_keys(remote) == []


def test_a_test_reached_through_a_symlink_is_never_settled(fresh: tuple[Path, Path]) -> None:
    """The link's folder does not pin the file it leads to: emptying that
    file, elsewhere in the tree, must be judged."""
    repo, remote = fresh
    (repo / "shared").mkdir()
    (repo / "shared/test_pool.py").write_text(TEST)
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").symlink_to("../shared/test_pool.py")
    settle(repo, remote, settled=0)
    (repo / "shared/test_pool.py").write_text("def helper():\n    pass\n")
    commit_all(repo, "shared: the pool test is a helper now")
    assert blocking(refused(repo, remote)) == {"HG202"}


def test_a_default_branch_that_changed_judges_another_branchs_record_again(
        fresh: tuple[Path, Path]) -> None:
    """release/1 keeps the record as it was; main then records the resolution
    earlier. The record on release/1 is unchanged, but its milestone is now
    later than on the server's default branch (HG205)."""
    repo, remote = fresh
    settle(repo, remote)
    accepted(repo, "main:release/1")
    git(repo, "checkout", "-q", "-b", "release/1")
    (repo / "RELEASE").write_text("1\n")
    commit_all(repo, "release 1")
    accepted(repo, "release/1")
    git(repo, "checkout", "-q", "main")
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"],
                 **{**OVERDUE, "resolved_at": "2025-09-01T11:30:00Z"})
    commit_all(repo, "hotfix-001: resolved earlier than first written")
    accepted(repo)
    git(repo, "checkout", "-q", "release/1")
    (repo / "RELEASE").write_text("1.1\n")
    commit_all(repo, "release 1.1")
    assert blocking(refused(repo, remote, "release/1", ref="release/1")) == {"HG205"}


def test_a_post_mortem_reached_through_a_symlink_is_never_settled(
        fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    (repo / "docs").mkdir()
    (repo / "docs/post-mortem-001.md").write_text(COMPLETE_POST_MORTEM)
    settle(repo, remote)
    linked = repo / f"specs/hotfix/001-{SLUG}/post-mortem.md"
    linked.unlink()
    linked.symlink_to("../../../docs/post-mortem-001.md")
    commit_all(repo, "post-mortem: kept with the other documents")
    accepted(repo)
    unrelated(repo)  # judged with the target's copy now the same as the pushed one
    (repo / "docs/post-mortem-001.md").write_text("---\nstatus: draft\n---\n# Post-mortem\n")
    commit_all(repo, "docs: the post-mortem back to a draft")
    assert blocking(refused(repo, remote)) == {"HG201"}


def record_in_docs(repo: Path) -> None:
    """hotfix.md moved to docs/, its folder keeping a symlink to it."""
    record = repo / f"specs/hotfix/001-{SLUG}/hotfix.md"
    (repo / "docs").mkdir()
    (repo / "docs/hotfix-001.md").write_text(record.read_text())
    record.unlink()
    record.symlink_to("../../../docs/hotfix-001.md")
    commit_all(repo, "the record kept with the other documents")


def no_rollback_plan_in_docs(repo: Path) -> None:
    """An edit outside the record's folder that the gates must still see."""
    text = (repo / "docs/hotfix-001.md").read_text()
    (repo / "docs/hotfix-001.md").write_text(text.replace("redeploy v1.4.2", "''"))
    commit_all(repo, "docs: no rollback plan")


def test_a_record_reached_through_a_symlink_is_never_settled(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    settle(repo, remote)
    record_in_docs(repo)
    accepted(repo)
    unrelated(repo)
    no_rollback_plan_in_docs(repo)
    assert blocking(refused(repo, remote)) == {"HG102"}


def test_check_without_a_target_never_settles_a_record_reached_through_a_symlink(
        fresh: tuple[Path, Path]) -> None:
    """No target to compare with (`check --rev`): the record's own file
    decides that it is not pinned."""
    repo, _ = fresh
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(TEST)
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    record_in_docs(repo)
    for _ in range(2):
        assert run_gate(repo, "check", "--rev", "HEAD", f"--now={LATE}").returncode == 0
    no_rollback_plan_in_docs(repo)
    checked = run_gate(repo, "check", "--rev", "HEAD", f"--now={LATE}")
    assert checked.returncode == 1 and blocking(checked.stdout) == {"HG102"}, checked.stdout
