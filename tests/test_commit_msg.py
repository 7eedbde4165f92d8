"""commit-msg: the standard-library reader, the fast path, and the journeys
through real `git merge`, `git commit` and worktrees with the raw hook."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix_gates.hooks import commit_msg, fastgit
from testing.hooks import hook_env, install_raw
from testing.repos import commit_all, git, make_repo, write_record

READY = {"severity": "P0", "rollback_plan": "revert the deploy"}


def rev_parse(repo: Path, *args: str) -> str:
    return git(repo, "rev-parse", *args).stdout.strip()


def dirs_at(path: Path, **env: str) -> fastgit.GitDirs:
    found = fastgit.find_git_dirs(str(path), environ=env)
    assert found is not None
    return found


def index_of(repo: Path) -> fastgit.Index:
    return fastgit.parse_index(fastgit.read_index(str(repo / ".git" / "index")))


# ------------------------------------------------------------------ fastgit


def test_git_dirs_of_a_normal_repository(repo: Path) -> None:
    (repo / "src" / "deep").mkdir(parents=True)
    for where in (repo, repo / "src" / "deep"):
        found = dirs_at(where)
        assert found.git_dir == found.common_dir == str(repo / ".git")
        assert found.index_file == str(repo / ".git" / "index")
    assert fastgit.head_branch(found.git_dir) == "main"
    head = fastgit.resolve_ref(found.common_dir, "refs/heads/main")
    assert head == rev_parse(repo, "HEAD")


def test_git_dirs_of_a_linked_worktree(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "release/1.0")
    wt = tmp_path / "wt"
    found = dirs_at(wt)
    assert found.git_dir == os.path.realpath(rev_parse(wt, "--absolute-git-dir"))
    assert found.common_dir == str(repo / ".git")
    assert found.index_file == os.path.join(found.git_dir, "index")
    assert fastgit.head_branch(found.git_dir) == "release/1.0"  # HEAD lives per worktree
    assert fastgit.resolve_ref(found.common_dir, "refs/heads/release/1.0") == rev_parse(wt, "HEAD")


def test_git_dir_and_index_from_the_environment(repo: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    found = dirs_at(elsewhere, GIT_DIR=str(repo / ".git"), GIT_INDEX_FILE="next-index.lock")
    assert found.git_dir == str(repo / ".git")
    assert found.index_file == str(elsewhere / "next-index.lock")  # relative to the cwd
    assert fastgit.find_git_dirs(str(elsewhere), environ={}) is None


def test_unborn_and_detached_heads(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty", commit=False)
    found = dirs_at(empty)
    assert fastgit.head_branch(found.git_dir) == "main"
    assert fastgit.resolve_ref(found.common_dir, "refs/heads/main") is None
    assert fastgit.read_index(found.index_file) == b""  # no index yet
    assert len(fastgit.parse_index(b"")) == 0
    full = make_repo(tmp_path / "full")
    git(full, "checkout", "-q", "--detach")
    assert fastgit.head_branch(str(full / ".git")) is None


def test_packed_refs(repo: Path) -> None:
    git(repo, "branch", "release/2.0")
    git(repo, "pack-refs", "--all")
    assert not (repo / ".git" / "refs" / "heads" / "release").exists()
    assert fastgit.resolve_ref(str(repo / ".git"), "refs/heads/release/2.0") == \
        rev_parse(repo, "HEAD")
    assert fastgit.resolve_ref(str(repo / ".git"), "refs/heads/nope") is None


def test_index_version_4_split_and_sparse_are_refused(repo: Path) -> None:
    write_record(repo, 1)
    commit_all(repo)
    index = str(repo / ".git" / "index")
    assert index_of(repo).paths[-1] == \
        b"specs/hotfix/001-database-connection-pool/post-mortem.md"
    git(repo, "update-index", "--index-version", "4")
    with pytest.raises(fastgit.Unsupported, match="index version 4"):
        fastgit.read_index(index)
    git(repo, "update-index", "--index-version", "2")
    git(repo, "update-index", "--split-index")
    with pytest.raises(fastgit.Unsupported, match="link"):
        fastgit.parse_index(fastgit.read_index(index))
    assert not fastgit.index_lacks(fastgit.read_index(index), b"no-such-name")


def test_tree_ids_computed_from_the_index_match_git(repo: Path) -> None:
    write_record(repo, 1)
    write_record(repo, 2, "cache-stampede")
    (repo / "specs" / "hotfix" / "002-cache-stampede" / "run.sh").write_text("#!/bin/sh\n")
    os.chmod(repo / "specs" / "hotfix" / "002-cache-stampede" / "run.sh", 0o755)
    (repo / "specs" / "hotfix" / "002-cache-stampede" / "nested" / "a-b").mkdir(parents=True)
    (repo / "specs" / "hotfix" / "002-cache-stampede" / "nested" / "a-b" / "x").write_text("x")
    (repo / "specs" / "hotfix" / "002-cache-stampede" / "nested" / "a.b").write_text("y")
    os.symlink("hotfix.md", repo / "specs" / "hotfix" / "002-cache-stampede" / "link")
    commit_all(repo)
    (repo / "specs" / "hotfix" / "intent.md").write_text("later\n")
    git(repo, "add", "-N", "specs/hotfix/intent.md")  # not part of the next commit
    index = index_of(repo)
    for path in ("specs", "specs/hotfix", "specs/hotfix/002-cache-stampede", "README.md"):
        found = index.object_at(path.encode())
        assert found is not None
        assert found[1].hex() == rev_parse(repo, f"HEAD:{path}")
    assert index.object_at(b"specs/nothing") is None
    intent = index.find(b"specs/hotfix/intent.md")
    assert intent is not None and intent.intent_to_add and intent.mode == 0o100644


def _all_objects(repo: Path) -> dict[str, tuple[str, bytes]]:
    listing = git(repo, "cat-file", "--batch-all-objects", "--batch-check").stdout.split()
    oids = listing[0::3]
    raw = subprocess.run(["git", "cat-file", "--batch"], cwd=repo, capture_output=True,
                         input=("\n".join(oids) + "\n").encode(), check=True).stdout
    out: dict[str, tuple[str, bytes]] = {}
    pos = 0
    for oid in oids:
        end = raw.index(b"\n", pos)
        _, kind, size = raw[pos:end].split()
        out[oid] = (kind.decode(), raw[end + 1:end + 1 + int(size)])
        pos = end + 2 + int(size)
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Similar versions of one record, so repacking makes delta chains."""
    repo = make_repo(tmp_path_factory.mktemp("history") / "r")
    for step in range(12):
        write_record(repo, 1, status="investigating" if step % 2 else "fix-deployed",
                     body="\n# Hotfix\n" + "log line\n" * step)
        commit_all(repo, f"step {step}")
    return repo


