"""`hotfix-gate ci github|gitlab` beyond the platforms' own runs: a full
clone stays full, and what cannot be done is one line and exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.ci_runners import NOW, PR, make_review_origin
from testing.repos import clean_env, git, run_gate


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ci")
    origin = make_review_origin(root)
    work = root / "full"
    git(root, "clone", "-q", "--branch", PR, str(origin), str(work))
    return work


def ci(clone: Path, *args: str, **env: str) -> tuple[int, str, str]:
    result = run_gate(clone, "ci", *args, env=clean_env(HOTFIX_GATE_NOW=NOW, **env))
    return result.returncode, result.stdout, result.stderr


def test_a_full_clone_is_not_made_shallow(clone: Path) -> None:
    code, out, err = ci(clone, "github", "--base", "refs/heads/main")
    assert code == 1 and err == "" and "::error file=specs/hotfix/002-cache/hotfix.md" in out
    assert git(clone, "rev-parse", "--is-shallow-repository").stdout.strip() == "false"


def test_github_outside_actions_writes_no_files(clone: Path) -> None:
    """No $GITHUB_OUTPUT or $GITHUB_STEP_SUMMARY: the annotations only."""
    code, out, _ = ci(clone, "github", GITHUB_BASE_REF="main")
    assert code == 1 and out.splitlines()[-1].startswith("hotfix-gate: blocked:")


@pytest.mark.parametrize(("args", "said"), [
    (("github", "--base", "main..x"), "--base 'main..x' is not a branch name"),
    (("gitlab",), "which base branch? $CI_MERGE_REQUEST_TARGET_BRANCH_NAME is empty"),
    (("gitlab", "--base", "main", "--junit", "no/such/dir/junit.xml"),
     "cannot write the junit report no/such/dir/junit.xml: No such file or directory"),
    (("github", "--base", "main", "--config", "ci/none.yaml"), "ci/none.yaml (refs/remotes/"),
])
def test_what_cannot_be_done_is_one_line(clone: Path, args: tuple[str, ...], said: str) -> None:
    code, out, err = ci(clone, *args)
    assert (code, out) == (2, "") and err.count("\n") == 1 and said in err, err
