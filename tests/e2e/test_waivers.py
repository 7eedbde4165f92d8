"""`hotfix-gate waive`: an audited, expiring way to skip a gate, checked end to
end with `hotfix-gate check`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix
from testing.cli import gate
from testing.edits import (
    COMMENTED_HOTFIX,
    commit_hint,
    line_diff,
    without_notes,
    write_commented_record,
)
from testing.repos import clean_env, git, make_repo, run_gate, write_record

REL = "specs/hotfix/001-database-connection-pool/hotfix.md"
RESOLVED = "2025-10-01T16:00:00Z"
LATE = "2025-10-03T17:00:00Z"  # 49 hours after resolution: both post-incident gates are due


@pytest.fixture
def resolved(here: Path) -> Path:
    """A resolved P0 whose post-mortem is a draft and which lists no regression test."""
    text = COMMENTED_HOTFIX.replace("severity: null", "severity: P0").replace(
        "status: investigating", "status: resolved").replace(
        "deployed_at: null", "deployed_at: 2025-10-01T15:00:00Z").replace(
        "resolved_at: null", f"resolved_at: {RESOLVED}").replace(
        "rollback_plan: null", "rollback_plan: git revert abc123")
    return write_commented_record(here, text=text).hotfix


def waivers(path: Path) -> list[dict[str, object]]:
    record, findings = parse_hotfix(REL, "", path.read_bytes())
    assert not findings
    return [{"gate": w.gate, "reason": w.reason, "by": w.by, "at": w.at, "until": w.until}
            for w in record.waivers]


def test_check_blocked_then_waived_then_blocked_again_after_until(
        resolved: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", LATE)
    code, out, _ = gate(capsys, "check")
    assert code == 1 and " HG201 post-mortem: " in out and " HG202 regression-test: " in out

    code, out, err = gate(capsys, "waive", "post-mortem", "--id", "1", "--reason",
                          "joint review with the vendor on Friday", "--until", "2025-10-06T00:00Z")
    assert code == 0
    assert without_notes(err) == commit_hint(
        "hotfix-001: waive HG201 post-mortem until 2025-10-06T00:00:00Z", REL, new=True)
    assert out == (f"{REL}: waivers: + HG201 post-mortem waived by Test Responder "
                   "<responder@example.com> until 2025-10-06T00:00:00Z: joint review with the "
                   "vendor on Friday\n")
    code, out, err = gate(capsys, "waive", "hg202", "--id", "1", "--reason", "test needs the "
                          "staging replica", "--until", "24h")
    assert code == 0 and err.startswith(f"hotfix-gate: note: HOTFIX_GATE_NOW={LATE} stands in")
    assert "until 2025-10-04T17:00:00Z" in out  # 24 hours from HOTFIX_GATE_NOW

    code, out, _ = gate(capsys, "check")
    assert code == 0
    waived = [line for line in out.splitlines() if "[waived: " in line]
    assert any(" HG201 post-mortem: " in line and "[waived: joint review with the vendor on "
               "Friday by Test Responder until 2025-10-06T00:00:00Z]"
               in line for line in waived)
    assert any(" HG202 regression-test: " in line for line in waived)
    assert out.splitlines()[-1].startswith("hotfix-gate: passed: 0 blocking")

    # JSON says the same: waived, not blocking.
    code, out, _ = gate(capsys, "check", "--format", "json")
    payload = json.loads(out)
    assert code == 0 and payload["passed"] is True
    assert {f["code"] for f in payload["findings"] if f["waiver"]} == {"HG201", "HG202"}

    # The regression-test waiver ends first: only HG202 blocks again.
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-04T17:00:00Z")
    code, out, _ = gate(capsys, "check")
    assert code == 1
    blocking = [line for line in out.splitlines() if "HG20" in line and "[waived" not in line]
    assert blocking and all(" HG202 " in line and "(its waiver has expired)" in line
                            for line in blocking)
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-06T00:00:00Z")
    code, out, _ = gate(capsys, "check")
    assert code == 1 and "[waived" not in out
    assert " HG201 post-mortem: " in out


def test_waiver_fields_and_byte_preservation(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = resolved.read_bytes()
    assert gate(capsys, "waive", "HG201", "--id", "1", "--reason", "  vendor review  ",
                "--at", "2025-10-02T09:00:00")[0] == 0
    middle = resolved.read_bytes()
    removed, added = line_diff(before, middle)
    assert removed == [] and added == [
        b"waivers:\n", b"- gate: HG201\n", b"  reason: vendor review\n",
        b"  by: Test Responder <responder@example.com>\n", b"  at: 2025-10-02T09:00:00Z\n",
        b"  until: null\n"]
    assert gate(capsys, "waive", "Regression-Test", "--id", "1", "--reason", "flaky env: retry",
                "--at", "2025-10-02T09:05:00Z", "--until", "2025-10-09T00:00:00+02:00")[0] == 0
    after = resolved.read_bytes()
    removed, added = line_diff(middle, after)
    assert removed == [] and added[0] == b"- gate: HG202\n"
    assert b"  reason: 'flaky env: retry'\n" in added
    assert b"  until: 2025-10-08T22:00:00Z\n" in added
    assert after.startswith(middle.split(b"---\n# Hotfix")[0])  # the first waiver is untouched
    found = waivers(resolved)
    assert [(w["gate"], w["reason"]) for w in found] == [
        ("HG201", "vendor review"), ("HG202", "flaky env: retry")]
    assert found[0]["until"] is None


def test_waivers_list_with_a_comment_is_extended_in_place(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = COMMENTED_HOTFIX.replace("regression_tests: []\n",
                                    "regression_tests: []\nwaivers: []   # audited skips\n")
    hotfix = write_commented_record(here, text=text).hotfix
    before = hotfix.read_bytes()
    assert gate(capsys, "waive", "HG103", "--id", "1", "--reason", "P0: no time")[0] == 0
    head, tail = before.split(b"waivers: []   # audited skips\n")
    after = hotfix.read_bytes()
    assert after.startswith(head + b"waivers:   # audited skips\n- gate: HG103\n")
    assert after.endswith(tail)


@pytest.mark.parametrize(("args", "message"), [
    (["post-mortem"], "a waiver needs --reason TEXT"),
    (["post-mortem", "--reason", "   "], "a waiver needs --reason TEXT"),
    (["post-mortem", "--reason", "\u200b\u3164"], "a waiver needs --reason TEXT"),
    (["post-mortem", "--reason", "TBD"], "a waiver needs --reason TEXT"),
    (["post-mortem", "--reason", "one\ntwo"], "--reason must be one line"),
    (["HG001", "--reason", "x"], "HG001 record-valid cannot be waived; fix the record instead"),
    (["unique-id", "--reason", "x"], "HG301 unique-id cannot be waived"),
    (["HG999", "--reason", "x"], "unknown gate 'HG999'"),
    (["HG201", "--reason", "x", "--until", "2025-10-01T00:00:00Z", "--at", "2025-10-02T00:00Z"],
     "--until 2025-10-01T00:00:00Z is not after the waiver's time 2025-10-02T00:00:00Z"),
    (["HG201", "--reason", "x", "--until", "next week"], "--until: 'next week' is not an ISO"),
])
def test_refusals(resolved: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                  message: str) -> None:
    before = resolved.read_bytes()
    code, out, err = gate(capsys, "waive", *args, "--id", "1")
    assert (code, out) == (2, "")
    assert err.startswith("hotfix-gate: error: ") and err.count("\n") == 1
    assert message in err
    assert resolved.read_bytes() == before


def test_configuration_can_forbid_a_waiver(
        resolved: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = resolved.parents[3] / ".hotfix-gates.yaml"
    config.write_text("gates:\n  post-mortem: {level: error, waivable: false}\n")
    before = resolved.read_bytes()
    code, _, err = gate(capsys, "waive", "post-mortem", "--id", "1", "--reason", "please")
    assert code == 2 and resolved.read_bytes() == before
    assert err == ("hotfix-gate: error: .hotfix-gates.yaml does not allow waiving HG201 "
                   "post-mortem (waivable: false); meet the gate instead\n")
    # Other gates stay waivable.
    assert gate(capsys, "waive", "regression-test", "--id", "1", "--reason", "later")[0] == 0


def test_a_hand_written_waiver_the_configuration_forbids_still_blocks(
        here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (here / ".hotfix-gates.yaml").write_text("gates: {HG201: {waivable: false}}\n")
    write_record(here, 1, severity="P0", status="resolved", rollback_plan="revert",
                 deployed_at="2025-10-01T15:00:00Z", resolved_at=RESOLVED,
                 regression_tests=["README.md"],
                 waivers=[{"gate": "HG201", "reason": "skip", "by": "x",
                           "at": "2025-10-02T00:00:00Z"}])
    code, out, _ = gate(capsys, "check", "--now", LATE)
    assert code == 1 and "does not allow waiving HG201" in out and "[waived" not in out


def test_an_unset_git_identity_is_refused(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "svc")
    git(repo, "config", "--unset", "user.name")
    git(repo, "config", "--unset", "user.email")
    hotfix = write_commented_record(repo).hotfix
    before = hotfix.read_bytes()
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home))
    result = run_gate(repo, "waive", "HG201", "--id", "1", "--reason", "x", env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "hotfix-gate: error: a waiver records who granted it, but git's user.name and "
        "user.email are not set; run `git config user.name \"Your Name\"` and "
        "`git config user.email you@example.com`\n")
    assert hotfix.read_bytes() == before
    git(repo, "config", "user.name", "Ana Ruiz")
    git(repo, "config", "user.email", "ana@example.com")
    result = run_gate(repo, "waive", "HG201", "--id", "1", "--reason", "x", env=env)
    assert result.returncode == 0, result.stderr
    assert b"  by: Ana Ruiz <ana@example.com>\n" in hotfix.read_bytes()


def test_waiving_a_gate_that_blocks_nothing_names_the_ones_that_do(
        resolved: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The push stays blocked after a waiver of the wrong gate: say so at once."""
    monkeypatch.setenv("HOTFIX_GATE_NOW", LATE)
    for wrong in ("open-incident", "HG103"):
        code, _, err = gate(capsys, "waive", wrong, "--id", "1", "--reason", "vendor review")
        assert code == 0
        notes = [line for line in err.splitlines() if "finds nothing" in line]
        assert len(notes) == 1 and notes[0].endswith(
            "finds nothing to waive in hotfix-001 now; what blocks a merge is HG201 "
            "post-mortem, HG202 regression-test")
    code, _, err = gate(capsys, "waive", "post-mortem", "--id", "1", "--reason", "vendor review")
    assert code == 0 and "finds nothing" not in err
    assert gate(capsys, "check")[0] == 1  # HG202 still blocks


def test_a_waiver_before_its_deadline_is_not_questioned(
        resolved: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-01T17:00:00Z")  # nothing is due yet
    code, _, err = gate(capsys, "waive", "post-mortem", "--id", "1", "--reason",
                        "joint review with the vendor next week", "--until", "7d")
    assert code == 0 and "finds nothing" not in err
