"""regression-test as git takes paths: from the current folder, checked, removable."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_gates.parsing.hotfix import parse_hotfix
from testing.cli import gate
from testing.edits import line_diff, without_notes, write_commented_record
from testing.repos import git

REL = "specs/hotfix/001-database-connection-pool/hotfix.md"
TEST = ("def test_release():\n    pass\n\n\n"
        "class TestPool:\n    def test_drain(self):\n        pass\n")


@pytest.fixture
def service(here: Path) -> Path:
    write_commented_record(here)
    (here / "tests/unit").mkdir(parents=True)
    (here / "tests/unit/test_pool.py").write_text(TEST)
    git(here, "add", "-A")
    git(here, "commit", "-q", "-m", "record and test")
    return here


def listed(service: Path) -> list[str]:
    return parse_hotfix(REL, "", (service / REL).read_bytes())[0].regression_tests


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code, out, err = gate(capsys, "regression-test", *args, "--id", "1")
    return code, out, without_notes(err)


def test_a_path_from_a_subfolder_is_stored_from_the_root(
        service: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(service / "tests/unit")
    code, out, err = run(capsys, "test_pool.py::TestPool::test_drain")
    assert code == 0, err
    assert out.startswith(f"{REL}: regression_tests: + tests/unit/test_pool.py::TestPool::"
                          "test_drain, regression_tests_added_at: null -> ")
    assert f"-- ../../{REL}" in err  # the commit command, from here
    monkeypatch.chdir(service / "tests")
    assert run(capsys, "./unit/../unit/test_pool.py")[0] == 0
    assert run(capsys, str(service / "tests/unit/test_pool.py::test_release"))[0] == 0
    assert listed(service) == ["tests/unit/test_pool.py::TestPool::test_drain",
                               "tests/unit/test_pool.py", "tests/unit/test_pool.py::test_release"]


@pytest.mark.parametrize(("entry", "message"), [
    ("tests/unit/test_pol.py", "tests/unit/test_pol.py does not exist"),
    ("tests/unit/test_pool.py::test_relase", "test_relase is not defined in "
                                             "tests/unit/test_pool.py"),
    ("README.md", "README.md does not look like a test file"),
    ("specs/hotfix/001-database-connection-pool/hotfix.md",
     "is part of the hotfix records, not a test"),
])
def test_what_hg202_would_not_find_is_refused(service: Path, capsys: pytest.CaptureFixture[str],
                                              entry: str, message: str) -> None:
    (service / "README.md").write_text("readme\n")
    before = (service / REL).read_bytes()
    code, out, err = run(capsys, entry)
    assert (code, out) == (2, "")
    assert message in err and err.endswith(
        "; check it, or pass --not-yet to list a test not written yet\n")
    assert err.count("\n") == 1 and len(err) < 200
    assert (service / REL).read_bytes() == before


def test_a_root_relative_path_typed_in_a_subfolder_gets_a_hint(
        service: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(service / "tests")
    code, _, err = run(capsys, "tests/unit/test_pool.py")
    assert code == 2
    assert ("tests/tests/unit/test_pool.py does not exist (paths are relative to this folder; "
            "from the root it is tests/unit/test_pool.py)") in err


def test_not_yet_lists_a_test_still_to_write(service: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "tests/unit/test_later.py::test_x", "--not-yet")
    assert code == 0
    assert err.startswith("hotfix-gate: note: tests/unit/test_later.py does not exist; HG202 "
                          "counts the test once it is written and committed\n")
    assert listed(service) == ["tests/unit/test_later.py::test_x"]


def test_remove_takes_one_entry_off_and_clears_the_date_with_the_last(
        service: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for entry in ("tests/unit/test_pool.py::test_release", "tests/unit/test_pool.py"):
        assert run(capsys, entry, "--at", "2025-10-02T09:00:00Z")[0] == 0
    before = (service / REL).read_bytes()
    code, out, _ = run(capsys, "tests/unit/test_pool.py::test_release", "--remove")
    assert code == 0
    assert out == f"{REL}: regression_tests: - tests/unit/test_pool.py::test_release\n"
    assert line_diff(before, (service / REL).read_bytes()) == (
        [b"- tests/unit/test_pool.py::test_release\n"], [])
    code, out, _ = run(capsys, "tests/unit/test_pool.py", "--remove", "--commit")
    assert code == 0 and out.startswith(
        f"{REL}: regression_tests: - tests/unit/test_pool.py, regression_tests_added_at: "
        "2025-10-02T09:00:00Z -> null\ncommitted ")
    assert git(service, "log", "-1", "--format=%s").stdout.strip() == (
        "hotfix-001: regression test tests/unit/test_pool.py removed")
    assert b"regression_tests: []\nregression_tests_added_at: null\n" in (
        service / REL).read_bytes()
    code, _, err = run(capsys, "tests/unit/test_pool.py", "--remove")
    assert code == 2 and err == ("hotfix-gate: error: 'tests/unit/test_pool.py' is not listed in "
                                 "regression_tests (listed: none)\n")
    code, _, err = run(capsys, "tests/unit/test_pool.py", "--remove", "--not-yet")
    assert code == 2 and "--remove takes only the test" in err


def test_remove_by_file_takes_off_the_tests_listed_in_it(
        service: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The README lists `PATH::NAME`, then removes with `PATH --remove`."""
    for entry in ("tests/unit/test_pool.py::test_release",
                  "tests/unit/test_pool.py::TestPool::test_drain"):
        assert run(capsys, entry)[0] == 0
    monkeypatch.chdir(service / "tests")
    code, out, err = run(capsys, "unit/test_pool.py", "--remove", "--commit")
    assert code == 0, err
    assert out.startswith(f"{REL}: regression_tests: - tests/unit/test_pool.py::test_release, "
                          "regression_tests: - tests/unit/test_pool.py::TestPool::test_drain, "
                          "regression_tests_added_at: ")
    assert listed(service) == []
    assert git(service, "log", "-1", "--format=%s").stdout.strip() == (
        "hotfix-001: regression test tests/unit/test_pool.py removed")
    code, _, err = run(capsys, "unit/test_pool.py::test_gone", "--remove")
    assert code == 2 and "is not listed in regression_tests" in err


def test_a_test_not_committed_is_named_with_the_command_that_commits_it(
        service: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (service / "tests/unit/test_new.py").write_text("def test_it():\n    pass\n")
    monkeypatch.chdir(service / "tests/unit")
    code, _, err = run(capsys, "test_new.py::test_it")
    assert code == 0
    assert err.startswith("hotfix-gate: note: tests/unit/test_new.py is not committed yet, and "
                          "HG202 counts it only once it is: `git add test_new.py && git "
                          "commit`\n")
