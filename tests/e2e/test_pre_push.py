"""pre-push end to end: real repositories, real bare remotes, real `git push`
through the raw hook; plus the pre-commit variables and the quick path."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testing.pushes import (
    hooks_dir,
    install_hook,
    make_pushing_clone,
    make_remote,
    push,
    remote_sha,
    run_hook,
)
from testing.repos import (
    COMPLETE_POST_MORTEM,
    clean_env,
    commit_all,
    git,
    make_repo,
    write_record,
)

MODULE = "hotfix_gates.hooks.pre_push"
Z = "0" * 40
READY = {"severity": "P0", "rollback_plan": "git revert the fix"}
RESOLVED = "2025-10-01T16:00:00Z"


@pytest.fixture
def pushing(tmp_path: Path) -> tuple[Path, Path]:
    return make_pushing_clone(tmp_path)


def sha(repo: Path, rev: str = "HEAD") -> str:
    return git(repo, "rev-parse", rev).stdout.strip()


def test_hotfix_branch_is_refused_until_severity_is_set(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-pool")
    record = write_record(repo, 1, "database-pool")
    commit_all(repo, "Open hotfix-001")

    refused = push(repo, "origin", "hotfix/001-database-pool")
    assert refused.returncode != 0
    assert "hotfix-gate pre-push to hotfix/001-database-pool: blocked" in refused.stderr
    assert "hotfix.md:5: HG101 severity: severity is not set" in refused.stderr
    assert "HG102" not in refused.stderr  # the rollback plan is for the merge
    assert f"hotfix-gate check --rev {sha(repo)}" in refused.stderr
    assert remote_sha(remote, "refs/heads/hotfix/001-database-pool") is None

    record.hotfix.write_text(record.hotfix.read_text().replace("severity: null", "severity: P1"))
    commit_all(repo, "Assess hotfix-001")
    accepted = push(repo, "origin", "hotfix/001-database-pool")
    assert accepted.returncode == 0, accepted.stderr
    assert "hotfix-gate" not in accepted.stderr
    assert remote_sha(remote, "refs/heads/hotfix/001-database-pool") == sha(repo)


def test_hotfix_branch_without_its_record_is_refused(pushing: tuple[Path, Path]) -> None:
    repo, _ = pushing
    write_record(repo, 1, "other-incident", severity="P1")
    commit_all(repo, "a record for another hotfix")
    refused = push(repo, "origin", "HEAD:refs/heads/hotfix/002-missing")
    assert refused.returncode != 0
    assert "HG001 record-valid: no record for hotfix-002 in the judged commit" in refused.stderr


def test_merge_into_main_is_refused_until_the_rollback_plan_exists(
        pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-pool")
    record = write_record(repo, 1, "database-pool", severity="P0")
    commit_all(repo, "Fix the pool")
    assert push(repo, "origin", "hotfix/001-database-pool").returncode == 0
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge hotfix-001", "hotfix/001-database-pool")

    refused = push(repo, "origin", "main")
    assert refused.returncode != 0
    assert "hotfix-gate pre-push to main: blocked" in refused.stderr
    assert "HG102 rollback-plan: no rollback plan" in refused.stderr
    assert remote_sha(remote, "main") != sha(repo)

    record.hotfix.write_text(record.hotfix.read_text().replace(
        "rollback_plan: null", "rollback_plan: revert the merge and redeploy"))
    commit_all(repo, "Rollback plan for hotfix-001")
    accepted = push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(repo)


def _resolved_record(repo: Path) -> None:
    tests = repo / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "test_pool.py").write_text("def test_pool_returns_connection():\n    pass\n")
    write_record(repo, 1, "database-pool", status="resolved",
                 deployed_at="2025-10-01T15:00:00Z", resolved_at=RESOLVED,
                 regression_tests=["tests/test_pool.py::test_pool_returns_connection"],
                 **READY)
    commit_all(repo, "hotfix-001 resolved")


def test_post_mortem_deadline_on_push_to_main(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    _resolved_record(repo)
    inside = push(repo, "origin", "main", now="2025-10-03T15:00:00Z")  # 47 h after
    assert inside.returncode == 0, inside.stderr
    assert remote_sha(remote, "main") == sha(repo)

    (repo / "NOTES.md").write_text("later work\n")
    commit_all(repo, "later work")
    late = push(repo, "origin", "main", now="2025-10-03T17:00:00Z")  # 49 h after
    assert late.returncode != 0
    assert "HG201 post-mortem" in late.stderr and "overdue by 1h" in late.stderr
    assert "HG202" not in late.stderr  # the regression test is there

    record = repo / "specs/hotfix/001-database-pool"
    (record / "post-mortem.md").write_text(COMPLETE_POST_MORTEM)
    commit_all(repo, "post-mortem for hotfix-001")
    done = push(repo, "origin", "main", now="2025-10-03T17:00:00Z")
    assert done.returncode == 0, done.stderr


def test_two_ref_push_with_a_bad_second_ref_is_refused(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    (repo / "app.py").write_text("print('ok')\n")
    good = commit_all(repo, "ordinary work on main")
    git(repo, "checkout", "-q", "-b", "hotfix/002-cache")
    write_record(repo, 2, "cache")
    commit_all(repo, "Open hotfix-002 (not assessed)")

    refused = push(repo, "origin", "main", "hotfix/002-cache")
    assert refused.returncode != 0
    assert "pre-push to hotfix/002-cache: blocked" in refused.stderr
    assert "pre-push to main" not in refused.stderr  # main's tree holds no record
    assert remote_sha(remote, "main") != good  # a refused pre-push sends nothing


def test_deletion_passes(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    git(repo, "checkout", "-q", "-b", "hotfix/003-bad")
    write_record(repo, 3, "bad")
    commit_all(repo, "unassessed")
    assert push(repo, "--no-verify", "origin", "hotfix/003-bad").returncode == 0

    deleted = push(repo, "origin", "--delete", "hotfix/003-bad")
    assert deleted.returncode == 0, deleted.stderr
    assert remote_sha(remote, "refs/heads/hotfix/003-bad") is None


def test_tags_pass(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    write_record(repo, 1, "database-pool")  # would block a push to main
    commit_all(repo, "unassessed record")
    git(repo, "tag", "v1.0")
    git(repo, "tag", "-a", "-m", "release", "v1.1")
    pushed = push(repo, "origin", "v1.0", "v1.1")
    assert pushed.returncode == 0, pushed.stderr
    assert remote_sha(remote, "refs/tags/v1.0") == sha(repo)


def test_refspec_to_another_name_is_judged_by_the_remote_ref(
        pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-pool")
    write_record(repo, 1, "database-pool", severity="P1")  # fine for the hotfix branch
    commit_all(repo, "fix")
    as_main = push(repo, "origin", "hotfix/001-database-pool:main")
    assert as_main.returncode != 0
    assert "pre-push to main: blocked" in as_main.stderr and "HG102" in as_main.stderr
    as_feature = push(repo, "origin", "hotfix/001-database-pool:feature/pool")
    assert as_feature.returncode == 0, as_feature.stderr
    assert remote_sha(remote, "refs/heads/feature/pool") == sha(repo)


def test_new_protected_branch_on_the_remote_is_judged(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    write_record(repo, 1, "database-pool")
    commit_all(repo, "record")
    refused = push(repo, "origin", "HEAD:refs/heads/release/2.0")
    assert refused.returncode != 0 and "pre-push to release/2.0: blocked" in refused.stderr
    assert remote_sha(remote, "refs/heads/release/2.0") is None


def test_detached_head_push_to_main(pushing: tuple[Path, Path]) -> None:
    repo, _ = pushing
    write_record(repo, 1, "database-pool", severity="P0")
    commit_all(repo, "record")
    git(repo, "checkout", "-q", "--detach")
    refused = push(repo, "origin", "HEAD:main")
    assert refused.returncode != 0 and "HG102 rollback-plan" in refused.stderr


def test_configuration_comes_from_the_pushed_commit(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [develop]\n")
    write_record(repo, 1, "database-pool")
    commit_all(repo, "develop is the protected branch here")
    refused = push(repo, "origin", "HEAD:refs/heads/develop")
    assert refused.returncode != 0 and "pre-push to develop: blocked" in refused.stderr
    # main is not protected by this configuration
    accepted = push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(repo)


def test_broken_configuration_in_the_pushed_commit_is_one_line(
        pushing: tuple[Path, Path]) -> None:
    repo, _ = pushing
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [main\n")
    commit_all(repo, "broken configuration")
    refused = push(repo, "origin", "main")
    assert refused.returncode != 0
    errors = [line for line in refused.stderr.splitlines() if "hotfix-gate" in line]
    assert len(errors) == 1 and errors[0].startswith("hotfix-gate pre-push: error: ")
    assert ".hotfix-gates.yaml" in errors[0] and "Traceback" not in refused.stderr


def test_push_from_a_shallow_clone(tmp_path: Path) -> None:
    upstream, remote = make_pushing_clone(tmp_path, pre_push=False)
    for n in range(3):
        (upstream / f"f{n}.txt").write_text(f"{n}\n")
        commit_all(upstream, f"history {n}")
    git(upstream, "push", "-q", "origin", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{remote}", str(shallow))
    assert git(shallow, "rev-parse", "--is-shallow-repository").stdout.strip() == "true"
    git(shallow, "config", "user.email", "responder@example.com")
    git(shallow, "config", "user.name", "Test Responder")
    install_hook(hooks_dir(shallow), "pre-push")
    write_record(shallow, 1, "database-pool", severity="P0")
    commit_all(shallow, "record without rollback plan")
    refused = push(shallow, "origin", "main")
    assert refused.returncode != 0 and "HG102" in refused.stderr

    record = shallow / "specs/hotfix/001-database-pool/hotfix.md"
    record.write_text(record.read_text().replace("rollback_plan: null", "rollback_plan: revert"))
    commit_all(shallow, "rollback plan")
    accepted = push(shallow, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(shallow)


def test_push_from_a_linked_worktree(pushing: tuple[Path, Path]) -> None:
    repo, remote = pushing
    tree = repo.parent / "wt"
    git(repo, "worktree", "add", "-q", "-b", "hotfix/004-worktree", str(tree))
    write_record(tree, 4, "worktree")
    commit_all(tree, "unassessed, from a worktree")
    refused = push(tree, "origin", "hotfix/004-worktree")
    assert refused.returncode != 0 and "HG101 severity" in refused.stderr
    path = tree / "specs/hotfix/004-worktree/hotfix.md"
    path.write_text(path.read_text().replace("severity: null", "severity: P2"))
    commit_all(tree, "assessed")
    accepted = push(tree, "origin", "hotfix/004-worktree")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "refs/heads/hotfix/004-worktree") == sha(tree)


def test_first_push_into_an_empty_remote(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "empty.git")
    repo = make_repo(tmp_path / "service")
    git(repo, "remote", "add", "origin", str(remote))
    install_hook(hooks_dir(repo), "pre-push")
    write_record(repo, 1, "database-pool", **READY)
    commit_all(repo, "ready record")
    accepted = push(repo, "origin", "main")
    assert accepted.returncode == 0, accepted.stderr
    assert remote_sha(remote, "main") == sha(repo)


def test_empty_repository_deleting_a_remote_branch(tmp_path: Path) -> None:
    remote = make_remote(tmp_path / "remote.git")
    seed = make_repo(tmp_path / "seed")
    git(seed, "push", "-q", str(remote), "main:refs/heads/old")
    empty = make_repo(tmp_path / "empty", commit=False)
    git(empty, "remote", "add", "origin", str(remote))
    install_hook(hooks_dir(empty), "pre-push")
    deleted = push(empty, "origin", ":refs/heads/old")
    assert deleted.returncode == 0, deleted.stderr
    assert remote_sha(remote, "refs/heads/old") is None


def test_empty_repository_with_an_object_it_does_not_have(tmp_path: Path) -> None:
    empty = make_repo(tmp_path / "empty", commit=False)
    result = run_hook(empty, MODULE, f"refs/heads/main {'1' * 40} refs/heads/main {Z}\n",
                      "origin", "url")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert f"object {'1' * 40} is not in the repository" in result.stderr


@pytest.mark.parametrize("stdin", [
    "garbage\n",
    f"refs/heads/main {'x' * 40} refs/heads/main {Z}\n",
    f"refs/heads/main {'a' * 40} main {Z}\n",
])
def test_malformed_stdin_is_one_line_and_exit_2(repo: Path, stdin: str) -> None:
    result = run_hook(repo, MODULE, stdin, "origin", "url")
    assert result.returncode == 2
    assert result.stderr.startswith("hotfix-gate pre-push: error: stdin line 1: ")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_outside_a_repository_is_one_line(tmp_path: Path) -> None:
    result = run_hook(tmp_path, MODULE, f"refs/heads/main {'a' * 40} refs/heads/main {Z}\n")
    assert result.returncode == 2 and "not a git repository" in result.stderr
    assert result.stderr.count("\n") == 1


def test_same_commit_to_two_protected_branches_is_judged_once(repo: Path) -> None:
    write_record(repo, 1, "database-pool")
    tip = commit_all(repo, "record")
    lines = (f"refs/heads/main {tip} refs/heads/main {Z}\n"
             f"refs/heads/main {tip} refs/heads/release/1 {Z}\n")
    result = run_hook(repo, MODULE, lines, "origin", "url")
    assert result.returncode == 1
    assert result.stderr.count("HG101 severity") == 1
    assert ("hotfix-gate pre-push to release/1: blocked: the same findings as for main above"
            in result.stderr)


# ---------------------------------------------------------------- pre-commit

def test_pre_commit_variables_are_used_instead_of_stdin(repo: Path) -> None:
    good = sha(repo)
    write_record(repo, 1, "database-pool")
    bad = commit_all(repo, "unassessed")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_FROM_REF": good, "PRE_COMMIT_TO_REF": bad,
           "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/main", "PRE_COMMIT_LOCAL_BRANCH":
           "refs/heads/main", "PRE_COMMIT_REMOTE_NAME": "origin"}
    # stdin names a harmless push; pre-commit has already read git's lines
    harmless = f"refs/heads/x {good} refs/heads/feature {Z}\n"
    result = run_hook(repo, MODULE, harmless, **env)  # pre-commit passes no arguments
    assert result.returncode == 1 and "pre-push to main: blocked" in result.stderr

    env["PRE_COMMIT_REMOTE_BRANCH"] = "refs/heads/feature"
    assert run_hook(repo, MODULE, "", **env).returncode == 0


def test_raw_hook_reads_git_lines_even_with_pre_commit_variables_set(repo: Path) -> None:
    # git gives the raw hook the remote and URL: its stdin decides, whatever
    # PRE_COMMIT* a parent process left in the environment.
    good = sha(repo)
    write_record(repo, 1, "database-pool")
    bad = commit_all(repo, "unassessed")
    lines = f"refs/heads/main {bad} refs/heads/main {good}\n"
    for env in ({"PRE_COMMIT": "1"}, {"PRE_COMMIT": "1", "PRE_COMMIT_TO_REF": good,
                                      "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/feature"}):
        result = run_hook(repo, MODULE, lines, "origin", "url", **env)
        assert result.returncode == 1 and "pre-push to main: blocked" in result.stderr


def test_pre_commit_without_to_ref_uses_the_local_branch(repo: Path) -> None:
    write_record(repo, 1, "database-pool")
    commit_all(repo, "unassessed")
    env = {"PRE_COMMIT": "1", "PRE_COMMIT_REMOTE_BRANCH": "refs/heads/hotfix/001-database-pool",
           "PRE_COMMIT_LOCAL_BRANCH": "refs/heads/main"}
    result = run_hook(repo, MODULE, "", **env)
    assert result.returncode == 1 and "HG101 severity" in result.stderr


def test_pre_commit_by_hand_judges_head_strictly(repo: Path) -> None:
    write_record(repo, 1, "database-pool", severity="P0")
    commit_all(repo, "no rollback plan")
    # `pre-commit run --hook-stage pre-push` from a terminal: no refs at all
    result = run_hook(repo, MODULE, "", **{"PRE_COMMIT": "1"})
    assert result.returncode == 1 and "HG102 rollback-plan" in result.stderr


# --------------------------------------------------------------- quick path

PROBE = ("import sys\nfrom hotfix_gates.hooks import pre_push\ncode = pre_push.main([])\n"
         "print(code, 'pygit2' in sys.modules, 'yaml' in sys.modules, 'click' in sys.modules)")


def _probe(repo: Path, stdin: str) -> str:
    """Exit code, then whether pygit2, yaml and click were loaded."""
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=repo, input=stdin,
                            capture_output=True, text=True, env=clean_env(), timeout=60)
    assert "Traceback" not in result.stderr
    return result.stdout.strip()


def test_pushes_that_need_no_judging_do_not_load_pygit2(repo: Path) -> None:
    write_record(repo, 1, "database-pool")  # would block a push to main
    tip = commit_all(repo, "record")
    for line in (f"refs/heads/main {tip} refs/heads/feature/x {Z}",
                 f"refs/heads/main {tip} refs/heads/feature/x {'b' * 40}",
                 f"(delete) {Z} refs/heads/main {tip}",
                 f"refs/tags/v1 {tip} refs/tags/v1 {Z}",
                 f"refs/heads/main {tip} refs/notes/commits {Z}"):
        assert _probe(repo, line + "\n") == "0 False False False", line
    assert _probe(repo, "") == "0 False False False"
    # a push to main does need pygit2, and is blocked
    assert _probe(repo, f"refs/heads/main {tip} refs/heads/main {Z}\n").startswith("1 True")


def test_quick_path_reads_the_configuration_of_the_pushed_commit(repo: Path) -> None:
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [develop, 'stable/*']\n")
    write_record(repo, 1, "database-pool")
    tip = commit_all(repo, "configured")
    git(repo, "gc", "-q")  # packed objects: git reads them for the quick path
    feature = f"refs/heads/x {tip} refs/heads/feature/x {Z}\n"
    assert _probe(repo, feature) == "0 False True False"  # parsed once with yaml,
    assert _probe(repo, feature) == "0 False False False"  # then kept by blob id
    assert _probe(repo, f"refs/heads/x {tip} refs/heads/stable/2 {Z}\n") == "1 True True False"
    # main is protected by default, so pygit2 reads the configuration that unprotects it;
    # the full check kept it by blob id in the parse cache, so YAML is not loaded again
    assert _probe(repo, f"refs/heads/main {tip} refs/heads/main {Z}\n") == "0 True False False"


def test_many_refs_to_a_few_commits(repo: Path) -> None:
    plain = sha(repo)
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [develop]\n")
    write_record(repo, 1, "database-pool")  # unready
    configured = commit_all(repo, "develop is protected")
    (repo / "NOTES.md").write_text("more\n")
    later = commit_all(repo, "later")
    lines = "".join(f"refs/heads/x {(plain, configured, later)[n % 3]} refs/heads/feature/{n} {Z}\n"
                    for n in range(3000))
    assert _probe(repo, lines) == "0 False True False"
    # one more ref: a configured commit to the branch its configuration protects
    blocked = lines + f"refs/heads/x {later} refs/heads/develop {Z}\n"
    result = run_hook(repo, MODULE, blocked, "origin", "url")
    assert result.returncode == 1 and "pre-push to develop: blocked" in result.stderr


def test_a_symlinked_configuration_in_the_pushed_commit_is_followed(repo: Path) -> None:
    # The link's own text reads as a configuration that protects nothing; the
    # file it names protects develop. The push must be judged by the file.
    decoy = "protected_branches: [nothing]"
    (repo / decoy).write_text("protected_branches: [develop]\n")
    (repo / ".hotfix-gates.yaml").symlink_to(decoy)
    write_record(repo, 1, "database-pool")
    tip = commit_all(repo, "configured through a link")
    assert _probe(repo, f"refs/heads/x {tip} refs/heads/develop {Z}\n").startswith("1 True")
    result = run_hook(repo, MODULE, f"refs/heads/x {tip} refs/heads/develop {Z}\n",
                      "origin", "url")
    assert result.returncode == 1 and "pre-push to develop: blocked" in result.stderr


def test_what_the_quick_path_cannot_read_goes_to_the_full_check(repo: Path) -> None:
    (repo / ".hotfix-gates.yaml").mkdir()
    (repo / ".hotfix-gates.yaml" / "inside").write_text("x\n")
    folder = commit_all(repo, "a folder where the configuration goes")
    result = run_hook(repo, MODULE, f"refs/heads/x {folder} refs/heads/feature/x {Z}\n",
                      "origin", "url")
    assert result.returncode == 2 and ".hotfix-gates.yaml" in result.stderr
    tree = git(repo, "rev-parse", "HEAD^{tree}").stdout.strip()
    result = run_hook(repo, MODULE, f"refs/heads/x {tree} refs/heads/feature/x {Z}\n",
                      "origin", "url")
    assert result.returncode == 2 and "is a tree, not a commit" in result.stderr


def test_a_feature_branch_push_in_a_sha256_repository(tmp_path: Path) -> None:
    repo = tmp_path / "sha256"
    git(tmp_path, "init", "-q", "--object-format=sha256", "-b", "main", str(repo))
    (repo / ".hotfix-gates.yaml").write_text("protected_branches: [develop]\n")
    tip = commit_all(repo, "first")
    zero = "0" * 64
    assert _probe(repo, f"refs/heads/x {tip} refs/heads/feature/x {zero}\n") == \
        "0 False True False"
    result = run_hook(repo, MODULE, f"refs/heads/x {tip} refs/heads/develop {zero}\n",
                      "origin", "url")
    assert result.returncode == 2 and result.stderr.count("\n") == 1  # pygit2 reads SHA-1 only


def test_a_bad_clock_is_one_line(repo: Path) -> None:
    write_record(repo, 1, "database-pool")
    tip = commit_all(repo, "record")
    result = run_hook(repo, MODULE, f"refs/heads/main {tip} refs/heads/main {Z}\n",
                      now="next tuesday")
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "HOTFIX_GATE_NOW" in result.stderr