@pytest.mark.parametrize("layout", ["loose", "offset-deltas", "ref-deltas", "alternates"])
def test_every_object_reads_back_exactly(history: Path, tmp_path: Path, layout: str) -> None:
    repo = tmp_path / "r"
    if layout == "alternates":
        git(tmp_path, "clone", "-q", "--shared", str(history), str(repo))
        git(history, "gc", "-q")
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
    elif layout == "offset-deltas":
        git(repo, "repack", "-q", "-adf", "--depth=50", "--window=50")
    elif layout == "ref-deltas":
        git(repo, "-c", "repack.useDeltaBaseOffset=false", "repack", "-q", "-adf", "--depth=50")
    store = fastgit.ObjectStore(str(repo / ".git"))
    expected = _all_objects(repo)
    assert len(expected) > 30
    for oid, (kind, body) in expected.items():
        assert store.read(bytes.fromhex(oid)) == (kind, body)
    with pytest.raises(fastgit.Unsupported, match="not found"):
        store.read(b"\x01" * 20)


def test_sha256_repositories_are_left_to_the_full_check(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    git(tmp_path, "init", "-q", "--object-format=sha256", str(repo))
    with pytest.raises(fastgit.Unsupported, match="SHA-256"):
        fastgit.check_format(dirs_at(repo))


# -------------------------------------------------------------- fast path


def fast(repo: Path, monkeypatch: pytest.MonkeyPatch, **env: str) -> bool:
    monkeypatch.chdir(repo)
    return commit_msg.fast_pass(env)


def test_fast_path_decisions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert fast(repo, monkeypatch)  # no record anywhere
    for number in range(1, 21):
        write_record(repo, number, f"incident-{number}", **READY)
    commit_all(repo, "twenty records")
    (repo / "README.md").write_text("an ordinary change\n")
    git(repo, "add", "README.md")
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


def test_ordinary_commit_loads_neither_pygit2_yaml_nor_click(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty")
    busy = make_repo(tmp_path / "busy")
    for number in range(1, 21):
        write_record(busy, number, f"incident-{number}", **READY)
    (busy / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 24h}\n")
    commit_all(busy, "records")
    probe = ("import sys; from hotfix_gates.hooks.commit_msg import main; code = main(['m']); "
             "import json; print(json.dumps([code, sorted(m for m in ('pygit2', 'yaml', "
             "'click', 'hotfix_gates.gates.engine') if m in sys.modules)]))")
    for where, loaded in ((empty, []), (busy, ["yaml"])):  # a config file is parsed with yaml
        (where / "README.md").write_text("ordinary\n")
        git(where, "add", "README.md")
        out = subprocess.run([sys.executable, "-c", probe], cwd=where, capture_output=True,
                             text=True, env=hook_env(GIT_INDEX_FILE=".git/index"), check=True)
        assert json.loads(out.stdout) == [0, loaded], out.stderr
    os.remove(busy / ".hotfix-gates.yaml")
    git(busy, "add", "-A")
    out = subprocess.run([sys.executable, "-c", probe], cwd=busy, capture_output=True, text=True,
                         env=hook_env(), check=True)
    assert json.loads(out.stdout) == [0, []]


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
    git(wt, "update-index", "--index-version", "4")  # the full check reads what fastgit cannot
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


def test_sparse_index_is_read_and_split_index_is_named(
        hooked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (hooked / "src").mkdir()
    (hooked / "src" / "app.py").write_text("print('v1')\n")
    record = write_record(hooked, 1, **READY).hotfix
    git(hooked, "add", "-A")
    assert commit(hooked, "-m", "app and a ready record").returncode == 0
    git(hooked, "sparse-checkout", "init", "--cone", "--sparse-index")
    git(hooked, "sparse-checkout", "set", "src")
    index = fastgit.parse_index(fastgit.read_index(str(hooked / ".git" / "index")))
    assert index.sparse and index.sparse_folder(b"specs/hotfix") == b"specs"
    assert index.object_at(b"specs") == (fastgit.TREE_MODE,
                                         bytes.fromhex(rev_parse(hooked, "HEAD:specs")))
    with pytest.raises(fastgit.Unsupported, match="sparse folder"):
        index.object_at(b"specs/hotfix")
    (hooked / "src" / "app.py").write_text("print('v2')\n")
    git(hooked, "add", "src/app.py")
    assert fast(hooked, monkeypatch)  # the folded specs folder is HEAD's
    ordinary = commit(hooked, "-m", "v2")
    assert (ordinary.returncode, ordinary.stderr) == (0, "")

    git(hooked, "sparse-checkout", "disable")
    git(hooked, "update-index", "--split-index")
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
