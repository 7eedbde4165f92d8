"""CI mode: `hotfix-gate check --base REF [--rev REV]` judges what merging REV
into REF would bring, with REF's configuration, from trees only (so a shallow
clone gives the same verdict)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hotfix_gates.cli import main as cli_main
from testing.pushes import make_pushing_clone
from testing.repos import clean_env, commit_all, git, run_gate, write_record

NOW = "2025-10-02T12:00:00Z"


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """main: a configuration that allows a missing rollback plan; the hotfix
    branch: turns severity off in its own configuration, has no severity and
    no rollback plan; both pushed to a bare remote."""
    root = tmp_path_factory.mktemp("ci")
    repo, remote = make_pushing_clone(root, pre_push=False)
    (repo / ".hotfix-gates.yaml").write_text("gates: {rollback-plan: off}\n")
    for n in range(3):
        (repo / f"history-{n}.txt").write_text(f"{n}\n")
        commit_all(repo, f"history {n}")
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-pool")
    (repo / ".hotfix-gates.yaml").write_text("gates: {severity: off}\n")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "hotfix weakening its own rules")
    git(repo, "checkout", "-q", "main")
    git(repo, "push", "-q", "origin", "main", "hotfix/001-database-pool")
    return repo, remote


def check(cwd: Path, *args: str) -> tuple[int, str, str]:
    result = run_gate(cwd, "check", "--now", NOW, *args, env=clean_env())
    return result.returncode, result.stdout, result.stderr


def test_base_configuration_judges_the_merge(project: tuple[Path, Path]) -> None:
    repo, _ = project
    code, out, _ = check(repo, "--base", "main", "--rev", "hotfix/001-database-pool")
    assert code == 1
    assert "HG101 severity" in out  # the branch's own `severity: off` is ignored
    assert "HG102" not in out  # main's `rollback-plan: off` is in force


def test_without_base_the_branch_configuration_is_used(project: tuple[Path, Path]) -> None:
    repo, _ = project
    code, out, _ = check(repo, "--rev", "hotfix/001-database-pool")
    assert code == 1 and "HG101" not in out and "HG102 rollback-plan" in out


def test_rev_defaults_to_head(project: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    repo, _ = project
    monkeypatch.chdir(repo)
    monkeypatch.setenv("HOTFIX_GATE_NOW", NOW)
    assert cli_main(["check", "--base", "main"]) == 0  # HEAD is main: no records
    assert "passed" in capsys.readouterr().out
    code = cli_main(["-C", str(repo), "check", "--base", "hotfix/001-database-pool",
                     "--rev", "hotfix/001-database-pool", "--format", "json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == 1 and payload["base"] == "hotfix/001-database-pool"
    assert {f["code"] for f in payload["findings"]} == {"HG102"}


def test_shallow_clone_gives_the_same_verdict(project: tuple[Path, Path],
                                              tmp_path: Path) -> None:
    repo, remote = project
    full = check(repo, "--base", "main", "--rev", "hotfix/001-database-pool")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{remote}", str(shallow))
    git(shallow, "fetch", "-q", "--depth", "1", "origin",
        "hotfix/001-database-pool:refs/remotes/origin/hotfix/001-database-pool")
    assert git(shallow, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    assert git(shallow, "rev-list", "--count", "origin/main").stdout.strip() == "1"
    in_ci = check(shallow, "--base", "origin/main", "--rev", "origin/hotfix/001-database-pool")
    assert in_ci[0] == full[0] == 1
    assert in_ci[1] == full[1]


def test_a_base_that_is_not_there_says_how_to_fetch_it(project: tuple[Path, Path]) -> None:
    repo, _ = project
    code, out, err = check(repo, "--base", "origin/develop")
    assert code == 2 and out == ""
    assert err.startswith("hotfix-gate: error: --base: cannot read revision 'origin/develop'")
    assert ("git fetch --depth=1 origin +refs/heads/develop:refs/remotes/origin/develop"
            in err and err.count("\n") == 1)


def test_a_broken_configuration_on_the_base_gives_way_to_its_last_valid_one(
        tmp_path: Path) -> None:
    repo, _ = make_pushing_clone(tmp_path, pre_push=False)
    (repo / ".hotfix-gates.yaml").write_text("specs_dir: records\n")
    valid = commit_all(repo, "records live in records/")
    (repo / ".hotfix-gates.yaml").write_text("specs_dir: records\ndeadlines: {post-mortem: soon}\n")
    commit_all(repo, "broken")
    write_record(repo, 1, specs_dir="records")
    commit_all(repo, "an unassessed record")
    code, out, err = check(repo, "--base", "HEAD")
    assert code == 1 and "records/001-database-connection-pool/hotfix.md:5: HG101" in out
    assert err.startswith("hotfix-gate: warning: .hotfix-gates.yaml (HEAD):2: ")
    assert err.splitlines()[0].endswith(f"; the configuration of {valid[:12]} (HEAD~2, "
                                        "'records live in records/') judges until it is fixed")


def test_a_shallow_base_with_a_broken_configuration_cannot_judge(tmp_path: Path) -> None:
    repo, remote = make_pushing_clone(tmp_path, pre_push=False)
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: soon}\n")
    commit_all(repo, "broken")
    git(repo, "push", "-q", "origin", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{remote}", str(shallow))
    code, out, err = check(shallow, "--base", "origin/main")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert ".hotfix-gates.yaml (origin/main):1: " in err
    assert "fetch more (`git fetch --deepen=1000 origin main`)" in err
