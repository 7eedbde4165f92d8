"""The pre-commit plugin end to end, as a new user meets it: a sample
repository whose .pre-commit-config.yaml points at this project, `pre-commit
install --hook-type pre-push --hook-type commit-msg`, real merges and real
`git push`es to a bare remote.

pre-commit clones a repository at a rev, so the current source tree (what is
on disk, committed or not) is copied into a temporary repository first. Its
environment is built once per test session (`pre-commit install-hooks`, a
pip install of this package and its dependencies: about 10-25 s) in a shared
PRE_COMMIT_HOME.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing.hooks import hook_env
from testing.repos import commit_all, git, make_repo, write_record

ROOT = Path(__file__).resolve().parents[2]
RESOLVED = "2025-10-01T16:00:00Z"
BRANCH = "hotfix/001-database-connection-pool"


@dataclass
class Plugin:
    source: Path
    rev: str
    home: Path
    build_seconds: float


def snapshot_source(into: Path) -> str:
    """Copy the project as it is on disk (tracked and new files, not ignored
    ones) into a fresh repository and commit it; returns the commit id."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not name.startswith(("tests/", "benchmarks/")):
            (into / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / name)
    make_repo(into, commit=False)
    return commit_all(into, "snapshot of the source under test")


def pre_commit(cwd: Path, home: Path, *args: str, ci: bool = False
               ) -> subprocess.CompletedProcess[str]:
    """`pre-commit ARGS`, as on a laptop (CI unset) or in a CI job (CI=true)."""
    env = hook_env(PRE_COMMIT_HOME=str(home), CI="true" if ci else "")
    return subprocess.run([sys.executable, "-m", "pre_commit", *args], cwd=cwd, text=True,
                          capture_output=True, env=env, timeout=600)


def config_text(plugin: Plugin, verbose: bool = False) -> str:
    return (f"repos:\n- repo: {plugin.source}\n  rev: {plugin.rev}\n  hooks:\n"
            "  - id: hotfix-gate-pre-push\n  - id: hotfix-gate-commit-msg\n"
            + ("    verbose: true\n" if verbose else "") + "  - id: hotfix-gate-check\n")


@pytest.fixture(scope="session")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Plugin:
    source = tmp_path_factory.mktemp("plugin-source")
    rev = snapshot_source(source)
    home = tmp_path_factory.mktemp("pre-commit-home")
    warm = make_repo(tmp_path_factory.mktemp("warm") / "repo", commit=False)
    built = Plugin(source, rev, home, 0.0)
    (warm / ".pre-commit-config.yaml").write_text(config_text(built))
    started = time.perf_counter()
    done = pre_commit(warm, home, "install-hooks")
    built.build_seconds = time.perf_counter() - started
    assert done.returncode == 0, done.stdout + done.stderr
    return built


@pytest.fixture
def sample(plugin: Plugin, tmp_path: Path) -> Path:
    """A service repository using the plugin, with main already on its remote."""
    repo = make_repo(tmp_path / "service")
    (repo / ".pre-commit-config.yaml").write_text(config_text(plugin))
    commit_all(repo, "use hotfix-gates")
    remote = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(repo, "remote", "add", "origin", str(remote))
    git(repo, "push", "-q", "origin", "main")
    installed = pre_commit(repo, plugin.home, "install", "--hook-type", "pre-push",
                           "--hook-type", "commit-msg")
    assert installed.returncode == 0, installed.stderr
    return repo


def run_git(repo: Path, plugin: Plugin, *args: str, now: str = "2025-10-02T12:00:00Z"
            ) -> tuple[int, str]:
    done = git(repo, *args, env=hook_env(now, PRE_COMMIT_HOME=str(plugin.home)), check=False)
    return done.returncode, done.stdout + done.stderr


def set_field(record: Path, key: str, value: str) -> None:
    text = record.read_text()
    start = text.index(f"\n{key}:") + 1
    end = text.index("\n", start)
    record.write_text(text[:start] + f"{key}: {value}" + text[end:])


def test_hotfix_branch_push_then_merge(sample: Path, plugin: Plugin) -> None:
    git(sample, "checkout", "-q", "-b", BRANCH)
    record = write_record(sample, 1).hotfix
    git(sample, "add", "-A")
    code, out = run_git(sample, plugin, "commit", "-m", "open the incident")
    assert code == 0, out  # reminders only on the hotfix branch (shown with verbose: true)

    code, out = run_git(sample, plugin, "push", "origin", BRANCH)
    assert code != 0 and "HG101 severity" in out
    assert git(sample, "ls-remote", "origin", BRANCH).stdout == ""
    set_field(record, "severity", "P0")
    git(sample, "add", "-A")
    assert run_git(sample, plugin, "commit", "-m", "assess")[0] == 0
    code, out = run_git(sample, plugin, "push", "origin", BRANCH)
    assert code == 0, out

    git(sample, "checkout", "-q", "main")
    code, out = run_git(sample, plugin, "merge", "--no-ff", BRANCH, "-m", "Merge the hotfix")
    assert code != 0 and "HG102 rollback-plan" in out
    set_field(record, "rollback_plan", "redeploy v1.4.2")
    git(sample, "add", "-A")
    code, out = run_git(sample, plugin, "commit", "--no-edit")
    assert code == 0, out
    assert len(git(sample, "rev-parse", "HEAD^@").stdout.split()) == 2
    code, out = run_git(sample, plugin, "push", "origin", "main")
    assert code == 0, out


