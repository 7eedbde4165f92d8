"""The parse cache: used when a commit's records are unchanged, never stale."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from testing.repos import COMPLETE_POST_MORTEM, commit_all, write_record

CACHE = Path(".git/hotfix-gates/parse-cache.pickle")
NOW = "--now=2025-10-10T00:00:00Z"


def check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["check", "--rev", "HEAD", NOW, *args])
    return code, capsys.readouterr().out


@pytest.fixture
def here(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(repo)
    write_record(repo, 1, severity="P1", rollback_plan="revert", reviewed_by="bo",
                 status="resolved", resolved_at="2025-10-01T16:00:00Z",
                 post_mortem=COMPLETE_POST_MORTEM, regression_tests=["tests/test_t.py::test_a"])
    (repo / "tests").mkdir()
    (repo / "tests/test_t.py").write_text("def test_a():\n    pass\n")
    commit_all(repo, "record")
    return repo


def test_second_run_reads_the_cache_and_agrees(here: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    first = check(capsys)
    assert first[0] == 0 and CACHE.exists()
    data = pickle.loads(CACHE.read_bytes())
    assert len(data["records"]) == 1 and len(data["post_mortems"]) == 1
    assert len(data["tests"]) == 1
    stamp = CACHE.stat().st_mtime_ns
    assert check(capsys) == first
    assert CACHE.stat().st_mtime_ns == stamp  # nothing new to write


def test_changes_are_never_served_from_the_cache(here: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert check(capsys)[0] == 0
    post_mortem = here / "specs/hotfix/001-database-connection-pool/post-mortem.md"
    post_mortem.write_text(COMPLETE_POST_MORTEM.replace("complete", "draft"))
    commit_all(here, "reopen the post-mortem")
    code, out = check(capsys)
    assert code == 1 and "status is draft" in out
    (here / "tests/test_t.py").write_text("def test_b():\n    pass\n")
    post_mortem.write_text(COMPLETE_POST_MORTEM)
    commit_all(here, "rename the test")
    code, out = check(capsys)
    assert code == 1 and "test_a is not defined in tests/test_t.py" in out


def test_a_corrupt_cache_is_ignored(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys)
    good = pickle.loads(CACHE.read_bytes())
    key = next(iter(good["records"]))
    for damaged in (b"not a pickle", CACHE.read_bytes()[:50], pickle.dumps([1, 2]),
                    pickle.dumps({**good, "records": {key: ("x", "y")}}),
                    pickle.dumps({**good, "records": {key: "x"}, "tests": 5})):
        CACHE.write_bytes(damaged)
        assert check(capsys)[0] == 0
        assert pickle.loads(CACHE.read_bytes())["records"][key] == good["records"][key]


class Planted:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("touch PWNED",))


def test_a_planted_cache_cannot_run_code(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    check(capsys)
    good = pickle.loads(CACHE.read_bytes())
    CACHE.write_bytes(pickle.dumps({**good, "tests": {"x": Planted()}}))
    assert check(capsys)[0] == 0
    assert not (here / "PWNED").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write a read-only folder")
def test_a_read_only_git_dir_still_gets_a_verdict(here: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = here / ".git"
    folder.chmod(0o555)
    try:
        assert check(capsys)[0] == 0
    finally:
        folder.chmod(0o755)
