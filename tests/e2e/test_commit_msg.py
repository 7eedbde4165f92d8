"""commit-msg: the fast path (git commands, no pygit2) and the journeys
through real `git merge`, `git commit` and worktrees with the raw hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix_gates.git.command import GitFailed
from hotfix_gates.hooks import commit_msg
from testing.hooks import hook_env, install_raw
from testing.repos import clean_env, commit_all, git, make_repo, write_record

READY = {"severity": "P0", "rollback_plan": "revert the deploy"}
RECORD = Path("specs/hotfix/001-database-connection-pool")


def rev_parse(repo: Path, *args: str) -> str:
    return git(repo, "rev-parse", *args).stdout.strip()


def fast(where: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> bool:
    """Whether the fast path passes the commit staged at `where`; False when
    it leaves the commit to the full check (GitFailed included)."""
    monkeypatch.chdir(where)
    try:
        return commit_msg.fast_pass(clean_env(**env))
    except GitFailed:
        return False


def stage_ordinary(where: Path, text: str = "an ordinary change\n") -> None:
    (where / "README.md").write_text(text)
    git(where, "add", "README.md")


def stage_record_change(where: Path, name: str = "tasks.md") -> None:
    (where / RECORD / name).write_text("- [ ] one more task\n")
    git(where, "add", "-A")


# -------------------------------------------------------------- fast path


def test_fast_path_decisions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast(repo, monkeypatch)  # no record anywhere
    for number in range(1, 21):
        write_record(repo, number, f"incident-{number}", **READY)
    commit_all(repo, "twenty records")
    stage_ordinary(repo)
    assert fast(repo, monkeypatch)  # records untouched
    git(repo, "gc", "-q")
    assert fast(repo, monkeypatch)  # also when HEAD's trees are packed
    record = repo / "specs" / "hotfix" / "007-incident-7" / "tasks.md"
    record.write_text("- [ ] one more task\n")
    git(repo, "add", "-A")
    assert not fast(repo, monkeypatch)  # a record changed: the full check decides
    git(repo, "checkout", "-q", "-b", "feature/x")
    assert fast(repo, monkeypatch)  # not protected, not hotfix/*
    git(repo, "checkout", "-q", "-b", "hotfix/007-incident-7")
    assert not fast(repo, monkeypatch)  # reminders need the full check
    git(repo, "checkout", "-q", "--detach")
    assert fast(repo, monkeypatch)


def test_fast_path_reads_the_configuration_in_the_index(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, specs_dir="docs/incidents", **READY)
    (repo / ".hotfix-gates.yaml").write_text("specs_dir: docs/incidents\n"
                                             "protected_branches: [trunk]\n")
    commit_all(repo)
    assert fast(repo, monkeypatch)  # main is not protected here
    git(repo, "checkout", "-q", "-b", "trunk")
    (repo / "docs" / "incidents" / "001-database-connection-pool" / "plan.md").write_text("x\n")
    git(repo, "add", "-A")
    assert not fast(repo, monkeypatch)  # a record under the configured folder changed


def test_fast_path_never_passes_what_the_full_check_blocks(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, **READY)
    commit_all(repo)
    write_record(repo, 2, "cache-stampede")  # no severity, no rollback plan
    git(repo, "add", "-A")
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-02T00:00:00Z")
    assert not fast(repo, monkeypatch)
    assert commit_msg.full_check() == 1


PROBE = ("import sys; from hotfix_gates.hooks.commit_msg import main; code = main(['m']); "
         "import json; print(json.dumps([code, sorted(m for m in ('pygit2', 'yaml', "
         "'click', 'hotfix_gates.gates.engine') if m in sys.modules)]))")


def probe(where: Path, **env: str) -> list[object]:
    """The hook's exit code, and which heavy modules it loaded."""
    out = subprocess.run([sys.executable, "-c", PROBE], cwd=where, capture_output=True,
                         text=True, env=hook_env(**env), check=True)
    result: list[object] = json.loads(out.stdout)
    return result


