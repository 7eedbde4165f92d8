"""The spec-kit extension with the real `specify` CLI: installed by `specify
init --extension` and `specify extension add`, for Claude (skills) and
Copilot (agent files); its hook's shell line judged in a real repository;
`hotfix-gate speckit install`, remove and re-add, and the workflows
extension's claim on /speckit.hotfix."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import zipfile
from pathlib import Path

import click
import pytest
import yaml

from hotfix_gates import __version__
from hotfix_gates.cli import cli
from testing.repos import Run, clean_env, make_repo

BIN = Path(sys.executable).parent
SPECIFY = BIN / "specify"
EXTENSION = Path(__file__).resolve().parents[2] / "speckit"
NOW = "2025-10-01T15:00:00Z"
COMMANDS = ("hotfix", "check", "follow-up", "merge-gate", "deployed")
INIT = ("init", "--here", "--force", "--non-interactive", "--ignore-agent-tools")
# Copilot writes agent files (which carry aliases) with --commands; its
# default skills layout is tested apart.
INTEGRATIONS = {"claude": (), "copilot": ("--integration-options", "--commands")}


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """`specify` and `hotfix-gate` of this interpreter on PATH; a private HOME."""
    assert SPECIFY.is_file(), "spec-kit's CLI is missing: pip install -e '.[test]'"
    home = tmp_path_factory.mktemp("home")
    return clean_env(PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", HOME=str(home),
                     COLUMNS="200", NO_COLOR="1", HOTFIX_GATE_NOW=NOW)


def run(env: dict[str, str], cwd: Path, *args: str | Path) -> Run:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=120, check=False)
    return Run(done.returncode, done.stdout, done.stderr)


def specify(env: dict[str, str], cwd: Path, *args: str | Path) -> Run:
    result = run(env, cwd, SPECIFY, *args)
    assert result.returncode == 0, f"specify {args}:\n{result.stdout}\n{result.stderr}"
    return result


def init(env: dict[str, str], path: Path, integration: str, *extra: str | Path) -> Path:
    make_repo(path)
    specify(env, path, *INIT, "--integration", integration, *INTEGRATIONS.get(integration, ()),
            *extra)
    return path


def command_file(project: Path, integration: str, name: str) -> Path:
    """Where spec-kit writes command `name` (or an alias) for the agent."""
    if integration == "claude":
        return project / ".claude/skills" / name.replace(".", "-") / "SKILL.md"
    return project / ".github/agents" / f"{name}.agent.md"


def hooks(project: Path, event: str) -> list[dict[str, object]]:
    config = yaml.safe_load((project / ".specify/extensions.yml").read_text("utf-8"))
    return [h for h in config["hooks"].get(event, []) if h["extension"] == "hotfix-gates"]


def shell_blocks(text: str) -> list[str]:
    return re.findall(r"^\s*```sh\n(.*?)^\s*```", text, flags=re.MULTILINE | re.DOTALL)


@pytest.fixture(scope="module")
def shipped(env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder `hotfix-gate speckit path` names."""
    result = run(env, tmp_path_factory.mktemp("anywhere"), BIN / "hotfix-gate", "speckit", "path")
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    assert folder.resolve() == EXTENSION.resolve()  # the source checkout's folder, editable
    return folder


