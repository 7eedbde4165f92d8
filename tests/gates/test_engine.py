"""The engine: which gates are in force, deadlines as data, repository gates."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hotfix_gates.gates.branches import judge_branch
from hotfix_gates.gates.engine import COMMIT, HOTFIX_PUSH, MERGE_CHECK, Judgement, judge
from hotfix_gates.gates.subject import Run
from hotfix_gates.git.trees import FsTree
from hotfix_gates.model.config import Config
from hotfix_gates.parsing.config import parse_config
from testing.repos import COMPLETE_POST_MORTEM, write_record

START = "2025-10-01T14:00:00Z"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def run(repo: Path, now: str, config: Config | None = None) -> Run:
    return Run(FsTree(repo), config or Config(), at(now))


def resolved(repo: Path, number: int = 1, **fields: Any) -> None:
    write_record(repo, number, f"incident-{number}", severity="P0", rollback_plan="revert",
                 status="resolved", deployed_at="2025-10-01T15:00:00Z",
                 resolved_at="2025-10-01T16:00:00Z", **fields)


def codes(judged: Judgement | None) -> dict[str, tuple[str, ...]]:
    assert judged is not None
    return {v.record.folder.rsplit("/", 1)[-1]: tuple(g.code for g in v.gates)
            for v in judged.verdicts}


def test_gates_in_force_follow_moments_conditions_and_clocks(repo: Path) -> None:
    resolved(repo)
    write_record(repo, 2, "incident-2", severity="P1")
    early = judge(run(repo, "2025-10-02T00:00:00Z"), MERGE_CHECK)
    assert codes(early) == {
        # P0: no quick review; resolved: HG203; no deadline has come yet.
        "001-incident-1": ("HG001", "HG101", "HG102", "HG203", "HG301"),
        "002-incident-2": ("HG001", "HG101", "HG102", "HG103", "HG301")}
    late = judge(run(repo, "2025-10-10T00:00:00Z"), MERGE_CHECK)
    assert codes(late) == {
        "001-incident-1": ("HG001", "HG101", "HG102", "HG201", "HG202", "HG203", "HG204",
                           "HG301"),
        "002-incident-2": ("HG001", "HG101", "HG102", "HG103", "HG204", "HG301")}
    commit = judge(run(repo, "2025-10-10T00:00:00Z"), COMMIT)  # merge gates only
    assert "HG201" not in codes(commit)["001-incident-1"]
    push = judge(run(repo, "2025-10-10T00:00:00Z"), HOTFIX_PUSH)
    assert codes(push)["002-incident-2"] == ("HG001", "HG101", "HG301")


def test_a_gate_turned_off_is_not_in_force(repo: Path) -> None:
    resolved(repo)
    config = parse_config("gates: {post-mortem: off, HG204: off}")
    judged = judge(run(repo, "2025-10-10T00:00:00Z", config), MERGE_CHECK)
    assert codes(judged)["001-incident-1"] == ("HG001", "HG101", "HG102", "HG202", "HG203",
                                               "HG301")


def test_deadlines_are_data_for_status(repo: Path) -> None:
    resolved(repo, post_mortem=COMPLETE_POST_MORTEM)
    judged = judge(run(repo, "2025-10-02T00:00:00Z"), MERGE_CHECK, deadlines=True)
    [verdict] = judged.verdicts
    states = {d.name: (d.state, d.due) for d in verdict.deadlines}
    assert states == {
        "post-mortem": ("met", at("2025-10-03T16:00:00Z")),  # evaluated early: complete
        "regression-test": ("pending", at("2025-10-03T16:00:00Z")),
        "open-incident": ("met", at("2025-10-04T14:00:00Z")),
    }
    # Not asked for deadlines, the engine runs no gate before it is due.
    assert judge(run(repo, "2025-10-02T00:00:00Z"), MERGE_CHECK).verdicts[0].deadlines == ()


def test_overdue_and_waived_deadlines(repo: Path) -> None:
    resolved(repo, waivers=[{"gate": "HG202", "reason": "staging replica", "by": "Ana",
                             "at": "2025-10-02T00:00:00Z"}])
    judged = judge(run(repo, "2025-10-10T00:00:00Z"), MERGE_CHECK, deadlines=True)
    states = {d.name: d.state for d in judged.verdicts[0].deadlines}
    assert states == {"post-mortem": "overdue", "regression-test": "waived",
                      "open-incident": "met"}
    assert judged.verdicts[0].overdue


def test_a_partial_judgement_still_sees_duplicate_numbers(repo: Path) -> None:
    write_record(repo, 3, "first", severity="P0", rollback_plan="revert")
    write_record(repo, 3, "second", severity="P0", rollback_plan="revert",
                 incident_start="2025-10-01T15:00:00Z")
    write_record(repo, 4, "other", severity="P0", rollback_plan="revert")
    judged = judge(run(repo, "2025-10-02T00:00:00Z"), COMMIT, ["specs/hotfix/003-second"])
    assert [(f.code, f.path) for f in judged.findings] == [
        ("HG301", "specs/hotfix/003-second/hotfix.md")]
    # The older record keeps its number: judging it alone finds nothing.
    assert judge(run(repo, "2025-10-02T00:00:00Z"), COMMIT,
                 ["specs/hotfix/003-first"]).findings == []


def test_a_push_to_a_branch(repo: Path) -> None:
    write_record(repo, 1, "pool")
    now = "2025-10-02T00:00:00Z"
    protected = judge_branch(run(repo, now), "main")
    assert protected is not None and {f.code for f in protected.findings} == {"HG101", "HG102"}
    hotfix = judge_branch(run(repo, now), "hotfix/001-pool")
    assert hotfix is not None and [f.code for f in hotfix.findings] == ["HG101"]
    missing = judge_branch(run(repo, now), "hotfix/009-nothing")
    assert missing is not None and [(f.code, f.path) for f in missing.findings] == [
        ("HG001", "specs/hotfix/009-*")]
    assert judge_branch(run(repo, now), "feature/x") is None
    custom = parse_config("protected_branches: [trunk]")
    assert judge_branch(run(repo, now, custom), "main") is None


def test_a_specs_folder_at_the_root_with_older_folders_beside_it(repo: Path) -> None:
    config = parse_config("specs_dir: hotfix")
    write_record(repo, 1, "pool", specs_dir="hotfix")
    older = repo / "hotfix-002-cache"
    older.mkdir()
    (older / "hotfix.md").write_text((repo / "hotfix/001-pool/hotfix.md").read_text()
                                     .replace("hotfix-001", "hotfix-002"))
    judged = judge(run(repo, "2025-10-02T00:00:00Z", config), MERGE_CHECK)
    assert sorted(v.record.folder for v in judged.verdicts) == ["hotfix-002-cache",
                                                                "hotfix/001-pool"]
