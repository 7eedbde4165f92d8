"""Attacks on the server and CI, round three: each tried for real against a
bare repository with the pre-receive hook `hotfix-gate install` puts there,
and `hotfix-gate check --base` as the CI verdict.

The overdue record: P0, rollback plan set, resolved on 2025-09-01, no
regression test, no post-mortem. The server judges at LATE, five weeks on.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from testing.hostile import hash_object, raw_tree
from testing.pushes import push
from testing.repos import (
    COMPLETE_POST_MORTEM,
    clean_env,
    commit_all,
    git,
    run_gate,
    write_record,
)
from testing.served import (
    FOLDER,
    LATE,
    OVERDUE,
    SLUG,
    blocking,
    ci,
    refused,
)


def overdue_with_tests(repo: Path, *entries: str, **files: str) -> None:
    """The overdue record with its post-mortem written and `entries` listed
    as its regression tests; `files` (path with `__` for `/`) committed beside it."""
    for name, text in files.items():
        path = repo / name.replace("__", "/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=list(entries), **OVERDUE)
    commit_all(repo, "hotfix-001: the post-incident work")


# --- HG202: what is listed must be a test that runs ---------------------------------

NOT_TESTS = {
    "a word of the README": ("README.md::demo", {}),
    "a function of the application": ("app/pool.py::release",
                                      {"app__pool.py": "def release():\n    pass\n"}),
    "a test under if False": ("tests/test_pool.py::test_leak", {
        "tests__test_pool.py": "if False:\n    def test_leak():\n        pass\n"}),
    "a skipped test": ("tests/test_pool.py::test_leak", {
        "tests__test_pool.py": "import pytest\n\n@pytest.mark.skip\ndef test_leak():\n"
                               "    assert False\n"}),
    "a module no runner collects": ("tests/helpers.py::test_leak", {
        "tests__helpers.py": "def test_leak():\n    pass\n"}),
    "a type stub": ("tests/test_pool.pyi::test_leak", {
        "tests__test_pool.pyi": "def test_leak() -> None: ...\n"}),
}


@pytest.mark.parametrize("how", NOT_TESTS, ids=list(NOT_TESTS))
def test_hg202_is_not_met_by_what_is_not_a_test_that_runs(fresh: tuple[Path, Path],
                                                          how: str) -> None:
    repo, remote = fresh
    entry, files = NOT_TESTS[how]
    overdue_with_tests(repo, entry, **files)
    assert blocking(refused(repo, remote)) == {"HG202"}
    code, out = ci(repo)
    assert code == 1 and blocking(out) == {"HG202"}


def test_hg202_is_met_by_a_test_that_runs(fresh: tuple[Path, Path]) -> None:
    repo, _ = fresh
    overdue_with_tests(repo, "tests/test_pool.py::TestPool::test_leak", **{
        "tests__test_pool.py": "class TestPool:\n    def test_leak(self):\n        pass\n"})
    assert ci(repo)[0] == 0
    assert push(repo, "origin", "main", now=LATE).returncode == 0


# --- hand-made trees: what the gates read is not what a clone gets -----------------

def _entries(repo: Path, tree: str) -> list[tuple[str, str, str]]:
    out = []
    for line in git(repo, "ls-tree", tree).stdout.splitlines():
        meta, name = line.split("\t")
        mode, _, oid = meta.split()
        out.append((mode.lstrip("0"), name, oid))  # ls-tree pads 40000; git does not
    return out


def _replace(repo: Path, tree: str, path: str, entries: list[tuple[str, str, str]]) -> str:
    """`tree` with the folder at `path` made of `entries` as given (no checks)."""
    name, _, rest = path.partition("/")
    kept = [e for e in _entries(repo, tree) if e[1] != name]
    if rest:
        inner = git(repo, "rev-parse", f"{tree}:{name}").stdout.strip()
        kept.append(("40000", name, _replace(repo, inner, rest, entries)))
    else:
        kept.append(("40000", name, raw_tree(repo, entries)))
    return raw_tree(repo, kept)


def hand_made(repo: Path, folder: str, entries: list[tuple[str, str, bytes]]) -> str:
    """Commit (on main, in the clone) the index's tree with `folder` replaced
    by a hand-made one of (mode, name, content) entries."""
    git(repo, "add", "-A")
    blobs = [(mode, name, hash_object(repo, "blob", data)) for mode, name, data in entries]
    tree = _replace(repo, git(repo, "write-tree").stdout.strip(), folder, blobs)
    commit = git(repo, "commit-tree", "-m", "hand-made", "-p", "HEAD", tree).stdout.strip()
    git(repo, "update-ref", "refs/heads/main", commit)
    return commit


TEST = b"def test_leak():\n    pass\n"


def test_a_test_file_git_checks_out_as_a_symlink_is_not_a_test(fresh: tuple[Path, Path]) -> None:
    """Mode 120755: libgit2 reads a file defining test_leak; a clone gets a
    symlink to a path named like that code."""
    repo, remote = fresh
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    hand_made(repo, "tests", [("120755", "test_pool.py", TEST)])
    lines = refused(repo, remote)
    assert blocking(lines) == {"HG202"}
    assert "tests is not encoded as git writes trees" in lines
    assert ci(repo)[0] == 1


def test_a_test_file_git_checks_out_as_a_submodule_is_not_a_test(
        fresh: tuple[Path, Path]) -> None:
    """Mode 160755: git sends no blob for it, so the blob goes first under a
    tag (tags are not judged); then the commit that names it."""
    repo, remote = fresh
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    hand_made(repo, "tests", [("160755", "test_pool.py", TEST)])
    blob = hash_object(repo, "blob", TEST)
    assert push(repo, "origin", f"{blob}:refs/tags/blob", now=LATE).returncode == 0
    assert "tests is not encoded as git writes trees" in refused(repo, remote)
    assert ci(repo)[0] == 1


def test_a_test_folder_that_lists_a_name_twice_is_not_read(fresh: tuple[Path, Path]) -> None:
    """libgit2 reads the first test_pool.py; a checkout writes the second."""
    repo, remote = fresh
    write_record(repo, 1, SLUG, post_mortem=COMPLETE_POST_MORTEM,
                 regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    hand_made(repo, "tests", [("100644", "test_pool.py", TEST),
                              ("100644", "test_pool.py", b"# nothing here\n")])
    assert "tests lists 'test_pool.py' twice" in refused(repo, remote)
    assert ci(repo)[0] == 1


def test_a_post_mortem_git_checks_out_as_a_symlink_is_refused(fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    write_record(repo, 1, SLUG, regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(TEST.decode())
    record = (repo / FOLDER / "hotfix.md").read_bytes()
    hand_made(repo, FOLDER, [("100644", "hotfix.md", record),
                             ("120755", "post-mortem.md", COMPLETE_POST_MORTEM.encode())])
    lines = refused(repo, remote)
    assert blocking(lines) == {"HG001"}
    assert f"{FOLDER} is not encoded as git writes trees" in lines
    assert ci(repo)[0] == 1


# --- protected branches other than the default one --------------------------------

def test_a_new_protected_branch_cannot_restart_the_clock(served: tuple[Path, Path]) -> None:
    """release/9 does not exist yet: with no tip to keep, the overdue record
    with its times moved a month later used to land there."""
    repo, remote = served
    write_record(repo, 1, SLUG, **{**OVERDUE, "deployed_at": "2025-10-09T11:00:00Z",
                                   "resolved_at": "2025-10-09T12:00:00Z"})
    commit_all(repo, "hotfix-001: the times moved on")
    lines = refused(repo, remote, "HEAD:refs/heads/release/9", ref="release/9")
    assert blocking(lines) == {"HG205"}
    assert ("HG205 milestones-kept: resolved_at moved later: 2025-09-01T12:00:00Z on main, "
            "2025-10-09T12:00:00Z here" in lines)


def test_a_branch_that_lacks_the_record_cannot_restart_its_clock(
        served: tuple[Path, Path]) -> None:
    """release/8 was cut before the incident: it holds no copy of the record
    to keep, so the copy with its times moved a month later used to land."""
    repo, remote = served
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    assert push(repo, "origin", f"{first}:refs/heads/release/8", now=LATE).returncode == 0
    write_record(repo, 1, SLUG, **{**OVERDUE, "deployed_at": "2025-10-09T11:00:00Z",
                                   "resolved_at": "2025-10-09T12:00:00Z"})
    commit_all(repo, "hotfix-001: the times moved on")
    lines = refused(repo, remote, "HEAD:refs/heads/release/8", ref="release/8")
    assert blocking(lines) == {"HG205"}
    assert "resolved_at moved later: 2025-09-01T12:00:00Z on main" in lines
    git(repo, "remote", "set-head", "origin", "main")  # as `git clone` leaves it
    code, out = ci(repo, base="origin/release/8")
    assert code == 1 and blocking(out) == {"HG205"}


def test_a_new_branch_cut_before_the_latest_milestones_lands(fresh: tuple[Path, Path]) -> None:
    """Cut from an older commit, the branch's copy lacks a later milestone
    and has an earlier status: that is not a milestone moved later."""
    repo, _ = fresh
    opened = {"severity": "P1", "rollback_plan": "revert", "reviewed_by": "alice",
              "incident_start": "2025-10-09T20:00:00Z"}
    write_record(repo, 2, "dns", **opened)
    older = commit_all(repo, "hotfix-002 opened")
    write_record(repo, 2, "dns", **opened, status="fix-deployed",
                 deployed_at="2025-10-09T21:00:00Z")
    commit_all(repo, "hotfix-002 deployed")
    assert push(repo, "origin", "main", now=LATE).returncode == 0
    pushed = push(repo, "origin", f"{older}:refs/heads/release/9", now=LATE)
    assert pushed.returncode == 0, pushed.stderr


# --- HG201: sections that render as nothing ----------------------------------------

SECTIONS = ("Executive Summary", "Timeline", "Root Cause Analysis", "Action Items",
            "Lessons Learned")
RENDERS_EMPTY = {
    "links with no text": "[](https://wiki.example.com/pm)",
    "an image with no text": "![](pm.png)",
    "a script block": "<script>\nThe pool leaked connections.\n</script>",
    "a style block": "<style>\n.pm { content: 'written' }\n</style>",
}


@pytest.mark.parametrize("how", RENDERS_EMPTY, ids=list(RENDERS_EMPTY))
def test_a_post_mortem_that_renders_empty_is_not_complete(fresh: tuple[Path, Path],
                                                          how: str) -> None:
    repo, remote = fresh
    post = "---\nstatus: complete\n---\n# Post-mortem\n\n" + "".join(
        f"## {name}\n\n{RENDERS_EMPTY[how]}\n\n" for name in SECTIONS)
    (repo / "tests").mkdir()
    (repo / "tests/test_pool.py").write_text(TEST.decode())
    write_record(repo, 1, SLUG, post_mortem=post,
                 regression_tests=["tests/test_pool.py::test_leak"], **OVERDUE)
    commit_all(repo, "hotfix-001: the post-mortem")
    assert blocking(refused(repo, remote)) == {"HG201"}
    code, out = ci(repo)
    assert code == 1 and blocking(out) == {"HG201"}


# --- names a case-insensitive checkout reads otherwise ------------------------------

def test_a_specs_folder_in_another_case_does_not_hide_a_record(fresh: tuple[Path, Path]) -> None:
    """Specs/hotfix holds nothing the server reads, but a clone on macOS or
    Windows reads it as specs/hotfix, where `check` and `status` show it."""
    repo, remote = fresh
    write_record(repo, 1, SLUG, specs_dir="Specs/hotfix", **OVERDUE)
    commit_all(repo, "hotfix-001, filed under Specs")
    lines = refused(repo, remote)
    assert "Specs:1: HG001 record-valid: Specs differs from specs only in case" in lines
    assert ci(repo)[0] == 1


# --- the rules on the target: relaxed only with the judging side's consent --------

WEAKENINGS = {
    "gates off": "gates: {post-mortem: off, regression-test: off}\n",
    "deadlines stretched": "deadlines: {post-mortem: 3650d, regression-test: 3650d}\n",
    "main unprotected": "protected_branches: [production]\n",
    "records moved": "specs_dir: docs/elsewhere\n",
    "rule made waivable": None,  # the target's file says HG201 is not waivable
    "file deleted": None,
}


@pytest.mark.parametrize("how", WEAKENINGS, ids=list(WEAKENINGS))
def test_a_push_that_weakens_the_rules_does_not_let_the_next_one_through(
        fresh: tuple[Path, Path], how: str) -> None:
    """A relaxed configuration is judged by the strict one it replaces, and
    would then judge the next push: the server refuses it (HG207) unless its
    administrator accepts that very file."""
    repo, remote = fresh
    config = repo / ".hotfix-gates.yaml"
    if how in ("rule made waivable", "file deleted"):
        config.write_text("gates: {post-mortem: {waivable: false}}\n")
        commit_all(repo, "the post-mortem gate cannot be waived")
        assert push(repo, "origin", "main", now=LATE).returncode == 0
        if how == "file deleted":
            config.unlink()
        else:
            config.write_text("gates: {post-mortem: {waivable: true}}\n")
    else:
        config.write_text(WEAKENINGS[how] or "")
    commit_all(repo, "tune the gates")
    lines = refused(repo, remote, "--no-verify", "main")
    assert "HG207 rules-kept: relaxes the rules in force" in lines
    write_record(repo, 1, SLUG, **OVERDUE)
    commit_all(repo, "hotfix-001")
    assert "HG207" in refused(repo, remote, "--no-verify", "main")


def test_the_server_accepts_a_relaxed_configuration_its_administrator_named(
        fresh: tuple[Path, Path]) -> None:
    repo, remote = fresh
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 72h}\n")
    commit_all(repo, "three days for the post-mortem")
    client = push(repo, "origin", "main", now=LATE)
    assert client.returncode != 0
    assert "deadlines.post-mortem 48h -> 72h" in client.stderr
    blob = git(repo, "rev-parse", "HEAD:.hotfix-gates.yaml").stdout.strip()
    assert f"hotfix-gates.accept-rules {blob}`" in client.stderr
    git(remote, "config", "--add", "hotfix-gates.accept-rules", blob[:12])
    assert "HG207" in refused(repo, remote, "--no-verify", "main")  # a prefix can be ground
    git(remote, "config", "--add", "hotfix-gates.accept-rules", blob.upper())
    assert push(repo, "origin", "--no-verify", "main", now=LATE).returncode == 0
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 96h}\n")
    commit_all(repo, "four days")
    assert "deadlines.post-mortem 72h -> 4d" in refused(repo, remote, "--no-verify", "main")
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 24h}\n")
    commit_all(repo, "one day: stricter needs nobody's consent")
    assert push(repo, "origin", "main", now=LATE).returncode == 0


def test_an_unprotected_default_branch_does_not_relax_the_rules_of_new_branches(
        served: tuple[Path, Path]) -> None:
    """The server's HEAD names develop, which the defaults do not protect;
    its configuration judges every branch a push creates. Relaxing it is
    refused as on a protected branch, and only that is judged there."""
    repo, remote = served
    assert push(repo, "origin", "--no-verify", "main:refs/heads/develop", now=LATE).returncode \
        == 0  # the same commit: nothing is judged on develop
    git(remote, "symbolic-ref", "HEAD", "refs/heads/develop")
    (repo / ".hotfix-gates.yaml").write_text("gates: {post-mortem: off, regression-test: off}\n")
    commit_all(repo, "nothing is due after an incident")
    lines = refused(repo, remote, "--no-verify", "main:refs/heads/develop", ref="develop")
    assert "remote: hotfix-gate pre-receive to develop: blocked" in lines
    assert "HG207 rules-kept: relaxes the rules in force: HG201 post-mortem error -> off" in lines
    assert "HG201" not in blocking(lines)
    rerun = lines.split("rerun by hand: ", 1)[1].splitlines()[0].split()
    git(repo, "fetch", "-q", "origin")
    again = run_gate(repo, *rerun[1:], env=clean_env())
    assert again.returncode == 1 and blocking(again.stdout) == {"HG207"}, again.stdout
    assert "as the server judges its default branch" in again.stderr
    lines = refused(repo, remote, "--no-verify", "main:refs/heads/release/9", ref="release/9")
    assert {"HG201", "HG202", "HG207"} <= blocking(lines)
    (repo / "docs.md").write_text("records are judged on main, not on develop\n")
    commit_all(repo, "keep the rules")
    git(repo, "rm", "-q", ".hotfix-gates.yaml")
    commit_all(repo, "back to the defaults develop had")
    assert push(repo, "origin", "--no-verify", "main:refs/heads/develop",
                now=LATE).returncode == 0  # the overdue record is not judged on develop


def test_a_default_branch_named_through_an_alias_does_not_relax_the_rules(
        served: tuple[Path, Path]) -> None:
    """HEAD names dev, an alias of develop (left behind by a rename): the
    branch the server's HEAD really names is develop, whose configuration
    judges the branches a push creates. Only the first hop was compared, so
    a push to develop turning the gates off went unjudged."""
    repo, remote = served
    assert push(repo, "origin", "--no-verify", "main:refs/heads/develop", now=LATE).returncode \
        == 0
    git(remote, "symbolic-ref", "refs/heads/dev", "refs/heads/develop")
    git(remote, "symbolic-ref", "HEAD", "refs/heads/dev")
    (repo / ".hotfix-gates.yaml").write_text("gates: {post-mortem: off, regression-test: off}\n")
    commit_all(repo, "nothing is due after an incident")
    for pushed in ("develop", "dev"):
        lines = refused(repo, remote, "--no-verify", f"main:refs/heads/{pushed}", ref="develop")
        assert "HG207 rules-kept: relaxes the rules in force" in lines, lines
    lines = refused(repo, remote, "--no-verify", "main:refs/heads/release/9", ref="release/9")
    assert {"HG201", "HG202", "HG207"} <= blocking(lines)


def test_a_default_branch_named_like_a_hotfix_does_not_relax_the_rules(
        served: tuple[Path, Path]) -> None:
    """HEAD names hotfix/001-database-pool: a push there was judged as a
    hotfix branch only (its record's gates), never by what it does to the
    configuration that judges the branches a push creates."""
    repo, remote = served
    branch = f"hotfix/001-{SLUG}"
    assert push(repo, "origin", "--no-verify", f"main:refs/heads/{branch}",
                now=LATE).returncode == 0
    git(remote, "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    (repo / ".hotfix-gates.yaml").write_text("gates: {post-mortem: off, regression-test: off}\n")
    commit_all(repo, "nothing is due after an incident")
    lines = refused(repo, remote, "--no-verify", f"main:refs/heads/{branch}", ref=branch)
    assert "HG207 rules-kept: relaxes the rules in force" in lines, lines
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 24h}\n")
    commit_all(repo, "stricter needs nobody's consent")
    pushed = push(repo, "origin", "--no-verify", f"main:refs/heads/{branch}", now=LATE)
    assert pushed.returncode == 0, pushed.stderr


def test_the_default_branch_is_not_deleted_where_git_would_allow_it(
        served: tuple[Path, Path]) -> None:
    """With receive.denyDeleteCurrent relaxed, deleting develop (HEAD's,
    unprotected) left HEAD unborn: the defaults, not develop's stricter
    configuration, then judged the branches a push creates."""
    repo, remote = served
    (repo / ".hotfix-gates.yaml").write_text(
        "protected_branches: [main, master, 'release/*', production, 'stable/*']\n")
    commit_all(repo, "stable branches are protected too")
    assert push(repo, "origin", "--no-verify", "HEAD:refs/heads/develop",
                now=LATE).returncode == 0
    git(remote, "symbolic-ref", "HEAD", "refs/heads/develop")
    git(remote, "config", "receive.denyDeleteCurrent", "warn")
    lines = refused(repo, remote, "--no-verify", ":refs/heads/develop", ref="develop")
    assert "develop is the server's default branch" in lines, lines
    assert {"HG201", "HG202"} <= blocking(refused(repo, remote, "--no-verify",
                                                  "HEAD:refs/heads/stable/1", ref="stable/1"))


def test_ci_and_the_server_take_consent_only_from_the_judging_side(
        fresh: tuple[Path, Path]) -> None:
    """CI reads $HOTFIX_GATE_ACCEPT_RULES (a maintainers' variable); the
    server never does: on a file-system remote the pusher's environment
    reaches its hook."""
    repo, _ = fresh
    (repo / ".hotfix-gates.yaml").write_text("gates: {post-mortem: warn}\n")
    commit_all(repo, "the post-mortem only warns")
    code, out = ci(repo)
    assert code == 1 and "HG207 rules-kept: relaxes the rules in force: HG201 post-mortem " \
        "error -> warn" in out
    blob = git(repo, "rev-parse", "HEAD:.hotfix-gates.yaml").stdout.strip()
    git(repo, "fetch", "-q", "origin")
    done = run_gate(repo, "check", "--base", "origin/main", "--now", LATE,
                    env=clean_env(HOTFIX_GATE_ACCEPT_RULES=f"deadbeef,{blob}"))
    assert done.returncode == 0, done.stdout
    pushed = git(repo, "push", "--no-verify", "origin", "main", check=False,
                 env=clean_env(HOTFIX_GATE_ACCEPT_RULES=blob))
    assert pushed.returncode != 0 and "HG207" in pushed.stderr


@pytest.mark.parametrize("platform", ["github", "gitlab"])
def test_ci_holds_another_branch_to_the_default_branchs_milestones(
        served: tuple[Path, Path], tmp_path: Path, platform: str) -> None:
    """`hotfix-gate ci` learns the default branch from the platform (GitHub's
    event, GitLab's CI_DEFAULT_BRANCH) and fetches it beside the base."""
    repo, _ = served
    first = git(repo, "rev-list", "--max-parents=0", "HEAD").stdout.strip()
    assert push(repo, "origin", f"{first}:refs/heads/release/8", now=LATE).returncode == 0
    write_record(repo, 1, SLUG, **{**OVERDUE, "resolved_at": "2025-10-09T12:00:00Z"})
    commit_all(repo, "hotfix-001: the times moved on")
    event = tmp_path / "event.json"
    event.write_text('{"repository": {"default_branch": "main"}}')
    env = clean_env(HOTFIX_GATE_NOW=LATE, GITHUB_BASE_REF="release/8",
                    GITHUB_EVENT_PATH=str(event), CI_DEFAULT_BRANCH="main",
                    CI_MERGE_REQUEST_TARGET_BRANCH_NAME="release/8")
    done = run_gate(repo, "ci", platform, env=env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "resolved_at moved later: 2025-09-01T12:00:00Z on main" in done.stdout



@pytest.mark.parametrize("broken", ["folder", "dangling link", "submodule"])
def test_a_broken_configuration_does_not_hand_judging_to_a_relaxed_parent(
        fresh: tuple[Path, Path], broken: str) -> None:
    """main has no configuration (the defaults judge). A push whose parent
    relaxes the rules and whose tip makes .hotfix-gates.yaml unreadable
    looked like "the same file as the target's" (neither has one): the next
    push found the tip's broken, and the last valid one in its history, the
    relaxed parent's, judged it."""
    repo, remote = fresh
    config = repo / ".hotfix-gates.yaml"
    config.write_text("gates: {post-mortem: off, regression-test: off}\n")
    commit_all(repo, "never judged: only the tip of a push is")
    config.unlink()
    if broken == "folder":
        config.mkdir()
        (config / "keep").write_text("")
    elif broken == "dangling link":
        config.symlink_to("nowhere.yaml")
    git(repo, "add", "-A")
    if broken == "submodule":
        git(repo, "update-index", "--add", "--cacheinfo",
            f"160000,{git(repo, 'rev-parse', 'HEAD').stdout.strip()},.hotfix-gates.yaml")
    git(repo, "commit", "-q", "-m", "an unreadable configuration")
    lines = refused(repo, remote, "--no-verify", "main")
    assert "HG002" in blocking(lines), lines
    write_record(repo, 1, SLUG, **OVERDUE)
    commit_all(repo, "hotfix-001")
    assert {"HG201", "HG202"} <= blocking(refused(repo, remote, "--no-verify", "main"))
    code, out = ci(repo, "HEAD~1")
    assert code == 1 and "HG002" in blocking(out), out


def test_a_broken_configuration_kept_does_not_hand_judging_to_a_relaxed_parent(
        fresh: tuple[Path, Path]) -> None:
    """main's configuration stopped loading (an upgrade can do that): the last
    valid one in main's first-parent history judges, and a push may keep the
    broken file. One whose first parent relaxes the rules put that parent
    first in the walk, and the next push was judged by it."""
    repo, remote = fresh
    config = repo / ".hotfix-gates.yaml"
    broken = "gates: {severity: offf}\n"
    config.write_text(broken)
    tip = commit_all(repo, "a configuration an older version accepted")
    git(repo, "push", "-q", "--no-verify", "origin", "HEAD:refs/heads/staging")
    git(remote, "update-ref", "refs/heads/main", tip)
    config.write_text("gates: {post-mortem: off, regression-test: off}\n")
    commit_all(repo, "never judged: only the tip of a push is")
    config.write_text(broken)
    commit_all(repo, "the configuration as main has it")
    lines = refused(repo, remote, "--no-verify", "main")
    assert "HG207" in blocking(lines) and "HG201 post-mortem error -> off" in lines, lines
    code, out = ci(repo)
    assert code == 1 and "HG207" in blocking(out), out
    write_record(repo, 1, SLUG, **OVERDUE)
    commit_all(repo, "hotfix-001")
    assert {"HG201", "HG202", "HG207"} <= blocking(refused(repo, remote, "--no-verify", "main"))
    git(repo, "reset", "-q", "--hard", tip)
    (repo / "app.py").write_text("fixed = True\n")
    commit_all(repo, "unrelated work on top of the broken file")
    assert push(repo, "origin", "--no-verify", "main", now=LATE).returncode == 0

# --- the client hooks run the installed package, never the repository's ------------

SHADOW = 'def main(*args, **kwargs):\n    open({marker!r}, "w").write("ran")\n    return 0\n'


def test_a_package_committed_in_the_repository_is_not_what_the_hooks_run(
        fresh: tuple[Path, Path], tmp_path: Path) -> None:
    """git runs pre-push and commit-msg in the work tree; `python -c` put it
    first on sys.path, so a `hotfix_gates/` folder in a commit replaced the
    package: its code ran on every commit and push, and passed them."""
    repo, _ = fresh
    assert run_gate(repo, "install").returncode == 0
    marker = tmp_path / "ran"
    for module in ("commit_msg", "pre_push"):
        path = repo / "hotfix_gates/hooks" / f"{module}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SHADOW.format(marker=str(marker)))
    (repo / "hotfix_gates/__init__.py").write_text("")
    (repo / "hotfix_gates/hooks/__init__.py").write_text("")
    commit_all(repo, "a folder named like the package")
    write_record(repo, 1, SLUG, **OVERDUE)
    commit_all(repo, "hotfix-001")
    pushed = push(repo, "origin", "main", now=LATE)
    assert not marker.exists()
    assert pushed.returncode != 0 and "hotfix-gate pre-push to main: blocked" in pushed.stderr


ROOT = Path(__file__).resolve().parents[2]
CI_FILES = ("action.yml", "ci/gitlab/hotfix-gates.gitlab-ci.yml")


@pytest.mark.parametrize("name", CI_FILES)
def test_the_ci_integrations_never_import_from_the_checkout(name: str) -> None:
    """They run `python -m venv` and `python -m pip` in the checkout of the
    request being judged: without -P, a `pip/` folder there is the pip that
    runs, and it can write the verdict."""
    lines = [line for line in (ROOT / name).read_text().splitlines()
             if re.search(r"python\S*\"? .*-m ", line) and not line.lstrip().startswith("#")]
    assert lines and all(" -P -m " in line for line in lines), lines


def test_python_p_leaves_a_module_in_the_current_folder_alone(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "venv").mkdir()
    (tmp_path / "venv/__main__.py").write_text("open('ran', 'w').write('ran')\n")
    subprocess.run([sys.executable, "-P", "-m", "venv", "--without-pip", str(tmp_path / "v")],
                   cwd=tmp_path, check=True, timeout=60)
    assert not (tmp_path / "ran").exists() and (tmp_path / "v/bin").is_dir()