@pytest.fixture(scope="module")
def projects(env: dict[str, str], shipped: Path,
             tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """One project per integration and way in: `specify init --extension`, and
    `specify extension add --dev` into an initialised project."""
    made = {}
    for integration in INTEGRATIONS:
        base = tmp_path_factory.mktemp(integration)
        made[integration, "init"] = init(env, base / "init", integration, "--extension", shipped)
        added = init(env, base / "add", integration)
        specify(env, added, "extension", "add", "--dev", shipped)
        made[integration, "add"] = added
    return made


WAYS = [pytest.param(key, id=f"{key[0]}-{key[1]}") for key in
        [(i, w) for i in INTEGRATIONS for w in ("init", "add")]]


@pytest.mark.parametrize("key", WAYS)
def test_speckit_hotfix_runs_hotfix_gate(projects: dict[tuple[str, str], Path],
                                         key: tuple[str, str]) -> None:
    project = projects[key]
    integration = key[0]
    for name in COMMANDS:
        assert command_file(project, integration, f"speckit.hotfix-gates.{name}").is_file(), name
    text = command_file(project, integration, "speckit.hotfix").read_text("utf-8")
    assert text == command_file(project, integration, "speckit.hotfix-gates.hotfix").read_text(
        "utf-8").replace("speckit-hotfix-gates-hotfix", "speckit-hotfix")
    assert 'hotfix-gate new --json "<incident description>"' in text
    for step in ("hotfix-gate set severity P1", "hotfix-gate set rollback-plan",
                 "hotfix-gate log", "hotfix-gate deployed", "hotfix-gate resolved",
                 "hotfix-gate regression-test PATH::NAME", "hotfix-gate post-mortem-complete"):
        assert step in text, step
    assert "$ARGUMENTS" in text and "__SPECKIT_COMMAND_" not in text
    invocation = "/speckit-implement" if integration == "claude" else "/speckit.implement"
    assert invocation in text  # spec-kit wrote the agent's own way to call the next step
    if integration == "copilot":
        prompt = project / ".github/prompts/speckit.hotfix.prompt.md"
        assert "agent: speckit.hotfix" in prompt.read_text("utf-8")


@pytest.mark.parametrize("key", WAYS)
def test_hooks_are_recorded_mandatory(projects: dict[tuple[str, str], Path],
                                      key: tuple[str, str]) -> None:
    project = projects[key]
    (before,) = hooks(project, "before_implement")
    assert before["command"] == "speckit.hotfix-gates.merge-gate"
    assert before["optional"] is False and before["enabled"] is True
    assert not before["condition"]  # agents skip hooks with a condition
    assert "`hotfix-gate check --current`" in str(before["description"])
    (after,) = hooks(project, "after_implement")
    assert after["command"] == "speckit.hotfix-gates.deployed" and after["optional"] is False
    # The installed copy is the extension alone, not the Python package around it.
    installed = project / ".specify/extensions/hotfix-gates"
    assert sorted(p.name for p in (installed / "commands").iterdir()) == sorted(
        f"{name}.md" for name in COMMANDS)
    assert not (installed / "__init__.py").exists() and not (installed / "__pycache__").exists()


def test_extension_list_shows_it(env: dict[str, str],
                                 projects: dict[tuple[str, str], Path]) -> None:
    listed = json.loads(specify(env, projects["claude", "add"], "extension", "list",
                                "--json").stdout)
    (entry,) = [e for e in listed if e["id"] == "hotfix-gates"]
    assert entry["version"] == __version__ and entry["enabled"] is True
    assert entry["provides"]["commands"] == len(COMMANDS) and entry["provides"]["hooks"] == 2
    plain = specify(env, projects["copilot", "init"], "extension", "list").stdout
    assert f"hotfix-gates (v{__version__})" in plain


def test_the_hook_stops_an_unassessed_hotfix(env: dict[str, str], shipped: Path,
                                             tmp_path: Path) -> None:
    project = init(env, tmp_path / "service", "claude", "--extension", shipped)
    (hook,) = hooks(project, "before_implement")
    skill = command_file(project, "claude", str(hook["command"])).read_text("utf-8")
    (line,) = shell_blocks(skill)[0].strip().splitlines()
    assert f"`{line}`" in str(hook["description"])

    def the_hook() -> Run:
        return run(env, project, "bash", "-c", line)

    quiet = the_hook()  # an ordinary implement step: not a hotfix, nothing to stop
    assert quiet.returncode == 0 and "no hotfix in progress" in quiet.stderr
    opened = run(env, project, "hotfix-gate", "new", "--json", "checkout returns 503 errors")
    assert opened.returncode == 0, opened.stderr
    # As /speckit.hotfix says, the record becomes spec-kit's current feature,
    # so spec-kit's own implement step finds its tasks.
    opener = command_file(project, "claude", "speckit.hotfix").read_text("utf-8")
    (pointer,) = [b.strip() for b in shell_blocks(opener) if "feature.json" in b]
    folder = str(Path(json.loads(opened.stdout)["HOTFIX_FILE"]).parent)
    assert run(env, project, "bash", "-c", pointer.replace(
        '"<the folder of HOTFIX_FILE>"', shlex.quote(folder))).returncode == 0
    found = run(env, project, ".specify/scripts/bash/check-prerequisites.sh", "--json",
                "--require-tasks", "--include-tasks")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["FEATURE_DIR"] == folder
    blocked = the_hook()
    assert blocked.returncode == 1
    record = "specs/hotfix/001-checkout-returns-503-errors/hotfix.md"
    assert re.search(rf"^{record}:\d+: HG101 severity: ", blocked.stdout, flags=re.MULTILINE)
    assert " HG102 rollback-plan: " in blocked.stdout
    assert "hotfix-gate: blocked: 2 blocking" in blocked.stdout
    assert run(env, project, "hotfix-gate", "set", "severity", "P1").returncode == 0
    assert the_hook().returncode == 1  # still no rollback plan
    assert run(env, project, "hotfix-gate", "set", "rollback-plan",
               "git revert the fix and redeploy").returncode == 0
    passed = the_hook()
    assert passed.returncode == 0, passed.stdout
    assert "passed: 0 blocking, 1 warning in 1 record" in passed.stdout  # HG103, a P1 review
    # The after_implement hook's commands run as written.
    (after,) = hooks(project, "after_implement")
    deployed = command_file(project, "claude", str(after["command"])).read_text("utf-8")
    blocks = shell_blocks(deployed)
    assert blocks[0].strip() == line
    stamped = run(env, project, *shlex.split(blocks[1].splitlines()[0].split("#")[0]))
    assert stamped.returncode == 0 and "investigating -> fix-deployed" in stamped.stdout


def test_install_remove_and_add_again(env: dict[str, str], shipped: Path, tmp_path: Path) -> None:
    project = init(env, tmp_path / "service", "claude")
    skill = command_file(project, "claude", "speckit.hotfix")
    installed = run(env, project, "hotfix-gate", "speckit", "install")
    assert installed.returncode == 0, installed.stderr
    assert "Extension installed successfully" in installed.stdout and skill.is_file()
    again = run(env, project, "hotfix-gate", "speckit", "install")
    assert again.returncode == 2
    assert again.stderr.splitlines()[-1] == (
        f"hotfix-gate: error: the hotfix-gates extension is already installed in {project}; "
        "`hotfix-gate speckit install --force` replaces it")
    assert run(env, project, "hotfix-gate", "speckit", "install", "--force").returncode == 0
    specify(env, project, "extension", "remove", "hotfix-gates", "--force")
    assert not skill.exists() and hooks(project, "before_implement") == []
    assert "hotfix-gates" not in specify(env, project, "extension", "list").stdout
    specify(env, project, "extension", "add", "--dev", shipped)
    assert skill.is_file() and len(hooks(project, "before_implement")) == 1


def test_without_specify_the_line_to_run_is_printed(env: dict[str, str], shipped: Path,
                                                    tmp_path: Path) -> None:
    project = init(env, tmp_path / "service", "claude")
    hidden = dict(env, PATH=os.pathsep.join(p for p in env["PATH"].split(os.pathsep)
                                            if Path(p) != BIN))
    result = run(hidden, project / ".specify", BIN / "hotfix-gate", "speckit", "install")
    assert result.returncode == 2 and result.stdout == ""
    message = result.stderr.strip()
    assert message.startswith("hotfix-gate: error: `specify` (spec-kit's CLI) is not on PATH")
    assert f"run this in {project}: " in message and "\n" not in message
    line = message.rsplit(": ", 1)[1]
    assert line == f"specify extension add --dev {shlex.quote(str(shipped))}"
    specify(env, project, *shlex.split(line)[1:])  # the line, run as printed
    assert command_file(project, "claude", "speckit.hotfix").is_file()


def test_outside_a_speckit_project(env: dict[str, str], tmp_path: Path) -> None:
    result = run(env, make_repo(tmp_path / "plain"), "hotfix-gate", "speckit", "install")
    assert result.returncode == 2
    assert "not in a spec-kit project (no .specify/ folder here or above)" in result.stderr


def test_beside_the_workflows_extension(env: dict[str, str], tmp_path: Path) -> None:
    """Two extensions cannot both claim /speckit.hotfix: spec-kit refuses the
    second. --no-alias installs ours beside the first."""
    other = tmp_path / "workflows"
    (other / "commands").mkdir(parents=True)
    (other / "commands/hotfix.md").write_text("---\ndescription: stand-in\n---\nStand-in.\n")
    (other / "extension.yml").write_text(yaml.safe_dump({
        "schema_version": "1.0",
        "extension": {"id": "workflows", "name": "workflows stand-in", "version": "3.0.0",
                      "description": "claims the same alias"},
        "requires": {"speckit_version": ">=1.0"},
        "provides": {"commands": [{"name": "speckit.workflows.hotfix",
                                   "file": "commands/hotfix.md",
                                   "aliases": ["speckit.hotfix"]}]},
    }))
    project = init(env, tmp_path / "service", "claude", "--extension", other)
    refused = run(env, project, "hotfix-gate", "speckit", "install")
    assert refused.returncode == 2
    assert "`hotfix-gate speckit install --no-alias`" in refused.stderr
    assert not (project / ".specify/extensions/hotfix-gates").exists()
    installed = run(env, project, "hotfix-gate", "speckit", "install", "--no-alias")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert "Stand-in." in command_file(project, "claude", "speckit.hotfix").read_text()
    ours = command_file(project, "claude", "speckit.hotfix-gates.hotfix")
    assert "hotfix-gate new --json" in ours.read_text("utf-8")  # resolves: the copy is kept
    assert len(hooks(project, "before_implement")) == 1


def test_copilot_skills_carry_no_alias(env: dict[str, str], shipped: Path,
                                       tmp_path: Path) -> None:
    """Copilot's default skills layout gets the commands, not their aliases:
    the README tells users to call /speckit-hotfix-gates-hotfix there."""
    project = make_repo(tmp_path / "service")
    specify(env, project, *INIT, "--integration", "copilot", "--extension", shipped)
    skills = project / ".github/skills"
    assert "hotfix-gate new --json" in (skills / "speckit-hotfix-gates-hotfix/SKILL.md").read_text()
    assert not (skills / "speckit-hotfix").exists()
    assert len(hooks(project, "before_implement")) == 1


def test_the_wheel_ships_an_installable_extension(env: dict[str, str], wheel: Path,
                                                   tmp_path: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    folder = "hotfix_gates/speckit_extension"
    for name in ("extension.yml", ".extensionignore", *(f"commands/{c}.md" for c in COMMANDS)):
        assert f"{folder}/{name}" in names, name
    unpacked = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(unpacked)
    probe = ("import sys; sys.path.insert(0, sys.argv[1]); from hotfix_gates import cli; "
             "sys.exit(cli.main(sys.argv[2:]))")
    result = run(env, tmp_path, sys.executable, "-c", probe, unpacked, "speckit", "path")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()) == unpacked / folder
    project = init(env, tmp_path / "service", "claude", "--extension", result.stdout.strip())
    assert command_file(project, "claude", "speckit.hotfix").is_file()


def test_the_manifest_agrees_with_the_package() -> None:
    manifest = yaml.safe_load((EXTENSION / "extension.yml").read_text("utf-8"))
    assert manifest["extension"]["version"] == __version__
    files = {c["file"] for c in manifest["provides"]["commands"]}
    assert files == {f"commands/{name}.md" for name in COMMANDS}


def _resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    """The deepest command of our CLI that `words` name, and the words used."""
    command: click.Command = cli
    used = []
    for word in words:
        if not isinstance(command, click.Group) or word not in command.commands:
            break
        command = command.commands[word]
        used.append(word)
    return command, used


@pytest.mark.parametrize("name", COMMANDS)
def test_every_hotfix_gate_command_written_exists(name: str) -> None:
    """A typo in a command file would send the agent to a command that fails."""
    text = (EXTENSION / "commands" / f"{name}.md").read_text("utf-8")
    uses = re.findall(r"hotfix-gate((?: [a-z][a-z-]*)+)([^`\n]*)", text)
    assert uses
    for words, rest in uses:
        command, used = _resolve(words.split())
        assert used and not isinstance(command, click.Group), f"hotfix-gate{words}"
        known = {o for p in command.params for o in getattr(p, "opts", [])}
        unresolved = " ".join(words.split()[len(used):])
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", f"{unresolved} {rest}"):
            assert option in known, f"hotfix-gate {' '.join(used)} {option}"
