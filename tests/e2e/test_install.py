"""`hotfix-gate install` / `uninstall`: where hooks go, chaining an existing
hook (same arguments, same stdin, its failure fails), idempotence, and
restoring exactly what was there."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from hotfix_gates.cli import main
from hotfix_gates.commands.install import CHAINED, HOOKS, install_hook, render
from testing.hooks import NOW, hook_env
from testing.repos import commit_all, git, make_repo, write_record

ROOT = Path(__file__).resolve().parents[2]


def gate(capsys: pytest.CaptureFixture[str], where: Path, *args: str) -> tuple[int, str, str]:
    old = os.getcwd()
    os.chdir(where)
    try:
        code = main(list(args))
    finally:
        os.chdir(old)
    out, err = capsys.readouterr()
    return code, out, err


def snapshot(path: Path) -> tuple[bytes, int, int, int]:
    info = os.lstat(path)
    return path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_ino, info.st_mtime_ns


def recorder(path: Path, log: Path, status: int = 0) -> Path:
    """A hook that writes its arguments and its stdin to `log`."""
    path.write_text(f'#!/bin/sh\nprintf "args:%s\\n" "$*" >> "{log}"\ncat >> "{log}"\n'
                    f"exit {status}\n")
    os.chmod(path, 0o750)
    return path


def test_templates_in_hooks_folder_match_what_install_writes() -> None:
    for hook in HOOKS:
        template = ROOT / "hooks" / hook
        assert template.read_text() == render(hook)
        assert os.access(template, os.X_OK)
        assert f"exec hotfix-gate-{hook} " in template.read_text()


def test_install_defaults_and_installing_twice_changes_nothing(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = gate(capsys, repo, "install")
    hooks = repo / ".git" / "hooks"
    assert code == 0
    assert out.splitlines() == [f"pre-push: installed {hooks / 'pre-push'}",
                                f"commit-msg: installed {hooks / 'commit-msg'}"]
    before = {}
    for hook in ("pre-push", "commit-msg"):
        assert (hooks / hook).read_text() == render(hook, sys.executable)
        assert stat.S_IMODE(os.stat(hooks / hook).st_mode) == 0o755
        before[hook] = snapshot(hooks / hook)
    assert not (hooks / "pre-receive").exists()
    code, out, _ = gate(capsys, repo, "install")
    assert code == 0 and out.count("already installed") == 2
    assert {hook: snapshot(hooks / hook) for hook in before} == before
    assert not list(hooks.glob(f"*{CHAINED}"))


def test_existing_hook_runs_first_with_the_same_arguments_and_stdin(tmp_path: Path) -> None:
    """The chaining script itself, with the PATH templates and a stand-in for
    our console script, driven by a real `git push`."""
    repo = make_repo(tmp_path / "work")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "branch", "second")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    theirs, ours = tmp_path / "theirs.log", tmp_path / "ours.log"
    recorder(bin_dir / "hotfix-gate-pre-push", ours)
    hooks = repo / ".git" / "hooks"
    recorder(hooks / "pre-push", theirs)
    install_hook(hooks, "pre-push", render("pre-push"), force=False)
    env = hook_env(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    pushed = git(repo, "push", "-q", "origin", "main", "second", env=env, check=False)
    assert pushed.returncode == 0, pushed.stderr
    log = theirs.read_text()
    assert log == ours.read_text()
    assert log.startswith(f"args:origin {remote}\n")
    refs = [line.split()[0] for line in log.splitlines()[1:]]
    assert refs == ["refs/heads/main", "refs/heads/second"]  # both refs reached both hooks
    # the kept hook fails: the push fails and ours never runs
    recorder(hooks / f"pre-push{CHAINED}", theirs, status=3)
    ours.unlink()
    git(repo, "commit", "-q", "--allow-empty", "-m", "more", env=env)
    refused = git(repo, "push", "-q", "origin", "main", env=env, check=False)
    assert refused.returncode != 0 and not ours.exists()


def test_chained_commit_msg_hook_runs_before_the_gates(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    user_hook = hooks / "commit-msg"
    user_hook.write_text('#!/bin/sh\necho "Signed-off-by: hook" >> "$1"\n')
    os.chmod(user_hook, 0o755)
    code, out, _ = gate(capsys, repo, "install", "--hook", "commit-msg")
    assert code == 0 and f"kept as commit-msg{CHAINED}" in out
    assert (hooks / f"commit-msg{CHAINED}").read_text().startswith("#!/bin/sh\necho")
    write_record(repo, 1)  # no severity, no rollback plan: our hook refuses
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-q", "-m", "record", env=hook_env(), check=False)
    assert refused.returncode != 0 and "HG101" in refused.stderr
    assert "Signed-off-by: hook" in (repo / ".git" / "COMMIT_EDITMSG").read_text()
    git(repo, "reset", "-q")
    (repo / "README.md").write_text("ordinary\n")
    done = git(repo, "commit", "-q", "-am", "ordinary", env=hook_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert git(repo, "log", "-1", "--format=%B").stdout.strip().endswith("Signed-off-by: hook")
    (hooks / f"commit-msg{CHAINED}").write_text("#!/bin/sh\nexit 5\n")
    failed = git(repo, "commit", "-q", "--allow-empty", "-m", "x", env=hook_env(), check=False)
    assert failed.returncode != 0


def test_uninstall_restores_exactly_what_was_there(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    user_hook = recorder(hooks / "pre-push", repo / "log")
    original = snapshot(user_hook)
    samples = sorted(p.name for p in hooks.iterdir())
    assert gate(capsys, repo, "install")[0] == 0
    assert (hooks / "pre-push").read_text() == render("pre-push", sys.executable)
    code, out, _ = gate(capsys, repo, "uninstall")
    assert code == 0
    assert "restored the previous" in out and f"removed {hooks / 'commit-msg'}" in out
    assert snapshot(user_hook)[:3] == original[:3]  # bytes, mode and the very same file
    assert sorted(p.name for p in hooks.iterdir()) == samples
    assert gate(capsys, repo, "uninstall")[1] == f"no hotfix-gates hook in {hooks}\n"


def test_symlinked_hook_is_kept_as_a_symlink(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / "tools").mkdir()
    recorder(repo / "tools" / "push-check", repo / "log")
    hooks = repo / ".git" / "hooks"
    os.symlink("../../tools/push-check", hooks / "pre-push")
    assert gate(capsys, repo, "install", "--hook", "pre-push")[0] == 0
    assert os.readlink(hooks / f"pre-push{CHAINED}") == "../../tools/push-check"
    assert not (hooks / "pre-push").is_symlink()
    assert gate(capsys, repo, "uninstall")[0] == 0
    assert os.readlink(hooks / "pre-push") == "../../tools/push-check"
    assert not os.path.lexists(hooks / f"pre-push{CHAINED}")


@pytest.mark.parametrize("absolute", [False, True])
def test_core_hooks_path(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                         absolute: bool) -> None:
    folder = tmp_path / "shared-hooks" if absolute else repo / ".githooks"
    git(repo, "config", "core.hooksPath", str(folder) if absolute else ".githooks")
    code, out, _ = gate(capsys, repo, "install")
    assert code == 0 and str(folder / "commit-msg") in out
    assert not (repo / ".git" / "hooks" / "commit-msg").exists()
    write_record(repo, 1)
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-q", "-m", "record", env=hook_env(), check=False)
    assert refused.returncode != 0 and "HG101" in refused.stderr  # git ran it from there


def test_install_from_a_linked_worktree_uses_the_shared_hooks(
        repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    wt = tmp_path / "wt"
    git(repo, "worktree", "add", "-q", str(wt), "-b", "release/2.1")
    code, out, _ = gate(capsys, wt, "install", "--hook", "commit-msg")
    assert code == 0 and str(repo / ".git" / "hooks" / "commit-msg") in out
    write_record(wt, 1)
    git(wt, "add", "-A")
    refused = git(wt, "commit", "-q", "-m", "record", env=hook_env(), check=False)
    assert refused.returncode != 0 and "HG101" in refused.stderr


def test_bare_repository_gets_pre_receive(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "server.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    code, out, _ = gate(capsys, bare, "install")
    assert code == 0 and out == f"pre-receive: installed {bare / 'hooks' / 'pre-receive'}\n"
    assert (bare / "hooks" / "pre-receive").read_text() == render("pre-receive", sys.executable)
    assert not (bare / "hooks" / "pre-push").exists()
    assert gate(capsys, bare, "uninstall")[0] == 0
    assert not (bare / "hooks" / "pre-receive").exists()


def test_interrupted_install_is_finished_or_undone(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    user_hook = recorder(hooks / "commit-msg", repo / "log")
    content = user_hook.read_bytes()
    os.link(user_hook, hooks / f"commit-msg{CHAINED}")  # stopped right after the first step
    assert gate(capsys, repo, "uninstall")[0] == 0
    assert user_hook.read_bytes() == content
    assert not (hooks / f"commit-msg{CHAINED}").exists()
    os.link(user_hook, hooks / f"commit-msg{CHAINED}")
    assert gate(capsys, repo, "install", "--hook", "commit-msg")[0] == 0
    assert (hooks / f"commit-msg{CHAINED}").read_bytes() == content
    assert (hooks / "commit-msg").read_text() == render("commit-msg", sys.executable)


def test_refusals_never_touch_a_hook(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    recorder(hooks / "pre-push", repo / "a")
    recorder(hooks / f"pre-push{CHAINED}", repo / "b")
    before = snapshot(hooks / "pre-push"), snapshot(hooks / f"pre-push{CHAINED}")
    code, _, err = gate(capsys, repo, "install", "--hook", "pre-push")
    assert code == 2 and "both exist and differ" in err
    assert (snapshot(hooks / "pre-push"), snapshot(hooks / f"pre-push{CHAINED}")) == before
    (hooks / "commit-msg").mkdir()
    code, _, err = gate(capsys, repo, "install", "--hook", "commit-msg")
    assert code == 2 and err.startswith("hotfix-gate: error: ") and "is not a file" in err
    code, _, err = gate(capsys, repo, "install", "--hook", "post-merge")
    assert code == 2 and "post-merge" in err


def test_force_replaces_only_a_stale_copy_of_ours(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hooks = repo / ".git" / "hooks"
    recorder(hooks / "commit-msg", repo / "log")
    assert gate(capsys, repo, "install", "--hook", "commit-msg")[0] == 0
    stale = render("commit-msg", "/opt/old-venv/bin/python")
    (hooks / "commit-msg").write_text(stale)
    code, _, err = gate(capsys, repo, "install", "--hook", "commit-msg")
    assert code == 2 and "--force" in err
    assert (hooks / "commit-msg").read_text() == stale
    code, out, _ = gate(capsys, repo, "install", "--hook", "commit-msg", "--force")
    assert code == 0 and "replaced" in out
    assert (hooks / "commit-msg").read_text() == render("commit-msg", sys.executable)
    assert (hooks / f"commit-msg{CHAINED}").exists()  # the user's hook is still chained


@pytest.mark.parametrize("edit", ["append", "copied template"])
def test_an_edited_copy_of_ours_is_never_replaced_or_removed(
        repo: Path, capsys: pytest.CaptureFixture[str], edit: str) -> None:
    hooks = repo / ".git" / "hooks"
    if edit == "append":
        assert gate(capsys, repo, "install", "--hook", "pre-push")[0] == 0
        text = (hooks / "pre-push").read_text()
    else:  # hooks/pre-push copied by hand, then given a line of the user's own
        text = render("pre-push")
    lines = text.splitlines(keepends=True)
    (hooks / "pre-push").write_text("".join([*lines[:2], "./scripts/lint.sh || exit 1\n",
                                             *lines[2:]]))
    os.chmod(hooks / "pre-push", 0o755)
    before = snapshot(hooks / "pre-push")
    for args in (["install", "--hook", "pre-push", "--force"], ["uninstall"]):
        code, out, err = gate(capsys, repo, *args)
        assert code == 2, (out, err)
        assert "hook with changes of its own" in err and "left as it is" in err
        assert snapshot(hooks / "pre-push") == before


def test_hook_whose_python_is_gone_says_so(repo: Path) -> None:
    hooks = repo / ".git" / "hooks"
    (hooks / "commit-msg").write_text(render("commit-msg", "/nonexistent/python3"))
    os.chmod(hooks / "commit-msg", 0o755)
    refused = git(repo, "commit", "-q", "--allow-empty", "-m", "x", env=hook_env(), check=False)
    assert refused.returncode != 0
    assert "hotfix-gates: /nonexistent/python3 is gone" in refused.stderr


def test_not_a_repository(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = gate(capsys, tmp_path, "install")
    assert code == 2 and "not a git repository" in err


def test_pre_commit_hook_is_chained_too(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    repo = make_repo(tmp_path / "svc")
    log = tmp_path / "pre-commit.log"
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: local\n  hooks:\n  - id: note\n    name: note\n"
        f"    entry: sh -c 'echo \"ran $0\" >> {log}'\n"
        "    language: system\n    stages: [commit-msg]\n")
    commit_all(repo, "pre-commit config")
    env = hook_env(PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"))
    subprocess.run([sys.executable, "-m", "pre_commit", "install", "--hook-type", "commit-msg"],
                   cwd=repo, env=env, check=True, capture_output=True)
    code, out, _ = gate(capsys, repo, "install", "--hook", "commit-msg")
    assert code == 0 and "that hook is pre-commit's" in out
    write_record(repo, 1)
    git(repo, "add", "-A")
    refused = git(repo, "commit", "-q", "-m", "record", env=env, check=False)
    assert refused.returncode != 0 and "HG101" in refused.stderr
    assert log.read_text() == "ran .git/COMMIT_EDITMSG\n"  # pre-commit's hooks still run


def test_installed_hooks_guard_real_pushes(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    """`install` on both sides: the client's pre-push (with the user's own hook
    still running, on every ref) and the server's pre-receive, which
    --no-verify cannot skip."""
    server = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(server))
    assert gate(capsys, server, "install")[0] == 0
    git(server, "config", "hotfix-gates.now", NOW)  # the server judges at its own time
    repo = make_repo(tmp_path / "svc")
    git(repo, "remote", "add", "origin", str(server))
    git(repo, "push", "-q", "origin", "main")
    log = tmp_path / "theirs.log"
    recorder(repo / ".git" / "hooks" / "pre-push", log)
    assert gate(capsys, repo, "install")[0] == 0
    git(repo, "checkout", "-q", "-b", "feature/ok")
    git(repo, "commit", "-q", "--allow-empty", "-m", "feature", env=hook_env())
    git(repo, "checkout", "-q", "-b", "hotfix/004-payment-timeouts", "main")
    write_record(repo, 4, "payment-timeouts")  # severity not set yet
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "record", env=hook_env())
    pushed = git(repo, "push", "origin", "feature/ok", "hotfix/004-payment-timeouts",
                 env=hook_env(), check=False)
    assert pushed.returncode != 0
    assert "hotfix-gate pre-push to hotfix/004-payment-timeouts: blocked" in pushed.stderr
    assert "004-payment-timeouts/hotfix.md:5: HG101" in pushed.stderr
    lines = log.read_text().splitlines()
    assert [line.split()[0] for line in lines[1:]] == [
        "refs/heads/feature/ok", "refs/heads/hotfix/004-payment-timeouts"]
    assert git(repo, "ls-remote", "origin").stdout.count("refs/heads/") == 1  # main only
    skipped = git(repo, "push", "--no-verify", "origin", "hotfix/004-payment-timeouts",
                  env=hook_env(), check=False)
    assert skipped.returncode != 0
    assert ("remote: hotfix-gate pre-receive to hotfix/004-payment-timeouts: blocked"
            in skipped.stderr)
    assert "HG101" in skipped.stderr


def test_a_configured_but_uninstalled_plugin_is_named(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (repo / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: https://example.com/hotfix-gates\n  rev: v0.1.0\n"
        "  hooks: [{id: hotfix-gate-pre-push}]\n")
    code, out, err = gate(capsys, repo, "install")
    assert code == 2
    assert out == f"commit-msg: installed {repo / '.git/hooks/commit-msg'}\n"
    assert err == ("hotfix-gate: error: pre-push: .pre-commit-config.yaml lists "
                   "hotfix-gate-pre-push; run `pre-commit install --hook-type pre-push` instead "
                   "(both would run the gates twice)\n")
    assert not (repo / ".git/hooks/pre-push").exists()


def test_pre_receive_in_a_clone_is_refused_with_the_reason(
        repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gate(capsys, repo, "install", "--hook", "pre-receive")
    assert (code, out) == (2, "")
    assert err == ("hotfix-gate: error: pre-receive runs only where pushes are received (the "
                   "server's bare repository): run `hotfix-gate install` there; here, pre-push\n")
    assert not (repo / ".git/hooks/pre-receive").exists()
    git(repo, "config", "receive.denyCurrentBranch", "updateInstead")  # this clone takes pushes
    code, out, _ = gate(capsys, repo, "install", "--hook", "pre-receive")
    assert code == 0 and out.startswith("pre-receive: installed ")
