"""Hostile records through `hotfix-gate check`, in the working tree and via
--rev: each gives a clear finding, never a traceback, a hang, a read outside
the repository, or a pass it should not."""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import io
import os
import random
import shutil
import time
from pathlib import Path

import pytest

from testing.hostile import (
    NOW,
    Outcome,
    assert_clean,
    assert_confined,
    by_folder,
    commit_tree,
    gate,
    gate_process,
    hash_object,
    raw_tree,
)
from testing.repos import COMPLETE_POST_MORTEM, commit_all, front_matter, git, make_repo

SPECS = "specs/hotfix"
READY = "severity: P1\nrollback_plan: git revert the fix\nreviewed_by: alice\n"
RESOLVED = (READY + "status: resolved\ndeployed_at: 2025-10-01T15:00:00Z\n"
            "resolved_at: 2025-10-01T16:00:00Z\n")
SECRET = "def test_secret():\n    assert True\n"


def fm(body: str) -> bytes:
    return f"---\n{body}---\n# Hotfix\n".encode()


def _bomb() -> bytes:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return ("---\n" + "\n".join(lines) + "\n---\n").encode()


# name -> (hotfix.md bytes, [(code, line, fragment of the message)])
# Each expected finding must be there; and no record may crash the others.
CASES: dict[str, tuple[bytes, list[tuple[str, int, str]]]] = {
    "object-tag": (fm('title: !!python/object/apply:os.system ["touch PWNED"]\n'),
                   [("HG001", 2, "YAML tag")]),
    "object-tag-in-list": (fm("regression_tests:\n  - !!python/name:os.system\n"),
                           [("HG001", 3, "YAML tag")]),
    "alias-bomb": (_bomb(), [("HG001", 2, "aliases")]),  # where the anchor is
    "deep-flow": (b"---\nseverity: " + b"[" * 20000 + b"]" * 20000 + b"\n---\n",
                  [("HG001", 2, "nested")]),
    "deep-flow-maps": (b"---\nseverity: " + b"{a: " * 5000 + b"1" + b"}" * 5000 + b"\n---\n",
                       [("HG001", 2, "nested")]),
    "deep-block-seq": (b"---\nseverity:\n" + b"- " * 5000 + b"x\n---\n",
                       [("HG001", 3, "")]),
    "deep-block-map": (b"---\n" + b"".join(b"  " * i + b"k:\n" for i in range(60)) + b"---\n",
                       [("HG001", 34, "nested")]),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random.Random(6).randbytes(4000),
               [("HG001", 1, "not UTF-8")]),
    "nul-bytes": (fm("severity: P0\n") + b"\x00\x00", [("HG001", 1, "NUL")]),
    "control-chars": (fm("severity: P0\ntitle: \x1b[31mred\x07\n"),
                      [("HG001", 3, "control characters")]),
    "latin-1": (b"---\nseverity: P0\ntitle: caf\xe9 down\n---\n", [("HG001", 3, "not UTF-8")]),
    "bom-crlf": (b"\xef\xbb\xbf---\r\nid: hotfix-012\r\nstatus: investigating\r\n"
                 b"incident_start: 2025-10-01T14:00:00Z\r\nseverity: P2\r\n"
                 b"rollback_plan: revert\r\nreviewed_by: bo\r\n---\r\n# Hotfix\r\n",
                 [("HG204", 1, "open")]),  # read whole: only its age is held against it
    "unclosed": (b"---\nseverity: P0\nrollback_plan: revert\n# Hotfix\n",
                 [("HG001", 1, "never closed")]),
    "only-fences": (b"---\n---\n", [("HG101", 1, "not set"), ("HG102", 1, "no rollback")]),
    "not-a-mapping": (fm("- severity\n- P0\n"), [("HG001", 2, "mapping")]),
    "scalar-document": (fm("P0\n"), [("HG001", 2, "mapping")]),
    "duplicate-key": (fm("severity: P0\nseverity: P2\n"), [("HG001", 3, "twice")]),
    "non-string-key": (fm("1: x\n"), [("HG001", 2, "not a string")]),
    "complex-key": (fm("? [a, b]\n: 1\n"), [("HG001", 2, "")]),
    "merge-key": (fm("<<: {severity: P0}\n"), [("HG001", 2, "merge")]),
    "set-tag": (fm("severity: !!set {P0}\n"), [("HG001", 2, "tag")]),
    "wrong-types": (fm("severity: [P0]\nregression_tests: tests/x.py\nstatus: {a: 1}\n"
                       "title: {x: y}\nwaivers: 5\nrollback_plan: [a]\nreviewed_by: true\n"),
                    [("HG001", 2, "not a list"), ("HG001", 3, "must be a list of paths"),
                     ("HG001", 4, "unknown status"), ("HG001", 5, "title must be text"),
                     ("HG001", 6, "waivers must be a list"),
                     ("HG001", 7, "rollback_plan must be text"),
                     ("HG001", 8, "reviewed_by must be text")]),
    "bad-timestamps": (fm(READY + "incident_start: yesterday\ndeployed_at: 2025-13-45\n"
                          "resolved_at: 9999-12-31T23:00:00Z\n"
                          "detected_at: 0001-01-01 00:00:00 +05:00\n"),
                       [("HG001", 5, "ISO 8601"), ("HG001", 6, "ISO 8601"),
                        ("HG001", 7, "plausible"), ("HG001", 8, "plausible")]),
    "timestamp-types": (fm(READY + "deployed_at: [1]\nresolved_at: 12\n"),
                        [("HG001", 5, "timestamp"), ("HG001", 6, "timestamp")]),
    "huge-values": (fm(f"severity: {'P' * 200_000}\nstatus: {'x' * 200_000}\n"),
                    [("HG001", 2, "unknown severity"), ("HG001", 3, "unknown status")]),
    "huge-integer": (fm(f"severity: {'9' * 50_000}\n"), [("HG001", 2, "severity")]),
    "unclosed-brackets": (fm("severity: P0\n") + b"## Rollback Plan\n" + b"[" * 400_000,
                          [("HG102", 1, "no rollback plan")]),
    "comment-bomb": (fm("severity: P0\n") + b"## Rollback Plan\n" + b"<!--" * 200_000,
                     [("HG102", 1, "no rollback plan")]),
    "no-front-matter": (b"# Hotfix\nJust prose.\n", [("HG001", 1, "no front matter")]),
    "empty-file": (b"", [("HG001", 1, "no front matter")]),
    "cr-only": (b"---\rseverity: P0\r---\r", [("HG001", 1, "")]),
    "tests-escape": (b"", []),  # written by the fixture: needs the sentinel's path
    "tests-thousands": (fm(RESOLVED + "regression_tests:\n"
                           + "".join(f"  - tests/test_ok.py::test_{i}\n" for i in range(3000))),
                        [("HG202", 8, "only the first 200")]),
    # Explicit tags that disagree with their text, at every position.
    "bool-tag": (fm("severity: !!bool p0\n"), [("HG001", 2, "'p0' is not a !!bool value")]),
    "timestamp-tag": (fm(READY + "resolved_at: !!timestamp soon\n"),
                      [("HG001", 5, "not a !!timestamp value")]),
    "null-tag": (fm(READY + "resolved_at: !!null 2025-10-01T16:00:00Z\n"),
                 [("HG001", 5, "not a !!null value")]),
    "tag-in-list": (fm("regression_tests: [tests/a.py, !!int x]\n"),
                    [("HG001", 2, "'x' is not a !!int value")]),
    "tag-on-key": (fm("severity: P0\n!!float status: resolved\n"),
                   [("HG001", 3, "not a !!float value")]),
    "binary-tag": (fm("title: !!binary aGVsbG8=\n"), [("HG001", 2, "!!binary is not allowed")]),
    "local-tag": (fm("severity: P0\ntitle: !incident x\n"),
                  [("HG001", 3, "!incident is not allowed")]),
    "verbatim-tag": (fm("title: !<tag:example.com,2025:t> x\n"),
                     [("HG001", 2, "!<tag:example.com,2025:t> is not allowed")]),
    # Keys that look like known ones are not "unknown, kept and ignored".
    "near-miss-key": (fm(RESOLVED.replace("resolved_at", "resolved-at")),
                      [("HG001", 7, "key 'resolved-at' looks like resolved_at")]),
    "zero-width-key": (fm(READY + "st\u200batus: resolved\n"),
                       [("HG001", 5, "key 'st\\u200batus' looks like status")]),
    "cyrillic-key": (fm(READY + "st\u0430tus: resolved\n"),
                     [("HG001", 5, "key 'st\\u0430tus' looks like status")]),
    "nested-duplicate": (fm("waivers:\n- gate: HG201\n  reason: vendor\n  gate: HG202\n"),
                         [("HG001", 5, "key 'gate' is written twice (first on line 3)")]),
    "waiver-without-by": (fm(RESOLVED + "waivers:\n- gate: HG201\n  reason: vendor review\n"
                             "  at: 2025-10-02T00:00:00Z\n"),
                          [("HG001", 9, "waiver of HG201 does not count: missing by")]),
    "placeholder-plan": (fm("severity: P0\nrollback_plan: '[ROLLBACK STEPS]'\n"),
                         [("HG102", 3, "no rollback plan")]),
    "invisible-title": (fm('title: "\\u200b\\u3164"\n'),
                        [("HG001", 2, "title has no visible characters")]),
    "huge-key": (fm("? " + "k" * 100_000 + "\n: kept\nseverity: P0\n"),
                 [("HG102", 1, "no rollback plan")]),
}

