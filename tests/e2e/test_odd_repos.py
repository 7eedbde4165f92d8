"""`hotfix-gate check` in odd repository states: the right verdict or one
clear line, never a traceback."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from testing.hostile import assert_clean, assert_tool_error, gate, gate_process
from testing.repos import clean_env, commit_all, git, make_repo, write_record

READY = {"severity": "P1", "rollback_plan": "git revert the fix", "reviewed_by": "alice"}
# A day into the incidents: the merge gates decide, no deadline has come.
NOW = "2025-10-02T12:00:00Z"


def passes(repo: Path, *args: str, records: int = 1) -> None:
    outcome = gate(repo, "check", "--now", NOW, *args)
    assert_clean(outcome)
    assert outcome.code == 0, outcome.out
    noun = "record" if records == 1 else "records"
    assert f"in {records} {noun}" in outcome.out, outcome.out


def blocks(repo: Path, *args: str) -> str:
    outcome = gate(repo, "check", "--now", NOW, *args)
    assert_clean(outcome)
    assert outcome.code == 1, outcome.out
    return outcome.out


@pytest.fixture(scope="module")
def origin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two commits: a ready record, then an unready second one."""
    repo = make_repo(tmp_path_factory.mktemp("odd") / "origin")
    write_record(repo, 1, **READY)
    commit_all(repo, "record 001")
    write_record(repo, 2, "cache-stampede")
    commit_all(repo, "record 002, not ready")
    return repo


def clone(origin: Path, where: Path, *args: str) -> Path:
    git(where.parent, "clone", "-q", *args, f"file://{origin}", where.name)
    git(where, "config", "user.name", "Test Responder")
    git(where, "config", "user.email", "responder@example.com")
    return where


def test_detached_head(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, tmp_path / "detached")
    git(repo, "checkout", "-q", "--detach", "HEAD~1")
    passes(repo)
    passes(repo, "--rev", "HEAD")
    assert "002-cache-stampede" in blocks(repo, "--rev", "main")


def test_unborn_branch(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "unborn", commit=False)
    passes(repo, records=0)
    write_record(repo, 1, **READY)
    passes(repo)  # the working tree is judged before the first commit
    assert_tool_error(gate(repo, "check", "--rev", "HEAD"), "cannot read revision 'HEAD'")


def test_shallow_clone(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, tmp_path / "shallow", "--depth", "1")
    assert "HG101" in blocks(repo, "--rev", "HEAD")
    assert_tool_error(gate(repo, "check", "--rev", "HEAD~1"), "HEAD~1", "unknown revision")


def test_bare_repository(origin: Path, tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(bare))
    assert_tool_error(gate(bare, "check"), "bare repository", "--rev")
    assert "HG101" in blocks(bare, "--rev", "main")
    passes(bare, "--rev", "main~1")


def test_linked_worktree(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, tmp_path / "main")
    linked = tmp_path / "linked"
    git(repo, "worktree", "add", "-q", "-b", "older", str(linked), "HEAD~1")
    passes(linked)
    passes(linked, "--rev", "HEAD")
    assert "002-cache-stampede" in blocks(linked, "--rev", "main")
    write_record(linked, 3, "only-here")
    out = blocks(linked)
    assert "003-only-here" in out and "003-only-here" not in blocks(repo)


def _diverge(repo: Path) -> None:
    """Two branches that change the same line of record 001."""
    hotfix = repo / "specs/hotfix/001-database-connection-pool/hotfix.md"
    git(repo, "checkout", "-q", "-b", "side")
    hotfix.write_text(hotfix.read_text().replace("reviewed_by: alice", "reviewed_by: bob"))
    commit_all(repo, "side review")
    git(repo, "checkout", "-q", "main")
    hotfix.write_text(hotfix.read_text().replace("reviewed_by: alice", "reviewed_by: carol"))
    commit_all(repo, "main review")


def test_merge_in_progress_with_a_conflicted_record(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, tmp_path / "merging")
    _diverge(repo)
    assert git(repo, "merge", "side", check=False).returncode != 0
    assert (repo / ".git/MERGE_HEAD").exists()
    out = blocks(repo)  # conflict markers break the front matter: a finding
    assert "001-database-connection-pool/hotfix.md" in out and "HG001" in out
    for rev in ("HEAD", "MERGE_HEAD"):
        out = blocks(repo, "--rev", rev)
        assert "002-cache-stampede" in out and "HG001" not in out

    from hotfix_gates.git.repository import index_tree, open_repo

    tree = index_tree(open_repo(repo))  # the conflicted index, as commit-msg would see it
    assert tree.kind("specs/hotfix/001-database-connection-pool/hotfix.md") is None
    assert tree.kind("specs/hotfix/001-database-connection-pool/post-mortem.md") == "file"


