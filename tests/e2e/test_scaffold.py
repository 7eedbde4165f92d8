"""`hotfix-gate new` on real repositories: the record, numbering, the branch,
refusals, template overrides, hostile descriptions, concurrency, the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pygit2
import pytest
import yaml

from hotfix_gates import cli
from hotfix_gates.commands.new import create_record
from hotfix_gates.editing.locks import NEW_LOCK as LOCK_NAME
from hotfix_gates.editing.templates import MAX_TITLE, TEMPLATE_FILES, clean_title, render
from hotfix_gates.model.constants import POST_MORTEM_SECTIONS
from hotfix_gates.model.errors import ToolError
from hotfix_gates.parsing.hotfix import parse_hotfix, parse_post_mortem, split_front_matter
from hotfix_gates.parsing.markdown import find_section, has_content, split_sections
from testing.repos import GIT_ENV, clean_env, git, make_repo, run_gate

NOW = "2025-10-01T14:32:18Z"
DESCRIPTION = "database connection pool exhausted causing 503 errors"
FIRST = "specs/hotfix/001-database-connection-pool"
ROOT = Path(__file__).resolve().parents[2]
KEYS = ["id", "title", "branch", "severity", "status", "incident_start", "detected_at",
        "deployed_at", "resolved_at", "rollback_plan", "reviewed_by", "regression_tests"]


@dataclass
class Result:
    code: int
    out: str
    err: str


Runner = Callable[..., Result]


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith(("GIT_", "HOTFIX_GATE", "SPECIFY_", "PRE_COMMIT")):
            monkeypatch.delenv(name)
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("HOTFIX_GATE_NOW", NOW)


@pytest.fixture
def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Runner:
    """`hotfix-gate ARGS` in-process, started in `cwd`."""
    def call(cwd: Path, *args: str) -> Result:
        capsys.readouterr()
        monkeypatch.chdir(cwd)
        code = cli.main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)
    return call


def front(path: Path) -> dict[str, object]:
    block = split_front_matter(path.read_text("utf-8"))
    values = yaml.safe_load(block.yaml_text)
    assert isinstance(values, dict)
    return values


def head_ref(repo: Path) -> str:
    return git(repo, "symbolic-ref", "-q", "HEAD", check=False).stdout.strip()


def rev(repo: Path, name: str) -> str:
    return git(repo, "rev-parse", "--verify", "-q", name, check=False).stdout.strip()


def without_clock_note(err: str) -> str:
    """stderr without the line saying HOTFIX_GATE_NOW stands in for the clock."""
    return "".join(line for line in err.splitlines(keepends=True)
                   if not line.startswith("hotfix-gate: note: HOTFIX_GATE_NOW="))


def one_line_error(result: Result) -> str:
    assert result.code == 2, result
    assert result.out == ""
    lines = without_clock_note(result.err).strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hotfix-gate: error: "), result.err
    assert "Traceback" not in result.err
    return lines[0]


# --- the record -------------------------------------------------------------------

def test_fresh_record_keeps_uncommitted_work(repo: Path, run: Runner) -> None:
    (repo / "app.py").write_text("print('v1')\n")
    git(repo, "add", "app.py")
    git(repo, "commit", "-q", "-m", "app")
    head = rev(repo, "HEAD")
    (repo / "app.py").write_text("print('staged')\n")
    git(repo, "add", "app.py")
    (repo / "app.py").write_text("print('unstaged on top')\n")
    (repo / "README.md").write_text("edited, not staged\n")
    (repo / "scratch.txt").write_text("untracked\n")
    staged, unstaged = git(repo, "diff", "--cached").stdout, git(repo, "diff").stdout
    index_before = (repo / ".git/index").read_bytes()

    result = run(repo, "new", DESCRIPTION)

    assert result.code == 0, result
    folder = repo / FIRST
    assert sorted(p.name for p in folder.iterdir()) == sorted(TEMPLATE_FILES)
    assert head_ref(repo) == "refs/heads/hotfix/001-database-connection-pool"
    assert rev(repo, "HEAD") == head == rev(repo, "main")
    assert (repo / ".git/index").read_bytes() == index_before
    assert git(repo, "diff", "--cached").stdout == staged
    assert git(repo, "diff").stdout == unstaged
    assert (repo / "app.py").read_text() == "print('unstaged on top')\n"
    assert (repo / "scratch.txt").read_text() == "untracked\n"
    assert not (repo / ".git" / LOCK_NAME).exists()
    # the next steps name the workflow's commands
    for command in ("hotfix-gate set severity", "hotfix-gate set rollback-plan",
                    "hotfix-gate deployed", "hotfix-gate resolved", "hotfix-gate check"):
        assert command in result.out
    assert "48 hours" in result.out and "hotfix-001" in result.out


def test_hotfix_md_front_matter_and_body(repo: Path, run: Runner) -> None:
    assert run(repo, "new", DESCRIPTION).code == 0
    hotfix = repo / FIRST / "hotfix.md"
    values = front(hotfix)
    assert list(values) == KEYS
    assert values == {
        "id": "hotfix-001", "title": DESCRIPTION,
        "branch": "hotfix/001-database-connection-pool", "severity": None,
        "status": "investigating", "incident_start": datetime(2025, 10, 1, 14, 32, 18, tzinfo=UTC),
        "detected_at": None, "deployed_at": None, "resolved_at": None, "rollback_plan": None,
        "reviewed_by": None, "regression_tests": [],
    }
    text = hotfix.read_text()
    assert "\nregression_tests: []\n" in text  # the literal the demo and people edit
    record, findings = parse_hotfix(f"{FIRST}/hotfix.md", FIRST, text.encode())
    assert findings == [] and record.rollback_plan is None
    sections = split_sections(record.body, record.body_line)
    for title in ("Timeline", "Impact", "Root Cause (quick)", "Rollback Plan",
                  "Deployment Log"):
        assert find_section(sections, title) is not None, title
    rollback = find_section(sections, "Rollback Plan")
    assert rollback is not None and not has_content(rollback.text)
    timeline = find_section(sections, "Timeline")
    assert timeline is not None
    assert "| Time (UTC) | Event |\n| --- | --- |\n| 2025-10-01T14:32:18Z | Hotfix opened |" \
        in timeline.text


def test_post_mortem_plan_tasks_reminder(repo: Path, run: Runner) -> None:
    (repo / ".hotfix-gates.yaml").write_text("deadlines: {post-mortem: 72h, regression-test: 1d}\n")
    assert run(repo, "new", DESCRIPTION).code == 0
    folder = repo / FIRST
    post_path = folder / "post-mortem.md"
    assert front(post_path)["status"] == "draft"
    post, problem, _ = parse_post_mortem(f"{FIRST}/post-mortem.md", post_path.read_bytes())
    assert post is not None and problem is None
    for name in POST_MORTEM_SECTIONS:
        assert name.lower() in post.sections, name
        assert not post.is_filled(name), name  # guidance is not content
    assert "- [ ]" in post.sections["action items"].text
    plan = (folder / "plan.md").read_text()
    assert plan.index("Roll back first") < plan.index("Smallest safe fix")
    tasks = (folder / "tasks.md").read_text()
    assert "- [ ] Assess severity" in tasks and "hotfix/001-database-connection-pool" in tasks
    reminder = (folder / "POST_MORTEM_REMINDER.txt").read_text()
    assert "hotfix-001" in reminder and NOW in reminder
    assert "72-hour rule" in reminder and "within 72 hours" in reminder
    assert "within 24 hours" in reminder  # the regression-test deadline
    for name in TEMPLATE_FILES:
        assert "{{" not in (folder / name).read_text(), name


def test_severity_and_start_time_flags(repo: Path, run: Runner) -> None:
    result = run(repo, "new", "--severity", "p0", "--at", "2025-10-01T13:05:00",
                 "checkout", "down")
    assert result.code == 0, result
    values = front(repo / "specs/hotfix/001-checkout-down/hotfix.md")
    assert values["severity"] == "P0"
    assert values["incident_start"] == datetime(2025, 10, 1, 13, 5, tzinfo=UTC)
    bad = run(repo, "new", "--severity", "P3", "x")
    assert bad.code == 2 and "P3" in bad.err
    assert "--at" in one_line_error(run(repo, "new", "--at", "yesterday", "x"))


def test_fresh_record_blocks_on_severity_and_rollback_plan_only(repo: Path,
                                                                run: Runner) -> None:
    assert run(repo, "new", DESCRIPTION).code == 0
    result = run(repo, "check", "--format", "json")
    assert result.code == 1
    findings = json.loads(result.out)["findings"]
    assert sorted(f["code"] for f in findings) == ["HG101", "HG102"]
    assert all(f["path"] == f"{FIRST}/hotfix.md" for f in findings)


def test_record_through_its_life(repo: Path, run: Runner) -> None:
    """The templates work with the lifecycle commands and the deadline gates."""
    assert run(repo, "new", DESCRIPTION).code == 0
    for args in (["set", "severity", "P0"], ["set", "rollback-plan", "git revert the fix"],
                 ["log", "pool size raised"], ["deployed", "--at", "2025-10-01T14:35:00Z"],
                 ["resolved", "--at", "2025-10-01T14:36:00Z"]):
        assert run(repo, *args).code == 0, args
    hotfix = (repo / FIRST / "hotfix.md").read_text()
    assert ("| 2025-10-01T14:32:18Z | Hotfix opened |\n"
            "| 2025-10-01T14:32:18Z | pool size raised |\n") in hotfix
    assert run(repo, "check", "--now", "2025-10-03T14:30:00Z").code == 0  # 47 h
    late = run(repo, "check", "--now", "2025-10-03T16:30:00Z", "--format", "json")  # 49 h
    assert late.code == 1
    codes = [f["code"] for f in json.loads(late.out)["findings"]]
    assert set(codes) == {"HG201", "HG202"}
    assert codes.count("HG201") == 1  # one line naming every unwritten section
    [post] = [f for f in json.loads(late.out)["findings"] if f["code"] == "HG201"]
    assert all(name in post["message"] for name in POST_MORTEM_SECTIONS)


# --- numbering --------------------------------------------------------------------

def test_one_sequence_across_workflows_and_branches(repo: Path, run: Runner) -> None:
    for folder in ("specs/001-feature", "specs/bugfix/004-x", "specs/hotfix-002-old"):
        (repo / folder).mkdir(parents=True)
        (repo / folder / "spec.md").write_text("# spec\n")
    git(repo, "branch", "005-top-level")
    git(repo, "update-ref", "refs/remotes/origin/feature/007-y", rev(repo, "HEAD"))
    first = run(repo, "new", "--json", "pool exhausted")
    assert first.code == 0, first
    assert json.loads(first.out)["number"] == 8
    assert (repo / "specs/hotfix/008-pool-exhausted/hotfix.md").is_file()
    # the branch just made and the folder just written both count
    second = run(repo, "new", "--json", "--no-branch", "cache stampede")
    assert json.loads(second.out)["id"] == "hotfix-009"
    git(repo, "branch", "feature/012-z")
    assert json.loads(run(repo, "new", "--json", "dns failure").out)["number"] == 13


def test_numbers_grow_past_999(repo: Path, run: Runner) -> None:
    (repo / "specs/hotfix/999-last-small").mkdir(parents=True)
    result = run(repo, "new", "--json", "queue stuck")
    data = json.loads(result.out)
    assert (data["id"], data["branch"]) == ("hotfix-1000", "hotfix/1000-queue-stuck")
    assert front(repo / "specs/hotfix/1000-queue-stuck/hotfix.md")["id"] == "hotfix-1000"
    assert json.loads(run(repo, "new", "--json", "more").out)["id"] == "hotfix-1001"


def test_configured_specs_dir(repo: Path, run: Runner) -> None:
    (repo / ".hotfix-gates.yaml").write_text("specs_dir: ops/incidents\n")
    (repo / "specs/003-feature").mkdir(parents=True)
    result = run(repo, "new", "--json", "--no-branch", DESCRIPTION)
    data = json.loads(result.out)
    assert data["dir"] == str(repo.resolve() / "ops/incidents/004-database-connection-pool")
    assert run(repo, "check").code == 1  # the record is where check looks


# --- output for scripts ----------------------------------------------------------

def test_json_output(repo: Path, run: Runner) -> None:
    result = run(repo, "new", "--json", "--severity", "P1", DESCRIPTION)
    assert result.code == 0
    assert without_clock_note(result.err).splitlines()[-1] == (
        f"  git add -- {FIRST}/ && git commit -m 'hotfix-001: open the record: "
        f"{DESCRIPTION}' -- {FIRST}/")  # on stderr: stdout is the JSON alone
    data = json.loads(result.out)
    directory = repo.resolve() / FIRST
    assert data == {
        "id": "hotfix-001", "number": 1, "title": DESCRIPTION, "severity": "P1",
        "branch": "hotfix/001-database-connection-pool", "branch_created": True,
        "dir": str(directory), "files": [str(directory / n) for n in TEMPLATE_FILES],
        "incident_start": NOW,
        "HOTFIX_ID": "hotfix-001", "HOTFIX_NUM": "001",
        "BRANCH_NAME": "hotfix/001-database-connection-pool",
        "HOTFIX_FILE": str(directory / "hotfix.md"),
        "POSTMORTEM_FILE": str(directory / "post-mortem.md"),
        "TIMESTAMP": "2025-10-01 14:32:18 UTC",
    }
    assert all(Path(f).is_file() for f in data["files"])


def test_json_speaks_the_speckit_script_names(repo: Path, run: Runner) -> None:
    """The spec-kit hotfix command reads these keys from its script's output:
    absolute paths that exist, and the start time in UTC in the script's form."""
    result = run(repo, "new", "--json", "--at", "2025-10-01T16:32:18+02:00", "queue stuck")
    data = json.loads(result.out)
    assert data["TIMESTAMP"] == "2025-10-01 14:32:18 UTC"
    assert data["incident_start"] == "2025-10-01T14:32:18Z"
    for key in ("HOTFIX_FILE", "POSTMORTEM_FILE"):
        path = Path(data[key])
        assert path.is_absolute() and path.is_file() and path.parent == Path(data["dir"])
    assert data["HOTFIX_ID"] == data["id"] and data["BRANCH_NAME"] == data["branch"]