def test_ordinary_commit_loads_neither_pygit2_yaml_nor_click(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty")
    busy = make_repo(tmp_path / "busy")
    for number in range(1, 21):
        write_record(busy, number, f"incident-{number}", **READY)
    (busy / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 24h}\n")
    commit_all(busy, "records")
    for where in (empty, busy):
        stage_ordinary(where)
    assert probe(empty, GIT_INDEX_FILE=".git/index") == [0, []]
    # a configuration is parsed with yaml once; its settings are kept by blob id
    assert probe(busy, GIT_INDEX_FILE=".git/index") == [0, ["yaml"]]
    assert probe(busy, GIT_INDEX_FILE=".git/index") == [0, []]
    git(busy, "checkout", "-q", "-b", "feature/x")
    assert probe(busy) == [0, []]
    os.remove(busy / ".hotfix-gates.yaml")
    git(busy, "add", "-A")
    assert probe(busy) == [0, []]


# ------------------------------------------- repositories of every shape


def test_linked_worktree_and_subfolders(repo: Path, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, **READY)
    (repo / "src" / "deep").mkdir(parents=True)
    (repo / "src" / "deep" / "x.py").write_text("x = 1\n")
    commit_all(repo, "a record")
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "-b", "release/1.0")
    stage_ordinary(wt)
    assert fast(wt, monkeypatch) and fast(wt / "src" / "deep", monkeypatch)
    stage_record_change(wt)
    assert not fast(wt, monkeypatch) and not fast(wt / "src" / "deep", monkeypatch)
    stage_ordinary(repo)  # the main worktree's own index and HEAD
    assert fast(repo, monkeypatch)


def test_git_dir_and_index_from_the_environment(repo: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, **READY)
    commit_all(repo, "a record")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {"GIT_DIR": str(repo / ".git"), "GIT_WORK_TREE": str(repo)}
    stage_record_change(repo)  # in the repository's index
    assert not fast(elsewhere, monkeypatch, **env)
    other = str(repo / ".git" / "next-index")
    git(repo, "read-tree", "HEAD", env=clean_env(GIT_INDEX_FILE=other))
    assert fast(elsewhere, monkeypatch, GIT_INDEX_FILE=other, **env)  # HEAD's records only
    assert not fast(elsewhere, monkeypatch)  # no repository here


def test_unborn_branch_and_detached_head(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = make_repo(tmp_path / "empty", commit=False)
    write_record(empty, 1)
    git(empty, "add", "-A")
    assert not fast(empty, monkeypatch)  # the first commit: the full check decides
    monkeypatch.setenv("HOTFIX_GATE_NOW", "2025-10-02T00:00:00Z")
    assert commit_msg.full_check() == 1
    full = make_repo(tmp_path / "full")
    git(full, "checkout", "-q", "--detach")
    write_record(full, 1)
    git(full, "add", "-A")
    assert fast(full, monkeypatch)


def test_packed_refs(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, **READY)
    commit_all(repo, "a record")
    git(repo, "checkout", "-q", "-b", "release/2.0")
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "release").exists()
    stage_ordinary(repo)
    assert fast(repo, monkeypatch)
    stage_record_change(repo)
    assert not fast(repo, monkeypatch)


@pytest.mark.parametrize("form", ["v2", "v3", "v4", "split", "sparse"])
def test_every_index_format(repo: Path, monkeypatch: pytest.MonkeyPatch, form: str) -> None:
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text("print('v1')\n")
    write_record(repo, 1, **READY)
    commit_all(repo, "app and a record")
    if form == "sparse":
        git(repo, "sparse-checkout", "init", "--cone", "--sparse-index")
        git(repo, "sparse-checkout", "set", "src")
        assert not (repo / RECORD).exists()  # the specs folder is one index entry
    elif form == "split":
        git(repo, "update-index", "--split-index")
    else:
        git(repo, "update-index", "--index-version", form[1])
    (repo / "src" / "app.py").write_text("print('v2')\n")
    git(repo, "add", "src/app.py")
    assert fast(repo, monkeypatch)
    if form == "sparse":
        git(repo, "sparse-checkout", "add", "specs")
    stage_record_change(repo)
    assert not fast(repo, monkeypatch)