def test_rebase_in_progress(origin: Path, tmp_path: Path) -> None:
    repo = clone(origin, tmp_path / "rebasing")
    _diverge(repo)
    assert git(repo, "rebase", "side", check=False).returncode != 0
    assert (repo / ".git/rebase-merge").exists() or (repo / ".git/rebase-apply").exists()
    assert "HG001" in blocks(repo)
    assert "HG101" in blocks(repo, "--rev", "HEAD")  # HEAD is detached at side


def test_outside_any_repository(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-repo"
    empty.mkdir()
    assert_tool_error(gate(empty, "check"), "not a git repository")
    assert_tool_error(gate(empty, "check", "--rev", "HEAD"), "not a git repository")
    assert_tool_error(gate(tmp_path / "missing", "check"), "-C")


@pytest.mark.parametrize("rev", ["nope", "-x", "$(id)", "HEAD~99",
                                 "0" * 40, "0" * 64, "HEAD@{yesterday", "", "a..b", "HEAD\n"])
def test_revisions_that_name_no_commit(repo: Path, rev: str) -> None:
    outcome = gate(repo, "check", f"--rev={rev}")
    assert_clean(outcome)
    if rev:
        assert_tool_error(outcome, "cannot read revision")
    else:
        assert outcome.code == 0  # an empty --rev means the working tree


@pytest.mark.parametrize(("rev", "kind"), [("HEAD~1^{tree}", "tree"), ("HEAD:specs", "tree"),
                                           ("HEAD:README.md", "blob")])
def test_a_tree_or_blob_is_refused(origin: Path, rev: str, kind: str) -> None:
    # A tree id cannot say whether it is the root: a folder's tree judged as
    # the whole repository would pass with no records.
    assert_tool_error(gate(origin, "check", "--rev", rev), f"names a {kind}, not a commit")


def test_sha256_repository(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    repo.mkdir()
    git(repo, "init", "-q", "--object-format=sha256", "-b", "main")
    write_record(repo, 1, **READY)
    commit_all(repo, "record")
    for args in ((), ("--rev", "HEAD")):
        outcome = gate(repo, "check", "--now", NOW, *args)
        assert_clean(outcome)
        if outcome.code == 2:  # libgit2 built without SHA-256: say so in one line
            assert "sha256" in outcome.err and "SHA-1" in outcome.err
        else:
            assert outcome.code == 0


def test_corrupt_repositories(origin: Path, tmp_path: Path) -> None:
    repo = tmp_path / "corrupt"
    shutil.copytree(origin, repo, symlinks=True)
    blob = git(repo, "rev-parse", "HEAD:specs/hotfix/001-database-connection-pool/hotfix.md")
    oid = blob.stdout.strip()
    loose = repo / ".git/objects" / oid[:2] / oid[2:]
    loose.chmod(0o644)
    shutil.rmtree(repo / ".git/hotfix-gates", ignore_errors=True)  # no parse cache to answer
    loose.unlink()
    out = blocks(repo, "--rev", "HEAD")
    assert "is missing from the repository" in out
    (repo / ".git/index").write_bytes(b"garbage")
    assert_clean(gate(repo, "check", "--now", NOW))  # the working tree needs no index
    (repo / ".git/HEAD").write_text("garbage\n")
    assert_clean(gate(repo, "check", "--now", NOW))
    (repo / ".git/config").write_text("[core\nbroken")
    assert_tool_error(gate(repo, "check"), "config")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give the repository away")
def test_repository_owned_by_another_user(origin: Path, tmp_path: Path) -> None:
    repo = tmp_path / "theirs"
    shutil.copytree(origin, repo, symlinks=True)
    for path in [repo, *repo.rglob("*")]:
        os.lchown(path, 12345, 12345)
    home = tmp_path / "home"
    home.mkdir()
    env = clean_env(HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"))
    outcome = gate_process(repo, "check", "--now", NOW, env=env)
    line = assert_tool_error(outcome, "owned by another user", "safe.directory")
    # The command it suggests is the one that works, for git and for us.
    command = line.split("`")[1]
    assert command.startswith("git config --global --add safe.directory ")
    subprocess.run(command.split(), env=env, check=True)
    outcome = gate_process(repo, "check", "--now", NOW, env=env)
    assert_clean(outcome)
    assert outcome.code == 1
    assert git(repo, "status", "--short", env=env, check=False).returncode == 0


# --- the hooks: hostile stdin, odd repositories -------------------------------------------

def run_hook_here(module: str, repo: Path, stdin: bytes, **env: str) -> tuple[int, str]:
    """A hook's main() in this process, fed `stdin` bytes as git would."""
    import contextlib
    import importlib
    import io

    hook = importlib.import_module(f"hotfix_gates.hooks.{module}")
    err = io.StringIO()
    environ = {"HOTFIX_GATE_NOW": NOW, "GIT_DIR": str(repo / ".git") if (repo / ".git").exists()
               else str(repo), **env}
    if module == "pre_receive":  # the server's clock is its own git config
        git(repo, "config", "hotfix-gates.now", NOW)
    stream = io.TextIOWrapper(io.BytesIO(stdin))
    with contextlib.redirect_stderr(err):
        code = hook.guarded(module.replace("_", "-"), lambda: hook.run(environ, stream))
    return code, err.getvalue()


@pytest.mark.parametrize("module", ["pre_push", "pre_receive"])
@pytest.mark.parametrize("stdin", [
    b"garbage\n", b"\x00\xff\xfe\n", b"a b c d e f\n", b" \n\n\t\n", b"x" * 1_000_000,
    b"garbage\n" * 100_000, b"%(old)s %(new)s refs/heads/main extra words\n",
    b"%(old)s %(new)s main\n", b"%(zero64)s %(zero64)s refs/heads/main\n",
    b"%(old)s " + b"0" * 39 + b" refs/heads/main\n",
], ids=lambda s: repr(s[:24]))
def test_hook_stdin_that_git_never_writes(origin: Path, module: str, stdin: bytes) -> None:
    pytest.importorskip("hotfix_gates.hooks.pre_receive")
    old = git(origin, "rev-parse", "HEAD~1").stdout.strip().encode()
    new = git(origin, "rev-parse", "HEAD").stdout.strip().encode()
    data = stdin.replace(b"%(old)s", old).replace(b"%(new)s", new).replace(b"%(zero64)s",
                                                                          b"0" * 64)
    if module == "pre_push":
        data = data.replace(old + b" " + new, b"refs/heads/main " + new + b" refs/heads/x")
    code, err = run_hook_here(module, origin, data)
    assert "Traceback" not in err and "internal error" not in err, err
    if data.strip():
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert len(err) < 600
    else:
        assert code == 0


@pytest.mark.parametrize("module", ["pre_push", "pre_receive"])
def test_hook_lines_naming_what_is_not_a_commit(origin: Path, module: str) -> None:
    pytest.importorskip("hotfix_gates.hooks.pre_receive")
    old = git(origin, "rev-parse", "HEAD~1").stdout.strip()
    for new, words in [("ab" * 20, "not in the repository"),
                       (git(origin, "rev-parse", "HEAD^{tree}").stdout.strip(), "tree"),
                       (git(origin, "rev-parse", "HEAD:README.md").stdout.strip(), "blob")]:
        line = (f"refs/heads/x {new} refs/heads/main {old}" if module == "pre_push"
                else f"{old} {new} refs/heads/main")
        code, err = run_hook_here(module, origin, f"{line}\n".encode())
        assert code == 2 and len(err.strip().splitlines()) == 1 and words in err, err


def test_hooks_judge_the_zero_ids_of_any_length(origin: Path) -> None:
    pytest.importorskip("hotfix_gates.hooks.pre_receive")
    new = git(origin, "rev-parse", "HEAD").stdout.strip()
    for zero in ("0" * 40, "0" * 64):
        code, err = run_hook_here("pre_receive", origin, f"{zero} {new} refs/heads/main\n".encode())
        assert code == 1 and "HG101" in err, err  # a created main is judged
        code, err = run_hook_here("pre_receive", origin, f"{new} {zero} refs/heads/x\n".encode())
        assert code == 0 and not err  # a deletion passes (of a protected branch: refused)
        code, err = run_hook_here("pre_push", origin,
                                  f"refs/heads/main {new} refs/heads/main {zero}\n".encode())
        assert code == 1 and "HG101" in err, err


def test_pre_push_from_odd_repositories(origin: Path, tmp_path: Path) -> None:
    """Real pushes through the raw pre-push hook: detached HEAD, shallow clone,
    linked worktree. The unready record 002 blocks each push to main."""
    pushes = pytest.importorskip("testing.pushes")
    remote = tmp_path / "remote.git"
    git(tmp_path, "clone", "-q", "--bare", str(origin), str(remote))
    git(remote, "update-ref", "refs/heads/main", "HEAD~1")  # the server has record 001 only

    detached = clone(remote, tmp_path / "detached")
    git(detached, "checkout", "-q", "--detach", "origin/main")
    git(detached, "fetch", "-q", str(origin), "main")
    git(detached, "checkout", "-q", "--detach", "FETCH_HEAD")
    shallow = clone(remote, tmp_path / "shallow", "--depth", "1")
    git(shallow, "fetch", "-q", str(origin), "main")
    git(shallow, "checkout", "-q", "--detach", "FETCH_HEAD")
    main = clone(remote, tmp_path / "main")
    linked = tmp_path / "linked"
    git(main, "fetch", "-q", str(origin), "main:incoming")
    git(main, "worktree", "add", "-q", str(linked), "incoming")
    for repo in (detached, shallow, linked):
        pushes.install_hook(pushes.hooks_dir(repo), "pre-push")
        result = pushes.push(repo, "origin", "HEAD:refs/heads/main", now=NOW)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr
        assert result.returncode != 0 and "HG101" in result.stderr, (repo, result.stderr)
        served = git(origin, "rev-parse", "HEAD~1").stdout.strip()
        assert pushes.remote_sha(remote, "main") == served


@pytest.mark.parametrize("payload", [
    '{"format": %(format)s, "version": "%(version)s", "records": [1, 2]}',
    '{"format": %(format)s, "version": "%(version)s", "records": null, '
    '"post_mortems": 5, "tests": "x"}',
    '[]', '{"format": %(format)s', '\x00\xff', '{"format": %(format)s, "version": "%(version)s"}',
], ids=["list-kind", "null-kinds", "list", "truncated", "binary", "no-kinds"])
def test_a_corrupt_parse_cache_is_ignored(origin: Path, tmp_path: Path, payload: str) -> None:
    from hotfix_gates import __version__
    from hotfix_gates.git import cache

    repo = clone(origin, tmp_path / "cached")
    blocks(repo, "--rev", "HEAD")
    path = repo / ".git" / cache.FILE
    assert path.exists()
    path.write_text(payload % {"format": cache.FORMAT, "version": __version__})
    out = blocks(repo, "--rev", "HEAD")
    assert "HG101" in out


@pytest.mark.parametrize("state", ["detached", "split-index", "index-v4", "garbage-index",
                                   "unborn", "linked-worktree"])
def test_commit_msg_in_odd_repositories(tmp_path: Path, state: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """commit-msg as git runs it, on a commit to main that brings an unready
    record: blocked, or one line; a detached HEAD passes."""
    import contextlib
    import io

    commit_msg = pytest.importorskip("hotfix_gates.hooks.commit_msg")
    repo = make_repo(tmp_path / "service", commit=state != "unborn")
    where = repo
    if state == "detached":
        git(repo, "checkout", "-q", "--detach")
    elif state == "split-index":
        git(repo, "update-index", "--split-index")
    elif state == "index-v4":
        git(repo, "update-index", "--index-version", "4")
    elif state == "linked-worktree":
        where = tmp_path / "linked"
        git(repo, "worktree", "add", "-q", "-b", "release/1", str(where))
    write_record(where, 1)
    git(where, "add", "-A")
    for name in [n for n in os.environ if n.startswith(("GIT_", "HOTFIX_GATE"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOTFIX_GATE_NOW", NOW)
    if state == "garbage-index":
        monkeypatch.setenv("GIT_INDEX_FILE", str(repo / "README.md"))
    monkeypatch.chdir(where)
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = commit_msg.main([str(repo / ".git/COMMIT_EDITMSG")])
    text = err.getvalue()
    assert "Traceback" not in text and "internal error" not in text, text
    if state == "detached":
        assert code == 0
    elif code == 2:
        assert len(text.strip().splitlines()) == 1, text
    else:
        assert code == 1 and "HG101" in text, text