def test_shell_output_evals_in_bash(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "it's a $repo")
    script = (f'eval "$({sys.executable} -m hotfix_gates.cli new --shell {DESCRIPTION})" && '
              'printf "%s\\n%s\\n" "$SPECIFY_HOTFIX" "$HOTFIX_DIR"')
    result = subprocess.run(["bash", "-c", script], cwd=repo, capture_output=True, text=True,
                            env=clean_env(HOTFIX_GATE_NOW=NOW, PYTHONPATH=str(ROOT)),
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["hotfix-001", str(repo.resolve() / FIRST)]


def test_no_branch(repo: Path, run: Runner) -> None:
    result = run(repo, "new", "--no-branch", DESCRIPTION)
    assert result.code == 0
    assert head_ref(repo) == "refs/heads/main"
    assert rev(repo, "hotfix/001-database-connection-pool") == ""
    assert "not created" in result.out
    assert front(repo / FIRST / "hotfix.md")["branch"] == "hotfix/001-database-connection-pool"


# --- odd repositories ------------------------------------------------------------

def test_unborn_repository(tmp_path: Path, run: Runner) -> None:
    repo = make_repo(tmp_path / "empty", commit=False)
    (repo / "wip.txt").write_text("not committed yet\n")
    git(repo, "add", "wip.txt")
    result = run(repo, "new", DESCRIPTION)
    assert result.code == 0, result
    assert head_ref(repo) == "refs/heads/hotfix/001-database-connection-pool"
    assert pygit2.Repository(str(repo)).head_is_unborn
    assert "wip.txt" in git(repo, "diff", "--cached", "--name-only").stdout
    git(repo, "commit", "-q", "-m", "first")
    assert git(repo, "branch", "--show-current").stdout.strip() == \
        "hotfix/001-database-connection-pool"


def test_detached_head(repo: Path, run: Runner) -> None:
    first = rev(repo, "HEAD")
    (repo / "x.txt").write_text("x\n")
    git(repo, "add", "x.txt")
    git(repo, "commit", "-q", "-m", "second")
    git(repo, "checkout", "-q", "--detach", first)
    (repo / "README.md").write_text("dirty\n")
    assert run(repo, "new", DESCRIPTION).code == 0
    assert head_ref(repo) == "refs/heads/hotfix/001-database-connection-pool"
    assert rev(repo, "HEAD") == first
    assert (repo / "README.md").read_text() == "dirty\n"


def test_from_a_subfolder_and_a_linked_worktree(repo: Path, run: Runner) -> None:
    (repo / "src/deep").mkdir(parents=True)
    other = repo.parent / "other-worktree"
    git(repo, "worktree", "add", "-q", "-b", "work", str(other))
    assert run(repo / "src/deep", "new", "queue stalls").code == 0
    assert (repo / "specs/hotfix/001-queue-stalls/hotfix.md").is_file()
    result = run(other, "new", "--json", "in worktree")
    assert result.code == 0, result
    # the other worktree cannot see the folder, but it sees the branch
    assert json.loads(result.out)["number"] == 2
    assert (other / "specs/hotfix/002-worktree/hotfix.md").is_file()
    assert git(other, "branch", "--show-current").stdout.strip() == "hotfix/002-worktree"
    assert git(repo, "branch", "--show-current").stdout.strip() == "hotfix/001-queue-stalls"
    assert not (repo / ".git" / LOCK_NAME).exists()


def test_outside_a_repository(tmp_path: Path) -> None:
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    result = run_gate(outside, "new", DESCRIPTION,
                      env=clean_env(GIT_CEILING_DIRECTORIES=str(tmp_path)))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert "not a git repository" in result.stderr
    assert list(outside.iterdir()) == []


def test_bare_repository(tmp_path: Path, run: Runner) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    assert "bare repository" in one_line_error(run(bare, "new", DESCRIPTION))


def test_bad_configuration_is_one_line(repo: Path, run: Runner) -> None:
    (repo / ".hotfix-gates.yaml").write_text("specs_dri: x\n")
    assert ".hotfix-gates.yaml:1" in one_line_error(run(repo, "new", DESCRIPTION))
    assert not (repo / "specs").exists()


def test_empty_description_is_refused(repo: Path, run: Runner) -> None:
    assert "description is empty" in one_line_error(run(repo, "new", " \n\u200b "))
    assert run(repo, "new").code == 2
    assert not (repo / "specs").exists()


# --- never overwrite ------------------------------------------------------------------

def test_existing_folder_is_never_overwritten(repo: Path) -> None:
    folder = repo / FIRST
    folder.mkdir(parents=True)
    (folder / "hotfix.md").write_text("someone's notes\n")
    with pytest.raises(ToolError, match=f"{FIRST} already exists"):
        create_record(pygit2.Repository(str(repo)), DESCRIPTION, started=datetime.now(UTC),
                      number=1, make_branch=False)
    assert (folder / "hotfix.md").read_text() == "someone's notes\n"
    assert [p.name for p in folder.iterdir()] == ["hotfix.md"]


def test_a_file_in_the_way_is_refused(repo: Path, run: Runner) -> None:
    blocker = repo / FIRST
    blocker.parent.mkdir(parents=True)
    blocker.write_text("a file where the record folder would go\n")
    message = one_line_error(run(repo, "new", DESCRIPTION))
    assert FIRST in message and "already exists" in message
    assert blocker.read_text() == "a file where the record folder would go\n"
    assert head_ref(repo) == "refs/heads/main"
    assert rev(repo, "hotfix/001-database-connection-pool") == ""


def test_existing_branch_is_never_overwritten(repo: Path) -> None:
    main = rev(repo, "HEAD")
    git(repo, "checkout", "-q", "-b", "hotfix/001-database-connection-pool")
    (repo / "fix.txt").write_text("work\n")
    git(repo, "add", "fix.txt")
    git(repo, "commit", "-q", "-m", "work on the branch")
    tip = rev(repo, "HEAD")
    git(repo, "checkout", "-q", "main")
    with pytest.raises(ToolError, match="branch hotfix/001-database-connection-pool already"):
        create_record(pygit2.Repository(str(repo)), DESCRIPTION, started=datetime.now(UTC),
                      number=1)
    assert rev(repo, "hotfix/001-database-connection-pool") == tip != main
    assert head_ref(repo) == "refs/heads/main"
    assert not (repo / "specs").exists()


def test_branch_name_clash_with_a_branch_called_hotfix(repo: Path, run: Runner) -> None:
    git(repo, "branch", "hotfix")
    message = one_line_error(run(repo, "new", DESCRIPTION))
    assert "branch hotfix exists" in message and "--no-branch" in message
    assert not (repo / "specs").exists()
    assert run(repo, "new", "--no-branch", DESCRIPTION).code == 0


def test_busy_head_takes_everything_back(repo: Path, run: Runner) -> None:
    (repo / "specs/001-feature").mkdir(parents=True)
    (repo / ".git/HEAD.lock").write_text("git is busy\n")
    message = one_line_error(run(repo, "new", DESCRIPTION))
    assert "cannot switch to branch hotfix/002-database-connection-pool" in message
    assert rev(repo, "hotfix/002-database-connection-pool") == ""
    assert sorted(p.name for p in (repo / "specs").iterdir()) == ["001-feature"]
    assert head_ref(repo) == "refs/heads/main"
    (repo / ".git/HEAD.lock").unlink()
    assert run(repo, "new", DESCRIPTION).code == 0  # the same number, once git is free
    assert (repo / "specs/hotfix/002-database-connection-pool/hotfix.md").is_file()


def test_specs_dir_that_is_a_symlink_is_refused(repo: Path, run: Runner) -> None:
    elsewhere = repo.parent / "elsewhere"
    elsewhere.mkdir()
    (repo / "specs").symlink_to(elsewhere)
    assert "specs is a symlink" in one_line_error(run(repo, "new", DESCRIPTION))
    assert list(elsewhere.iterdir()) == []


# --- templates ---------------------------------------------------------------------

def _override(repo: Path, name: str, text: str) -> None:
    folder = repo / ".specify/templates/hotfix"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(textwrap.dedent(text))


def test_template_override(repo: Path, run: Runner) -> None:
    _override(repo, "plan.md", "# Our plan for {{id}} ({{title}}), unknown {{nope}} kept\n")
    _override(repo, "hotfix.md", """\
        ---
        id: {{id}}
        title: {{title}}
        branch: {{branch}}
        severity: {{severity}}
        status: investigating
        incident_start: {{incident_start}}
        team: payments
        ---
        # {{id}} for the payments team

        ## Rollback Plan
        Flip the `new_pool` flag off in the admin console.
        """)
    assert run(repo, "new", "--severity", "P2", DESCRIPTION).code == 0
    folder = repo / FIRST
    assert (folder / "plan.md").read_text() == (
        f"# Our plan for hotfix-001 ({DESCRIPTION}), unknown {{{{nope}}}} kept\n")
    values = front(folder / "hotfix.md")
    assert values["team"] == "payments" and values["severity"] == "P2"
    assert "Roll back first" not in (folder / "tasks.md").read_text()  # built-in tasks.md
    assert "- [ ] Assess severity" in (folder / "tasks.md").read_text()
    result = run(repo, "check", "--format", "json")
    assert [f["code"] for f in json.loads(result.out)["findings"]] == ["HG103"]  # a warning


@pytest.mark.parametrize(("template", "complaint"), [
    # quoting the placeholder breaks on a title that YAML must quote (a colon)
    ('---\nid: {{id}}\ntitle: "{{title}}"\nbranch: {{branch}}\nseverity: {{severity}}\n'
     "status: investigating\nincident_start: {{incident_start}}\n---\n", "gives title"),
    ("---\nid: {{id}}\ntitle: {{title}}\nbranch: {{branch}}\nseverity: P0\n"
     "status: investigating\nincident_start: {{incident_start}}\n---\n", "gives severity"),
    ("---\nid: {{id}}\ntitle: [unclosed\n---\n", "line 3"),
    ("# no front matter at all\n", "no front matter"),
    ("---\nid: {{id}}\n", "never closed"),
])
def test_broken_override_is_refused(repo: Path, run: Runner, template: str,
                                    complaint: str) -> None:
    _override(repo, "hotfix.md", template)
    message = one_line_error(run(repo, "new", "pool: exhausted"))
    assert "template .specify/templates/hotfix/hotfix.md" in message
    assert complaint in message
    assert not (repo / "specs").exists()
    assert head_ref(repo) == "refs/heads/main"


def test_override_that_is_not_utf8(repo: Path, run: Runner) -> None:
    _override(repo, "tasks.md", "x")
    (repo / ".specify/templates/hotfix/tasks.md").write_bytes(b"\xff\xfe tasks")
    message = one_line_error(run(repo, "new", DESCRIPTION))
    assert ".specify/templates/hotfix/tasks.md" in message and "UTF-8" in message


# --- hostile descriptions ----------------------------------------------------------

HOSTILE = [
    "pool exhausted\nseverity: P0",
    "---",
    "x\n---\nid: hotfix-999\nstatus: closed\n---",
    "title: injected\nrollback_plan: none needed",
    "{{id}} {{severity}} <!-- comment opener",
    "--> closes a comment early",
    "'quoted' \"double\" [list] {map} #hash &anchor *alias !tag |pipe >fold %pct @at `tick`",
    "null", "~", "yes", "123", "1e3", "2025-10-01", "- item", ": colon",
    "\u202egnp.exe\u202c trojan \u2066source\u2069",
    "tab\tbell\x07escape\x1b[31mred\x1b[0m\x00nul",
    "line\u2028separator\u2029paragraph\x85next\rcarriage",
    "🔥 prod is on fire 🔥",
    "قاعدة البيانات معطلة",
    "x" * 10_000,
]


def test_hostile_descriptions_cannot_change_the_record(repo: Path, run: Runner) -> None:
    for number, description in enumerate(HOSTILE, start=1):
        result = run(repo, "new", "--json", "--no-branch", "--anyway", "--", description)
        assert result.code == 0, (description, result)
        data = json.loads(result.out)
        folder = Path(str(data["dir"]))
        values = front(folder / "hotfix.md")
        title = clean_title(description)
        assert list(values) == KEYS, description
        assert values["id"] == f"hotfix-{number:03d}", description
        assert values["title"] == title == data["title"], description
        assert values["severity"] is None and values["status"] == "investigating"
        assert values["rollback_plan"] is None
        assert "\n" not in title and len(title) <= MAX_TITLE + 1
        assert not any(ch in title for ch in "\x00\x07\x1b\u202e\u2066\u2028\x85\r")
        record, findings = parse_hotfix("hotfix.md", folder.name, (folder / "hotfix.md")
                                        .read_bytes())
        assert findings == [] and record.title == title, description
    result = run(repo, "check", "--format", "json")
    codes = [f["code"] for f in json.loads(result.out)["findings"]]
    assert sorted(set(codes)) == ["HG101", "HG102"]
    assert len(codes) == 2 * len(HOSTILE)


def test_clean_title() -> None:
    assert clean_title("  a\n\tb  \r\n c ") == "a b c"
    assert clean_title("\u202eevil\u200b") == "evil"
    long = clean_title("word " * 100)
    assert len(long) <= MAX_TITLE + 1 and long.endswith("word…")


def test_render_fills_each_placeholder_once() -> None:
    template = "---\nt: {{title}}\nn: {{ number }}\n---\n# {{title}} {{other}}\n"
    out = render(template, {"title": "{{number}} --> x", "number": "007"})
    assert out == "---\nt: '{{number}} --> x'\nn: '007'\n---\n# {{number}} --&gt; x {{other}}\n"


# --- two at once ---------------------------------------------------------------------

STARTER = """
import sys, time
from hotfix_gates import cli  # noqa: F401
from hotfix_gates.commands import new as scaffold  # noqa: F401
from hotfix_gates.editing import numbering  # noqa: F401
from hotfix_gates.parsing import yamlread  # noqa: F401
from hotfix_gates.parsing import hotfix as parse  # noqa: F401
import pygit2, yaml  # noqa: F401
time.sleep(max(0.0, float(sys.argv[1]) - time.time()))
sys.exit(cli.main(sys.argv[2:]))
"""


def test_concurrent_new_get_different_numbers(repo: Path) -> None:
    env = clean_env(HOTFIX_GATE_NOW=NOW, PYTHONPATH=str(ROOT))
    start = time.time() + 1.5  # every process imported and waiting by then
    processes = [
        subprocess.Popen([sys.executable, "-c", STARTER, str(start), "new", "--json",
                          f"incident {name}"], cwd=repo, env=env, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
        for name in ("alpha", "bravo", "charlie", "delta")
    ]
    numbers = []
    for process in processes:
        out, err = process.communicate(timeout=60)
        if process.returncode == 0:
            numbers.append(json.loads(out)["number"])
        else:  # the only other outcome allowed: one clean refusal naming the lock
            assert process.returncode == 2 and LOCK_NAME in err and len(err.splitlines()) == 1
    assert len(numbers) >= 1 and len(set(numbers)) == len(numbers)
    folders = sorted(p.name[:3] for p in (repo / "specs/hotfix").iterdir())
    assert folders == sorted(f"{n:03d}" for n in numbers)
    branches = git(repo, "branch", "--list", "hotfix/*").stdout.split()
    assert len([b for b in branches if b.startswith("hotfix/")]) == len(numbers)
    assert not (repo / ".git" / LOCK_NAME).exists()


def test_a_held_lock_is_one_clean_refusal(repo: Path, run: Runner,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import fcntl

    import hotfix_gates.editing.locks as locks

    lock = repo / ".git" / LOCK_NAME
    monkeypatch.setattr(locks, "WAIT", 0.3)
    with lock.open("w") as holder:  # another `new` holding the lock
        fcntl.flock(holder, fcntl.LOCK_EX)
        began = time.monotonic()
        message = one_line_error(run(repo, "new", DESCRIPTION))
        assert 0.3 <= time.monotonic() - began < 5
        assert str(lock) in message and "another `hotfix-gate new`" in message
        assert lock.exists()  # someone else's lock is left alone
        assert not (repo / "specs").exists()
    assert run(repo, "new", DESCRIPTION).code == 0


# --- the wheel -----------------------------------------------------------------------

def test_wheel_ships_the_templates_and_scaffolds(wheel: Path, tmp_path: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for name in TEMPLATE_FILES:
        assert f"hotfix_gates/templates/{name}" in names, name
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    repo = make_repo(tmp_path / "service")
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from hotfix_gates import cli; "
             "assert cli.__file__.startswith(sys.argv[1]), cli.__file__; "
             "sys.exit(cli.main(sys.argv[2:]))")
    result = subprocess.run([sys.executable, "-c", probe, str(unpacked), "new", "--json",
                             DESCRIPTION], cwd=repo, capture_output=True, text=True,
                            env=clean_env(HOTFIX_GATE_NOW=NOW), timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    folder = Path(json.loads(result.stdout)["dir"])
    assert (folder / "POST_MORTEM_REMINDER.txt").read_text().startswith(
        "POST-MORTEM REMINDER: hotfix-001")


@pytest.mark.parametrize("operation", ["merge", "cherry-pick"])
def test_new_will_not_switch_branches_mid_operation(repo: Path, run: Runner,
                                                     operation: str) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    (repo / "README.md").write_text("feature side\n")
    git(repo, "commit", "-q", "-am", "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "README.md").write_text("main side\n")
    git(repo, "commit", "-q", "-am", "main")
    head = rev(repo, "HEAD")
    assert git(repo, operation, "feature", check=False).returncode != 0  # a conflict
    message = one_line_error(run(repo, "new", DESCRIPTION))
    assert f"a {operation} is in progress" in message
    assert "--no-branch" in message
    assert head_ref(repo) == "refs/heads/main" and rev(repo, "HEAD") == head
    assert not (repo / "specs").exists()
    # The record alone can still be written; the operation stays on its branch.
    assert run(repo, "new", "--no-branch", DESCRIPTION).code == 0
    assert head_ref(repo) == "refs/heads/main"


def test_a_description_full_of_brackets(repo: Path, run: Runner) -> None:
    description = "[" * 40 + " regex outage"
    assert run(repo, "new", "--no-branch", description).code == 0
    text = next((repo / "specs/hotfix").glob("001-*/hotfix.md")).read_text()
    record, findings = parse_hotfix("hotfix.md", "", text.encode())
    assert record.title == description and findings == []