def test_what_git_commits_in_a_record_folder_is_what_counts(
        repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_record(repo, 1, **READY)
    (repo / "specs" / "hotfix" / "README.md").write_text("how we keep records\n")
    commit_all(repo, "a record")
    (repo / "specs" / "hotfix" / "README.md").write_text("not a record folder\n")
    git(repo, "add", "-A")
    assert fast(repo, monkeypatch)
    later = repo / RECORD / "later.md"
    later.write_text("not yet\n")
    git(repo, "add", "-N", str(later))  # intent to add: not part of this commit
    assert fast(repo, monkeypatch)
    git(repo, "update-index", "--chmod=+x", str(RECORD / "hotfix.md"))
    assert not fast(repo, monkeypatch)  # only the mode changed
    git(repo, "reset", "-q")
    os.symlink("hotfix.md", repo / RECORD / "link.md")
    git(repo, "add", str(RECORD / "link.md"))
    assert not fast(repo, monkeypatch)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A configured repository with similar versions of a record, so that
    repacking makes delta chains."""
    repo = make_repo(tmp_path_factory.mktemp("history") / "r")
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [trunk]\n")
    for step in range(12):
        write_record(repo, 1, status="investigating" if step % 2 else "fix-deployed",
                     body="\n# Hotfix\n" + "log line\n" * step, **READY)
        commit_all(repo, f"step {step}")
    git(repo, "branch", "trunk")
    return repo


@pytest.mark.parametrize("layout", ["loose", "deltas", "alternates"])
def test_every_object_layout(history: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             layout: str) -> None:
    repo = tmp_path / "r"
    if layout == "alternates":
        git(tmp_path, "clone", "-q", "--shared", str(history), str(repo))
        assert (repo / ".git" / "objects" / "info" / "alternates").exists()
    else:
        git(tmp_path, "clone", "-q", "--no-local", str(history), str(repo))
    if layout == "loose":  # a clone arrives packed: unpack it again
        for pack in (repo / ".git" / "objects" / "pack").glob("*.pack"):
            data = pack.read_bytes()
            pack.with_suffix(".idx").unlink()
            pack.unlink()
            subprocess.run(["git", "unpack-objects", "-q"], cwd=repo, input=data, check=True)
        assert not list((repo / ".git" / "objects" / "pack").glob("*.pack"))
    elif layout == "deltas":
        git(repo, "repack", "-q", "-adf", "--depth=50", "--window=50")
    git(repo, "checkout", "-q", "trunk")
    stage_ordinary(repo)
    assert fast(repo, monkeypatch)  # the configuration, read from this layout, protects trunk
    stage_record_change(repo)
    assert not fast(repo, monkeypatch)
    git(repo, "checkout", "-q", "-b", "main-is-not-protected-here")
    assert fast(repo, monkeypatch)


# ---------------------------------------------------------------- journeys


@pytest.fixture
def hooked(repo: Path) -> Path:
    install_raw(repo, "commit-msg")
    return repo


def commit(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return git(repo, "commit", "-q", *args, env=hook_env(), check=False)


def fix_rollback(record: Path) -> None:
    text = record.read_text()
    record.write_text(text.replace("rollback_plan: null", "rollback_plan: roll back to v1.4"))


def hotfix_branch(repo: Path, **fields: str) -> Path:
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-connection-pool")
    record = write_record(repo, 1, "database-connection-pool", **fields).hotfix
    git(repo, "add", "-A")
    done = commit(repo, "-m", "hotfix record")
    assert done.returncode == 0, done.stderr
    git(repo, "checkout", "-q", "main")
    return record


def test_merge_no_ff_refused_until_the_rollback_plan_exists(hooked: Path) -> None:
    record = hotfix_branch(hooked, severity="P0")
    before = rev_parse(hooked, "HEAD")
    merge = git(hooked, "merge", "--no-ff", "-q", "hotfix/001-database-connection-pool",
                "-m", "Merge hotfix 001", env=hook_env(), check=False)
    assert merge.returncode != 0
    assert "hotfix-gate commit-msg: blocked" in merge.stderr
    assert "001-database-connection-pool/hotfix.md:11: HG102 rollback-plan" in merge.stderr
    assert "the merge is still in progress" in merge.stderr
    assert (hooked / ".git" / "MERGE_HEAD").exists()
    assert rev_parse(hooked, "HEAD") == before  # no merge commit yet
    fix_rollback(record)
    git(hooked, "add", "-A")
    done = commit(hooked, "--no-edit")
    assert done.returncode == 0, done.stderr
    assert len(rev_parse(hooked, "HEAD^@").split()) == 2  # the merge commit exists now


def test_the_fix_command_with_commit_completes_a_refused_merge(hooked: Path) -> None:
    """The refusal leaves the merge in progress, where git commits only the
    whole index: `set ... --commit` stages the record, and `git commit`
    completes the merge through the hook."""
    hotfix_branch(hooked)
    merge = git(hooked, "merge", "--no-ff", "-q", "hotfix/001-database-connection-pool",
                "-m", "Merge hotfix 001", env=hook_env(), check=False)
    assert merge.returncode != 0 and "HG101 severity" in merge.stderr
    for edit in (["set", "severity", "P1"], ["set", "rollback-plan", "roll back to v1.4"]):
        done = subprocess.run([sys.executable, "-m", "hotfix_gates.cli", *edit, "--id", "1",
                               "--commit"], cwd=hooked, env=hook_env(), capture_output=True,
                              text=True, check=False)
        assert done.returncode == 0, done.stderr
        assert (f"hotfix-gate: a merge is in progress: staged {RECORD}/hotfix.md; `git commit` "
                "completes the merge with it") in done.stderr
        assert "fatal" not in done.stderr
    done = commit(hooked, "--no-edit")
    assert done.returncode == 0, done.stderr
    assert len(rev_parse(hooked, "HEAD^@").split()) == 2
    shown = git(hooked, "show", f"HEAD:{RECORD}/hotfix.md").stdout
    assert "severity: P1" in shown and "rollback_plan: roll back to v1.4" in shown


def test_squash_merge_is_judged(hooked: Path) -> None:
    record = hotfix_branch(hooked, severity="P1", reviewed_by="dana")
    git(hooked, "merge", "--squash", "hotfix/001-database-connection-pool", env=hook_env())
    refused = commit(hooked, "-m", "squashed hotfix")
    assert refused.returncode == 1 and "HG102" in refused.stderr
    fix_rollback(record)
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "squashed hotfix").returncode == 0


def test_cherry_pick_without_commit_is_judged(hooked: Path) -> None:
    hotfix_branch(hooked)
    git(hooked, "cherry-pick", "-n", "hotfix/001-database-connection-pool", env=hook_env())
    refused = commit(hooked, "-m", "picked")
    assert refused.returncode == 1
    assert "HG101 severity" in refused.stderr and "HG102 rollback-plan" in refused.stderr


def test_direct_edits_on_main(hooked: Path) -> None:
    record = write_record(hooked, 1, **READY).hotfix
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "ready record").returncode == 0
    ready = record.read_text()
    record.write_text(ready.replace("rollback_plan: revert the deploy", "rollback_plan: ''"))
    attempts = {
        "all": ["-a"],  # git commits a temporary index: $GIT_INDEX_FILE
        "paths": [str(record)],  # another temporary index
        "index": [],
    }
    for how, extra in attempts.items():
        if how == "index":
            git(hooked, "add", "-A")
        refused = commit(hooked, "-m", "drop the plan", *extra)
        assert refused.returncode == 1 and "HG102" in refused.stderr, how
    assert git(hooked, "log", "-1", "--format=%s").stdout.strip() == "ready record"


def test_only_changed_records_are_judged(hooked: Path) -> None:
    write_record(hooked, 1)  # an old, failing record slipped in with --no-verify
    git(hooked, "add", "-A")
    assert commit(hooked, "--no-verify", "-m", "old").returncode == 0
    (hooked / "README.md").write_text("ordinary change\n")
    ordinary = commit(hooked, "-a", "-m", "ordinary")
    assert (ordinary.returncode, ordinary.stderr) == (0, "")
    write_record(hooked, 2, "cache-stampede", **READY)
    git(hooked, "add", "-A")
    good = commit(hooked, "-m", "a good record")
    assert (good.returncode, good.stderr) == (0, "")


def test_hotfix_branch_reminders_do_not_block(hooked: Path) -> None:
    git(hooked, "checkout", "-q", "-b", "hotfix/003-login-outage")
    write_record(hooked, 3, "login-outage")
    write_record(hooked, 4, "other-incident")  # another record: not this branch's
    git(hooked, "add", "-A")
    done = commit(hooked, "-m", "log the incident")
    assert done.returncode == 0
    assert done.stderr.startswith("hotfix-gate commit-msg: reminders\n")
    assert "003-login-outage/hotfix.md:5: HG101 severity" in done.stderr
    assert "004-other-incident" not in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "  hotfix-gate: 2 blocking, 0 warnings in 1 record (reminders: this commit goes ahead; "
        "a merge into a protected branch will not until they are met)")


def test_hotfix_branch_reminders_with_only_warnings_say_nothing_stops_a_merge(
        hooked: Path) -> None:
    git(hooked, "checkout", "-q", "-b", "hotfix/003-login-outage")
    write_record(hooked, 3, "login-outage", severity="P1", rollback_plan="revert")
    git(hooked, "add", "-A")
    done = commit(hooked, "-m", "assess")
    assert done.returncode == 0
    assert "HG103 quick-review" in done.stderr
    assert done.stderr.splitlines()[-1] == (
        "  hotfix-gate: 0 blocking, 1 warning in 1 record (reminders only: nothing here stops "
        "a merge)")


def test_other_branches_and_detached_head_are_silent(hooked: Path) -> None:
    git(hooked, "checkout", "-q", "-b", "feature/retry")
    write_record(hooked, 1)
    git(hooked, "add", "-A")
    feature = commit(hooked, "-m", "feature work")
    assert (feature.returncode, feature.stderr) == (0, "")
    git(hooked, "checkout", "-q", "--detach")
    write_record(hooked, 2, "cache-stampede")
    git(hooked, "add", "-A")
    detached = commit(hooked, "-m", "detached")
    assert (detached.returncode, detached.stderr) == (0, "")


def test_worktree_commit_is_judged(hooked: Path, tmp_path: Path) -> None:
    wt = tmp_path / "release-wt"
    git(hooked, "worktree", "add", "-q", str(wt), "-b", "release/1.4")
    record = write_record(wt, 1, severity="P2", reviewed_by="sam").hotfix
    git(wt, "add", "-A")
    refused = commit(wt, "-m", "record on release")
    assert refused.returncode == 1 and "HG102" in refused.stderr
    fix_rollback(record)
    git(wt, "add", "-A")
    assert commit(wt, "-m", "record on release").returncode == 0
    git(wt, "update-index", "--index-version", "4")  # and the full check reads index v4
    record.write_text(record.read_text().replace("rollback_plan: roll back to v1.4",
                                                 "rollback_plan: null"))
    refused = commit(wt, "-a", "-m", "index v4")
    assert refused.returncode == 1 and "HG102" in refused.stderr


def test_first_commit_and_legacy_folders(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "fresh", commit=False)
    install_raw(repo, "commit-msg")
    record = write_record(repo, 1).hotfix
    legacy = repo / "specs" / "hotfix-002-old-layout"
    legacy.mkdir(parents=True)
    (legacy / "hotfix.md").write_text(record.read_text().replace("hotfix-001", "hotfix-002"))
    git(repo, "add", "-A")
    refused = commit(repo, "-m", "first commit")
    assert refused.returncode == 1
    assert "specs/hotfix-002-old-layout/hotfix.md" in refused.stderr
    assert "specs/hotfix/001-database-connection-pool/hotfix.md" in refused.stderr


def test_bad_configuration_is_one_line_and_exit_2(
        hooked: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    write_record(hooked, 1)
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [main]\nbogus: 1\n")
    git(hooked, "add", "-A")
    line = ("hotfix-gate commit-msg: error: .hotfix-gates.yaml (index):2: unknown key 'bogus'; "
            "known keys: specs_dir, protected_branches, deadlines, gates, targets")
    refused = commit(hooked, "-m", "config")
    assert refused.returncode != 0 and refused.stderr.strip() == line
    monkeypatch.chdir(hooked)
    assert commit_msg.main([".git/COMMIT_EDITMSG"]) == 2
    assert capsys.readouterr().err.strip() == line


def test_sparse_index_is_read_and_split_index_is_named(hooked: Path) -> None:
    (hooked / "src").mkdir()
    (hooked / "src" / "app.py").write_text("print('v1')\n")
    record = write_record(hooked, 1, **READY).hotfix
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "app and a ready record").returncode == 0
    git(hooked, "sparse-checkout", "init", "--cone", "--sparse-index")
    git(hooked, "sparse-checkout", "set", "src")
    (hooked / "src" / "app.py").write_text("print('v2')\n")
    git(hooked, "add", "src/app.py")
    ordinary = commit(hooked, "-m", "v2")  # the folded specs folder is HEAD's
    assert (ordinary.returncode, ordinary.stderr) == (0, "")

    git(hooked, "sparse-checkout", "disable")
    git(hooked, "update-index", "--split-index")
    (hooked / "src" / "app.py").write_text("print('v3')\n")
    git(hooked, "add", "src/app.py")
    ordinary = commit(hooked, "-m", "v3")  # git reads the split index for the fast path
    assert (ordinary.returncode, ordinary.stderr) == (0, "")
    record.write_text(record.read_text().replace("rollback_plan: revert the deploy",
                                                 "rollback_plan: null"))
    git(hooked, "add", "-A")
    refused = commit(hooked, "-m", "split index")
    assert refused.returncode != 0
    assert "a split or sparse index cannot be read here" in refused.stderr
    assert "Traceback" not in refused.stderr and "Exception ignored" not in refused.stderr
    # Where nothing would be judged, the unreadable index does not matter.
    git(hooked, "switch", "-q", "-c", "feature")
    ordinary = commit(hooked, "-m", "on a feature branch")
    assert (ordinary.returncode, ordinary.stderr) == (0, "")


# ------------------------------------------ ways around the fast path


def test_a_configuration_only_in_the_index_is_the_one_in_force(hooked: Path) -> None:
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [develop]\n")
    git(hooked, "add", ".hotfix-gates.yaml")
    os.remove(hooked / ".hotfix-gates.yaml")  # staged, gone from the working tree
    git(hooked, "checkout", "-q", "-b", "develop")
    write_record(hooked, 1)
    git(hooked, "add", str(RECORD))
    refused = commit(hooked, "-m", "develop is protected by the staged configuration")
    assert refused.returncode == 1 and "HG101" in refused.stderr


def test_an_unstaged_configuration_changes_nothing(hooked: Path) -> None:
    write_record(hooked, 1)
    git(hooked, "add", "-A")
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [nothing]\n")  # not staged
    refused = commit(hooked, "-m", "record on main")
    assert refused.returncode == 1 and "HG101" in refused.stderr


def test_commit_of_paths_is_judged_on_the_index_git_commits(hooked: Path) -> None:
    # The repository's index holds a configuration that protects nothing, but
    # `git commit PATH` commits HEAD plus PATH: main stays protected.
    write_record(hooked, 1, **READY)
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "a ready record").returncode == 0
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [nothing]\n")
    git(hooked, "add", ".hotfix-gates.yaml")
    record = hooked / RECORD / "hotfix.md"
    record.write_text(record.read_text().replace("rollback_plan: revert the deploy",
                                                 "rollback_plan: null"))
    refused = commit(hooked, "-m", "drop the plan", str(record))
    assert refused.returncode == 1 and "HG102" in refused.stderr


def test_a_renamed_or_moved_record_folder_is_judged(hooked: Path) -> None:
    write_record(hooked, 1)  # unready, slipped in with --no-verify
    git(hooked, "add", "-A")
    assert commit(hooked, "--no-verify", "-m", "old").returncode == 0
    git(hooked, "mv", str(RECORD), "specs/hotfix/001-renamed")
    renamed = commit(hooked, "-m", "rename the record")
    assert renamed.returncode == 1 and "001-renamed/hotfix.md" in renamed.stderr
    git(hooked, "mv", "specs/hotfix/001-renamed", "specs/hotfix-001-older-layout")
    moved = commit(hooked, "-m", "move it beside the specs folder")
    assert moved.returncode == 1 and "specs/hotfix-001-older-layout/hotfix.md" in moved.stderr


def test_a_specs_folder_configured_elsewhere(hooked: Path) -> None:
    (hooked / ".hotfix-gates.yaml").write_text("specs_dir: docs/incidents\n")
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "configure").returncode == 0
    write_record(hooked, 1)  # under specs/hotfix: not a record folder here
    git(hooked, "add", "-A")
    outside = commit(hooked, "-m", "notes in the old folder")
    assert (outside.returncode, outside.stderr) == (0, "")
    write_record(hooked, 2, "cache-stampede", specs_dir="docs/incidents")
    git(hooked, "add", "-A")
    refused = commit(hooked, "-m", "a record where the configuration says")
    assert refused.returncode == 1 and "docs/incidents/002-cache-stampede" in refused.stderr


@pytest.mark.parametrize("specs_dir", ["docs/hotfix", "hotfix"])
def test_older_folders_beside_a_configured_specs_folder(
        hooked: Path, monkeypatch: pytest.MonkeyPatch, specs_dir: str) -> None:
    (hooked / ".hotfix-gates.yaml").write_text(f"specs_dir: {specs_dir}\n")
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "configure").returncode == 0
    write_record(hooked, 1, specs_dir=specs_dir)
    older = specs_dir.replace("hotfix", "hotfix-001-older")
    os.rename(hooked / specs_dir / "001-database-connection-pool", hooked / older)
    git(hooked, "add", "-A")
    assert not fast(hooked, monkeypatch)
    refused = commit(hooked, "-m", "an older record beside the specs folder")
    assert refused.returncode == 1
    if specs_dir == "docs/hotfix":
        assert f"{older}/hotfix.md:5: HG101" in refused.stderr, refused.stderr


def test_a_symlinked_configuration_is_followed(hooked: Path) -> None:
    # The link's own text reads as a configuration that protects nothing; the
    # file it names protects develop. The hook must judge by the file.
    decoy = "protected_branches: [nothing]"
    (hooked / decoy).write_text("protected_branches: [develop]\n")
    os.symlink(decoy, hooked / ".hotfix-gates.yaml")
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "configure through a link").returncode == 0
    git(hooked, "checkout", "-q", "-b", "develop")
    write_record(hooked, 1)
    git(hooked, "add", "-A")
    refused = commit(hooked, "-m", "a record on develop")
    assert refused.returncode == 1 and "HG101" in refused.stderr


@pytest.mark.parametrize("branch", ["main", "feature/x"])
def test_a_broken_configuration_never_passes_silently(hooked: Path, branch: str) -> None:
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [main\n")
    git(hooked, "add", "-A")
    assert commit(hooked, "--no-verify", "-m", "broken").returncode == 0
    git(hooked, "checkout", "-q", "-B", branch)
    stage_ordinary(hooked)
    refused = commit(hooked, "-m", "ordinary")
    assert refused.returncode != 0 and "error: .hotfix-gates.yaml" in refused.stderr


def test_a_cached_configuration_is_not_used_for_another_one(hooked: Path) -> None:
    stage_ordinary(hooked)
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [nothing]\n")
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "nothing is protected").returncode == 0  # now cached
    (hooked / ".hotfix-gates.yaml").write_text("protected_branches: [main]\n")
    write_record(hooked, 1)
    git(hooked, "add", "-A")
    refused = commit(hooked, "-m", "main is protected again, with a record")
    assert refused.returncode == 1 and "HG101" in refused.stderr


def test_sha256_repository(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    git(tmp_path, "init", "-q", "--object-format=sha256", "-b", "main", str(repo))
    stage_ordinary(repo)
    commit_all(repo, "first")
    install_raw(repo, "commit-msg")
    stage_ordinary(repo, "ordinary\n")
    ordinary = commit(repo, "-m", "ordinary")  # git answers the fast path's questions
    assert (ordinary.returncode, ordinary.stderr) == (0, "")
    write_record(repo, 1)
    git(repo, "add", "-A")
    refused = commit(repo, "-m", "a record")  # pygit2 cannot read it: one line, never a pass
    assert refused.returncode != 0 and refused.stderr.count("hotfix-gate") == 1, refused.stderr
    assert "Traceback" not in refused.stderr