LINKS = {
    # name -> symlink target of hotfix.md (relative to the record folder)
    "link-passwd": "/etc/passwd",
    "link-relative-out": "../../../../../../../../../etc/passwd",
    "link-git-config": "../../../.git/config",
    "link-loop": "hotfix.md",
    "link-other-record": "../001-bom-crlf/hotfix.md",
}


@pytest.fixture(scope="module")
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Files outside the repository that would make a test "found" if read."""
    path = tmp_path_factory.mktemp("outside")
    (path / "secret.py").write_text(SECRET)
    (path / "tests").mkdir()
    (path / "tests/test_ok.py").write_text(SECRET)
    return path


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory, outside: Path) -> Path:
    """One repository holding every hostile record side by side, committed."""
    repo = make_repo(tmp_path_factory.mktemp("zoo") / "service")
    specs = repo / SPECS
    names = [*CASES, *LINKS, "hotfix-is-dir"]
    for number, name in enumerate(names, start=1):
        folder = specs / f"{number:03d}-{name}"
        folder.mkdir(parents=True)
        if name in LINKS:
            os.symlink(LINKS[name].replace("001-bom-crlf", f"{names.index('bom-crlf') + 1:03d}"
                                           "-bom-crlf"), folder / "hotfix.md")
        elif name == "hotfix-is-dir":
            (folder / "hotfix.md").mkdir()
            (folder / "hotfix.md/README").write_text("not a record\n")
        else:
            (folder / "hotfix.md").write_bytes(CASES[name][0])
        (folder / "post-mortem.md").write_text(COMPLETE_POST_MORTEM)
    tests = repo / "tests"
    tests.mkdir()
    (tests / "test_ok.py").write_text("def test_a():\n    pass\n")
    os.symlink(outside / "secret.py", tests / "link_out.py")
    os.symlink(outside / "tests", tests / "dir_out")
    escape = front_matter({
        "severity": "P1", "rollback_plan": "revert", "reviewed_by": "alice",
        "status": "resolved", "deployed_at": "2025-10-01T15:00:00Z",
        "resolved_at": "2025-10-01T16:00:00Z",
        "regression_tests": [
            f"{outside}/secret.py::test_secret", "../outside/secret.py::test_secret",
            "tests/../../secret.py::test_secret", "tests/link_out.py::test_secret",
            "tests/dir_out/test_ok.py::test_secret", "", "::test_secret", ".",
            ".git/config::bare", "tests", "C:/secret.py", "tests/test_ok.py::test_secret",
        ],
    })
    (specs / f"{names.index('tests-escape') + 1:03d}-tests-escape/hotfix.md").write_text(escape)
    commit_all(repo, "hostile records")
    return repo


@pytest.fixture(scope="module")
def verdicts(zoo: Path) -> dict[str, Outcome]:
    started = time.monotonic()
    runs = {
        "working tree": gate(zoo, "check", "--format", "json", "--now", NOW),
        "rev": gate(zoo, "check", "--rev", "HEAD", "--format", "json", "--now", NOW),
        # The second --rev run is served from the parse cache: it must agree.
        "rev, cached": gate(zoo, "check", "--rev", "HEAD", "--format", "json", "--now", NOW),
    }
    assert time.monotonic() - started < 30, "hostile records made check slow"
    return runs


def folder_of(zoo: Path, name: str) -> str:
    found = [p.name for p in (zoo / SPECS).iterdir() if p.name[4:] == name]
    assert len(found) == 1, name
    return f"{SPECS}/{found[0]}"


RUNS = ["working tree", "rev", "rev, cached"]


@pytest.mark.parametrize("run", RUNS)
def test_every_hostile_record_gets_a_verdict(verdicts: dict[str, Outcome], run: str,
                                             zoo: Path, outside: Path) -> None:
    outcome = verdicts[run]
    assert_clean(outcome)
    assert outcome.code == 1
    assert_confined(outcome, outside, "/etc/passwd", zoo / ".git/config")
    assert not (zoo / "PWNED").exists()
    names = {str(f["path"]).split("/")[2] for f in outcome.findings()}
    assert len(names) >= len(CASES)  # every record was judged, none hid the others
    for finding in outcome.findings():
        assert len(str(finding["message"])) < 400, finding


@pytest.mark.parametrize("command", [["status", "--format", "json"],
                                     ["status", "--rev", "HEAD", "--format", "json"],
                                     ["report", "--format", "json"]])
def test_status_and_report_survive_every_hostile_record(zoo: Path, command: list[str]) -> None:
    """One record, whatever it holds, never fails the listing of the others."""
    import json

    outcome = gate(zoo, *command, "--now", NOW)
    assert_clean(outcome)
    assert outcome.code in (0, 1), outcome.err
    payload = json.loads(outcome.out)
    if command[0] == "status":
        paths = {str(row["path"]).split("/")[2] for row in payload}
        assert {f"{i:03d}-{name}" for i, name in enumerate(CASES, start=1)} <= paths
    else:
        assert payload["totals"]["count"] >= len(CASES), payload["totals"]


@pytest.mark.parametrize("run", RUNS)
@pytest.mark.parametrize("name", [n for n in CASES if n != "tests-escape"])
def test_hostile_record_finding(verdicts: dict[str, Outcome], zoo: Path, run: str,
                                name: str) -> None:
    folder = folder_of(zoo, name)
    found = by_folder(verdicts[run].findings(), folder)
    for code, line, fragment in CASES[name][1]:
        assert any(f["code"] == code and f["line"] == line and fragment in str(f["message"])
                   for f in found), (code, line, fragment, found)
    if not CASES[name][1]:
        assert not [f for f in found if f["blocking"]], found


@pytest.mark.parametrize("run", RUNS)
def test_symlinked_records(verdicts: dict[str, Outcome], zoo: Path, run: str) -> None:
    findings = verdicts[run].findings()
    for name in ("link-passwd", "link-relative-out"):
        found = by_folder(findings, folder_of(zoo, name))
        assert [f["code"] for f in found] == ["HG001"]
        assert "symlink out of the repository" in str(found[0]["message"])
    git_config = by_folder(findings, folder_of(zoo, "link-git-config"))
    assert [f["code"] for f in git_config] == ["HG001"]
    loop = by_folder(findings, folder_of(zoo, "link-loop"))
    assert [f["code"] for f in loop] == ["HG001"] and "chain" in str(loop[0]["message"])
    # A link to another record inside the tree is followed: that record is valid
    # (it is old and open, and its id names the other folder).
    linked = by_folder(findings, folder_of(zoo, "link-other-record"))
    assert sorted((f["code"], f["level"]) for f in linked) == [("HG001", "warn"),
                                                                ("HG204", "error")], linked
    as_dir = by_folder(findings, folder_of(zoo, "hotfix-is-dir"))
    assert [f["code"] for f in as_dir] == ["HG001"]
    assert "directory" in str(as_dir[0]["message"])


@pytest.mark.parametrize("run", RUNS)
def test_regression_tests_never_read_outside_the_tree(verdicts: dict[str, Outcome], zoo: Path,
                                                      run: str) -> None:
    found = by_folder(verdicts[run].findings(), folder_of(zoo, "tests-escape"))
    hg202 = [str(f["message"]) for f in found if f["code"] == "HG202"]
    # Every entry is reported: none was "found" through a path out of the tree.
    assert len(hg202) == 12, hg202
    assert any("absolute" in m for m in hg202)
    assert any("leaves the repository" in m for m in hg202)
    assert any("symlink out of the repository" in m for m in hg202)
    assert any("inside .git" in m for m in hg202)
    assert any("test_secret is not defined in tests/test_ok.py" in m for m in hg202)


def test_fifo_record_does_not_hang(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "service")
    folder = repo / SPECS / "001-fifo"
    folder.mkdir(parents=True)
    os.mkfifo(folder / "hotfix.md")
    os.mkfifo(folder / "post-mortem.md")
    (repo / "tests").mkdir()
    os.mkfifo(repo / "tests/test_fix.py")
    os.mkfifo(repo / ".hotfix-gates.yaml")
    outcome = gate_process(repo, "check", "--now", NOW, timeout=20)
    assert_clean(outcome)
    assert outcome.code == 2 and "special file" in outcome.err  # the configuration
    os.unlink(repo / ".hotfix-gates.yaml")
    outcome = gate_process(repo, "check", "--now", NOW, timeout=20)
    assert_clean(outcome)
    assert outcome.code == 1
    assert "hotfix.md is a special file" in outcome.out


def test_fifo_test_file_and_post_mortem_do_not_hang(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "service")
    folder = repo / SPECS / "001-fifo"
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_bytes(fm(RESOLVED + "regression_tests: [tests/t.py::test_a]\n"))
    os.mkfifo(folder / "post-mortem.md")
    (repo / "tests").mkdir()
    os.mkfifo(repo / "tests/t.py")
    outcome = gate_process(repo, "check", "--now", NOW, timeout=20)
    assert_clean(outcome)
    assert "HG201" in outcome.out and "HG202" in outcome.out and "special file" in outcome.out


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = make_repo(tmp_path_factory.mktemp("big") / "service")
    folder = repo / SPECS / "001-big"
    folder.mkdir(parents=True)
    with open(folder / "hotfix.md", "wb") as handle:
        handle.write(fm("severity: P0\nrollback_plan: revert\n"))
        handle.write(b"x" * (50 * 1024 * 1024))
    commit_all(repo, "a 50 MB record")
    return repo


@pytest.mark.parametrize("rev", [False, True])
def test_fifty_megabyte_record_is_refused_unread(big: Path, rev: bool) -> None:
    args = ["check", "--now", NOW, *(["--rev", "HEAD"] if rev else [])]
    outcome = gate(big, *args)
    assert_clean(outcome)
    assert outcome.code == 1
    assert "is larger than 1048576 bytes" in outcome.out


def _specs_replaced(tmp_path: Path, how: str) -> Path:
    repo = make_repo(tmp_path / "service")
    (repo / "specs").mkdir()
    elsewhere = repo / "docs/hotfix/001-hidden"
    elsewhere.mkdir(parents=True)
    (elsewhere / "hotfix.md").write_bytes(fm("title: hidden\n"))
    if how == "specs-hotfix-link-in":
        os.symlink("../docs/hotfix", repo / SPECS)
    elif how == "specs-hotfix-link-out":
        os.symlink(str(tmp_path), repo / SPECS)
    elif how == "specs-link":
        shutil.rmtree(repo / "specs")
        os.symlink("docs", repo / "specs")
    elif how == "specs-hotfix-file":
        (repo / SPECS).write_text("not a folder\n")
    elif how == "specs-file":
        shutil.rmtree(repo / "specs")
        (repo / "specs").write_text("not a folder\n")
    commit_all(repo, how)
    return repo


@pytest.mark.parametrize("how", ["specs-hotfix-link-in", "specs-hotfix-link-out", "specs-link",
                                 "specs-hotfix-file", "specs-file"])
@pytest.mark.parametrize("rev", [False, True])
def test_specs_folder_that_is_not_a_folder(tmp_path: Path, how: str, rev: bool) -> None:
    """Records hidden behind a symlinked or file specs folder never pass silently."""
    repo = _specs_replaced(tmp_path, how)
    outcome = gate(repo, "check", "--now", NOW, *(["--rev", "HEAD"] if rev else []))
    assert_clean(outcome)
    assert outcome.code == 1, outcome.out
    assert "HG001" in outcome.out and "not a folder" in outcome.out
    assert_confined(outcome, tmp_path / "service/docs")


def test_submodule_entries(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    for path in (f"{SPECS}/001-x/hotfix.md", f"{SPECS}/002-sub", "tests/test_fix.py"):
        git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},{path}")
    (repo / SPECS / "003-ok").mkdir(parents=True)
    (repo / SPECS / "003-ok/hotfix.md").write_bytes(
        fm(RESOLVED + "regression_tests: [tests/test_fix.py]\n"))
    git(repo, "add", SPECS + "/003-ok")
    git(repo, "commit", "-q", "-m", "gitlinks")
    outcome = gate(repo, "check", "--rev", "HEAD", "--now", NOW)
    assert_clean(outcome)
    assert "001-x/hotfix.md is a submodule, not a file" in outcome.out
    assert "002-sub is a submodule, not a folder" in outcome.out
    assert "tests/test_fix.py is a submodule, not a file" in outcome.out
    whole = make_repo(repo.parent / "whole")
    git(whole, "update-index", "--add", "--cacheinfo", f"160000,{head},{SPECS}")
    git(whole, "commit", "-q", "-m", "specs is a gitlink")
    outcome = gate(whole, "check", "--rev", "HEAD", "--now", NOW)
    assert_clean(outcome)
    assert outcome.code == 1 and f"{SPECS} is a submodule, not a folder" in outcome.out


def test_malformed_git_objects(repo: Path) -> None:
    """Trees a hostile client can push when the server does not fsck: wrong
    object types, unparsable trees, missing objects."""
    blob = hash_object(repo, "blob", fm("severity: P0\nrollback_plan: revert\n"))
    record = raw_tree(repo, [("100644", "hotfix.md", blob)])
    cases = {
        "folder-is-blob": [("40000", "001-x", blob)],
        "file-is-tree": [("40000", "001-x", raw_tree(repo, [("100644", "hotfix.md", record)]))],
        "link-is-tree": [("40000", "001-x", raw_tree(repo, [("120000", "hotfix.md", record)]))],
        "missing-objects": [("40000", "001-x", "ab" * 20),
                            ("40000", "002-x", raw_tree(repo, [("100644", "hotfix.md",
                                                                "cd" * 20)]))],
        "unparsable": [("40000", "", record)],  # an empty name: libgit2 refuses the tree
    }
    expected = {
        "folder-is-blob": "001-x/hotfix.md",
        "file-is-tree": "is a tree, not a blob",
        "link-is-tree": "is a tree, not a blob",
        "missing-objects": "is missing from the repository",
        "unparsable": "cannot be read",
    }
    for name, entries in cases.items():
        hotfix = raw_tree(repo, entries)
        specs = raw_tree(repo, [("40000", "hotfix", hotfix)])
        root = raw_tree(repo, [("40000", "specs", specs)])
        git(repo, "update-ref", f"refs/heads/{name}", commit_tree(repo, root))
        outcome = gate(repo, "check", "--rev", name, "--now", NOW)
        assert_clean(outcome)
        assert outcome.code == 1, (name, outcome.out)
        assert expected[name] in outcome.out, (name, outcome.out)
        if HOOKS:
            commit = git(repo, "rev-parse", name).stdout.strip()
            code, err = hook("pre_receive", repo, f"{'0' * 40} {commit} refs/heads/main\n")
            assert code == 1 and expected[name] in err, (name, err)


HOOKS = importlib.util.find_spec("hotfix_gates.hooks.pre_receive") is not None


def hook(module: str, repo: Path, stdin: str) -> tuple[int, str]:
    """pre-push or pre-receive in this process, as git would run it in `repo`."""
    hooks = importlib.import_module(f"hotfix_gates.hooks.{module}")
    err = io.StringIO()
    environ = {"GIT_DIR": str(repo / ".git"), "HOTFIX_GATE_NOW": NOW}
    if module == "pre_receive":  # the server's clock is its own git config
        git(repo, "config", "hotfix-gates.now", NOW)
    with contextlib.redirect_stderr(err):
        code = hooks.guarded(module, lambda: hooks.run(environ, io.StringIO(stdin)))
    text = err.getvalue()
    assert "Traceback" not in text and "internal error" not in text, text
    return code, text


@pytest.mark.skipif(not HOOKS, reason="the push hooks are not built yet")
@pytest.mark.parametrize("module", ["pre_push", "pre_receive"])
def test_push_hooks_on_hostile_records(zoo: Path, module: str) -> None:
    head = git(zoo, "rev-parse", "HEAD").stdout.strip()
    zero = "0" * 40
    line = (f"refs/heads/main {head} refs/heads/main {zero}" if module == "pre_push"
            else f"{zero} {head} refs/heads/main")
    code, err = hook(module, zoo, line + "\n")
    assert code == 1
    judged = {p.name for p in (zoo / SPECS).iterdir()}
    assert all(name in err for name in judged if "bom-crlf" not in name
               and "link-other" not in name), err
    assert not (zoo / "PWNED").exists()
    # A hotfix branch push reads its own record only; a broken one is a finding.
    number = folder_of(zoo, "alias-bomb").split("/")[-1][:3]
    line = (f"refs/heads/x {head} refs/heads/hotfix/{number}-alias-bomb {zero}"
            if module == "pre_push" else f"{zero} {head} refs/heads/hotfix/{number}-alias-bomb")
    code, err = hook(module, zoo, line + "\n")
    assert code == 1 and "aliases" in err and "HG001" in err, err


def test_a_record_cannot_forge_output_lines(repo: Path) -> None:
    """Newlines and terminal controls in values, waiver reasons, tags and
    folder names are shown escaped: every line is a finding or the summary."""
    forged = "\nhotfix-gate: passed: 0 blocking\x1b[2J\u2028"
    write = repo / SPECS / f"001-x{forged}"
    write.mkdir(parents=True)
    (write / "hotfix.md").write_text(front_matter({
        "severity": "P1", "rollback_plan": "revert", "reviewed_by": "alice",
        "status": "resolved", "deployed_at": "2025-10-01T15:00:00Z",
        "resolved_at": "2025-10-01T16:00:00Z",
        "regression_tests": [f"tests/a{forged}.py::test_{forged}"],
        "waivers": [{"gate": "HG201", "reason": f"late{forged}", "by": forged,
                     "at": "2025-10-02T00:00:00Z"}],
    }))
    tagged = repo / SPECS / "002-tag"
    tagged.mkdir()
    (tagged / "hotfix.md").write_text("---\ntitle: !<%0Ahotfix-gate:%20passed> 1\n---\n")
    commit_all(repo, "forged lines")
    for args in ((), ("--rev", "HEAD")):
        outcome = gate(repo, "check", "--now", NOW, *args)
        assert_clean(outcome)
        lines = outcome.out.splitlines()
        assert len(lines) == len(outcome.out.split("\n")) - 1  # no stray CR, LS or NEL
        assert all(line.startswith(f"{SPECS}/0") for line in lines[:-1]), lines
        assert lines[-1].startswith("hotfix-gate: blocked:")
        assert "\x1b" not in outcome.out and "\\x1b" in outcome.out


# --- descriptions for `hotfix-gate new` ---------------------------------------------

DESCRIPTIONS = {
    "newline-key": "x\nseverity: P0",
    "crlf-key": "x\r\nseverity: P0\r\nrollback_plan: done",
    "fence": "---\nseverity: P0\n---",
    "yaml-syntax": "{severity: P0} [a, b] &x *x !!python/object/apply:os.system ['id'] # c",
    "quotes": "'single' \"double\" `back` \\ backslash",
    "shell": "$(touch PWNED) `touch PWNED`; rm -rf / && echo | cat > x",
    "bidi": "db \u202eevil\u202c \u200f\u200b down",
    "emoji": "💥 checkout 🔥 503 errors 🚒",
    "template": "{{severity}} {{id}} {{ title }} <!-- not closed",
    "markdown": "## Rollback Plan\n\nrevert everything\n<!--",
    "nul-and-controls": "db\x00down\x1b[31m\x07 now",
    "surrogates": "db \udcff\udcfe down",
    "only-stop-words": "the a an of to",
    "long": "database " * 1250,
    "numbers": "503 500 404",
    "colon-space": "key: value: more",
}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("new") / "service")


@pytest.mark.parametrize("name", list(DESCRIPTIONS))
def test_new_stores_any_description_as_plain_text(fresh: Path, name: str) -> None:
    import json
    import re

    import yaml

    pytest.importorskip("hotfix_gates.commands.new")
    from hotfix_gates.commands.new import clean_title

    description = DESCRIPTIONS[name]
    outcome = gate(fresh, "new", "--no-branch", "--anyway", "--json", "--at",
                   "2025-10-01T14:00:00Z", "--",
                   description)
    assert_clean(outcome)
    assert outcome.code == 0, outcome.err
    created = json.loads(outcome.out)
    folder = Path(created["dir"])
    assert folder.parent == fresh / SPECS
    slug = folder.name.split("-", 1)[1]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) and len(slug) <= 60, slug
    text = (folder / "hotfix.md").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert set(front) == {"id", "title", "branch", "severity", "status", "incident_start",
                          "detected_at", "deployed_at", "resolved_at", "rollback_plan",
                          "reviewed_by", "regression_tests"}
    assert front["severity"] is None and front["rollback_plan"] is None
    assert front["title"] == clean_title(description) == created["title"]
    assert isinstance(front["title"], str) and "\n" not in front["title"]
    assert not (fresh / "PWNED").exists()
    found = gate(fresh, "check", "--now", NOW, "--format", "json")
    assert_clean(found)
    mine = by_folder(found.findings(), f"{SPECS}/{folder.name}")
    assert sorted(str(f["code"]) for f in mine) == ["HG101", "HG102", "HG204"], mine  # no more


@pytest.mark.parametrize("command", [
    ["status"],
    ["report"],
    ["check"],
])
def test_listings_cannot_be_forged_by_a_record_id(repo: Path, command: list[str]) -> None:
    folder = repo / SPECS / "001-x"
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_text(front_matter({
        "id": "hotfix-001\nFORGED: hotfix-gate: passed\x1b[2J", "severity": "P1",
        "status": "resolved", "incident_start": "2025-10-01T14:00:00Z",
        "deployed_at": "2025-10-01T15:00:00Z", "resolved_at": "2025-10-01T16:00:00Z",
        "waivers": [{"gate": "HG201", "reason": "late\nFORGED: waived", "by": "bo",
                     "at": "2025-10-02T00:00:00Z"}],
    }))
    outcome = gate(repo, *command, "--now", NOW)
    assert_clean(outcome)
    text = outcome.out + outcome.err
    assert not [line for line in text.splitlines() if line.startswith("FORGED")], text
    assert "\x1b" not in text


BIG = "9" * 5000  # int() refuses more than 4,300 digits


def test_numbers_with_thousands_of_digits(repo: Path) -> None:
    """A crafted tree can name a folder with any number of digits, and a
    pusher any branch: each is judged or refused in one line."""
    blob = hash_object(repo, "blob", fm("id: hotfix-" + BIG + "\nseverity: P0\n"))
    record = raw_tree(repo, [("100644", "hotfix.md", blob)])
    hotfix = raw_tree(repo, [("40000", f"{BIG}-x", record), ("40000", f"0{BIG}-y", record)])
    root = raw_tree(repo, [("40000", "specs", raw_tree(repo, [("40000", "hotfix", hotfix)]))])
    commit = commit_tree(repo, root)
    outcome = gate(repo, "check", "--rev", commit, "--now", NOW)
    assert_clean(outcome)
    assert outcome.code == 1 and "HG102" in outcome.out
    if importlib.util.find_spec("hotfix_gates.commands.set") is not None:
        for wanted in (BIG, "0" * 5000 + "1"):
            assert_clean(gate(repo, "set", "severity", "P0", "--id", wanted))


@pytest.mark.skipif(not HOOKS, reason="the push hooks are not built yet")
@pytest.mark.parametrize("module", ["pre_push", "pre_receive"])
def test_hotfix_branch_with_thousands_of_digits(repo: Path, module: str) -> None:
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    ref = f"refs/heads/hotfix/{BIG}-x"
    line = (f"refs/heads/x {head} {ref} {'0' * 40}" if module == "pre_push"
            else f"{'0' * 40} {head} {ref}")
    code, _ = hook(module, repo, line + "\n")  # asserts no internal error
    # No record can carry such a number: the branch is not a hotfix branch.
    assert code == 0


def test_file_names_that_are_not_utf8(repo: Path) -> None:
    """A folder name that is not UTF-8 (and a strict UTF-8 stdout, as CI often
    sets) is printed escaped, in the working tree and via --rev."""
    from testing.repos import clean_env

    folder = os.fsencode(repo / SPECS) + b"/001-\xff\xfe-\x1b[2J"
    os.makedirs(folder)
    with open(folder + b"/hotfix.md", "wb") as handle:
        handle.write(fm("severity: P0\n"))
    commit_all(repo, "a folder name that is not UTF-8")
    env = clean_env(PYTHONIOENCODING="utf-8")
    for fmt, args in (("text", ()), ("text", ("--rev", "HEAD")), ("github", ()),
                      ("json", ())):
        outcome = gate_process(repo, "check", "--now", NOW, "--format", fmt, *args, env=env)
        assert_clean(outcome)
        assert outcome.code == 1 and "\x1b" not in outcome.out
        assert "HG102" in outcome.out