def test_post_mortem_deadline_on_push_to_main(sample: Path, plugin: Plugin) -> None:
    write_record(sample, 1, severity="P0", rollback_plan="revert", status="resolved",
                 deployed_at="2025-10-01T15:00:00Z", resolved_at=RESOLVED)
    git(sample, "add", "-A")
    assert run_git(sample, plugin, "commit", "-m", "resolved incident")[0] == 0
    code, out = run_git(sample, plugin, "push", "origin", "main", now="2025-10-03T17:00:00Z")
    assert code != 0 and "HG201 post-mortem" in out  # 49 h after resolution
    code, out = run_git(sample, plugin, "push", "origin", "main", now="2025-10-03T15:00:00Z")
    assert code == 0, out  # 47 h: still inside the window


def test_manual_check_stage(sample: Path, plugin: Plugin) -> None:
    write_record(sample, 1)
    done = pre_commit(sample, plugin.home, "run", "--hook-stage", "manual", "hotfix-gate-check")
    assert done.returncode == 1
    assert "HG101 severity" in done.stdout


def test_an_ordinary_commit_costs_one_line(sample: Path, plugin: Plugin) -> None:
    (sample / "app.py").write_text("print('hello')\n")
    git(sample, "add", "app.py")
    code, out = run_git(sample, plugin, "commit", "-m", "ordinary work")
    assert code == 0, out
    ours = [line for line in out.splitlines() if "hotfix" in line or line.startswith("- ")]
    assert len(ours) == 1 and ours[0].startswith("hotfix gates (commit-msg)"), out
    assert ours[0].endswith("Passed")


def test_reminders_on_a_hotfix_branch_with_verbose(sample: Path, plugin: Plugin) -> None:
    git(sample, "checkout", "-q", "-b", BRANCH)
    write_record(sample, 1)
    git(sample, "add", "-A")
    code, out = run_git(sample, plugin, "commit", "-m", "open the incident")
    assert code == 0 and "HG101" not in out  # quiet by default: a reminder never blocks
    (sample / ".pre-commit-config.yaml").write_text(config_text(plugin, verbose=True))
    write_record(sample, 1, rollback_plan="revert")
    git(sample, "add", "-A")
    code, out = run_git(sample, plugin, "commit", "-m", "plan")
    assert code == 0 and "HG101 severity" in out  # asked for in the config: shown


def test_install_leaves_the_gates_to_pre_commit(sample: Path, plugin: Plugin) -> None:
    hooks = sample / ".git/hooks"
    before = {name: (hooks / name).read_bytes() for name in ("pre-push", "commit-msg")}
    done = subprocess.run([sys.executable, "-m", "hotfix_gates.cli", "install"], cwd=sample,
                          capture_output=True, text=True, env=hook_env(), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "pre-push: not installed: pre-commit already runs hotfix-gate-pre-push here "
        "(.pre-commit-config.yaml); a raw hook too would run the gates twice",
        "commit-msg: not installed: pre-commit already runs hotfix-gate-commit-msg here "
        "(.pre-commit-config.yaml); a raw hook too would run the gates twice"]
    assert {name: (hooks / name).read_bytes() for name in before} == before
    assert not list(hooks.glob("*.hotfix-gates-chained"))


def test_the_check_hook_in_ci_judges_with_the_targets_configuration(sample: Path,
                                                                    plugin: Plugin) -> None:
    git(sample, "checkout", "-q", "-b", BRANCH)
    (sample / ".hotfix-gates.yaml").write_text("gates: {severity: off, rollback-plan: off}\n")
    write_record(sample, 1)
    commit_all(sample, "an unready record, and the gates it fails turned off")
    manual = ("run", "--hook-stage", "manual", "hotfix-gate-check")
    in_ci = pre_commit(sample, plugin.home, *manual, "--from-ref", "origin/main",
                       "--to-ref", "HEAD", ci=True)
    assert in_ci.returncode == 1
    assert "HG101 severity" in in_ci.stdout and "HG102 rollback-plan" in in_ci.stdout
    assert "HG002" not in in_ci.stdout  # the branch's configuration loads: it just is not used
    forgotten = pre_commit(sample, plugin.home, *manual, ci=True)
    assert forgotten.returncode == 1
    assert ("hotfix-gate: error: in CI, judge with the target's configuration: `pre-commit run "
            "--hook-stage manual --from-ref origin/BASE --to-ref HEAD hotfix-gate-check`"
            in forgotten.stdout)
    on_a_laptop = pre_commit(sample, plugin.home, *manual)
    assert on_a_laptop.returncode == 0, on_a_laptop.stdout  # the working tree, as configured
