"""The command line: every option where click allows it, one line per refusal."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from hotfix_gates.cli import cli
from testing.cli import gate
from testing.edits import write_commented_record
from testing.repos import git

REL = "specs/hotfix/001-database-connection-pool/hotfix.md"


def leaves(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                        click.Command]]:
    found = []
    for name, command in sorted(group.commands.items()):
        here = (*path, name)
        found.append((here, command))
        if isinstance(command, click.Group):
            found.extend(leaves(command, here))
    return found


def option_names(command: click.Command) -> set[str]:
    return {name for param in command.params for name in getattr(param, "opts", [])}


@pytest.mark.parametrize(("path", "command"), leaves(cli), ids=lambda v: " ".join(v)
                         if isinstance(v, tuple) else "")
def test_every_command_takes_dash_c_after_its_name(path: tuple[str, ...],
                                                   command: click.Command) -> None:
    assert "-C" in option_names(command), path


EDITING = [("set", "severity"), ("set", "reviewed-by"), ("set", "rollback-plan"),
           ("set", "incident-start"), ("detected",), ("deployed",), ("monitoring",),
           ("resolved",), ("closed",), ("log",), ("waive",), ("regression-test",),
           ("post-mortem-complete",), ("migrate",), ("new",)]


@pytest.mark.parametrize("path", EDITING, ids=" ".join)
def test_every_editing_command_takes_commit(path: tuple[str, ...]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert "--commit" in option_names(command)


@pytest.mark.parametrize("args", [
    ["set", "--id", "1", "--commit", "severity", "P1"],
    ["set", "severity", "P1", "--commit", "--id", "1"],
    ["set", "--commit", "severity", "--id", "1", "P1"],
    ["set", "-C", "SERVICE", "severity", "P1", "--id=1", "--commit"],
    ["-C", "SERVICE", "set", "severity", "--commit", "P1", "--id", "hotfix-001"],
])
def test_set_options_before_or_after_the_key(
        here: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    write_commented_record(here)
    git(here, "add", "-A")
    git(here, "commit", "-q", "-m", "the record")
    if "SERVICE" in args:
        monkeypatch.chdir(tmp_path)
    code, out, err = gate(capsys, *[str(here) if a == "SERVICE" else a for a in args])
    assert code == 0, err
    assert out.startswith(f"{REL}: severity: null -> P1\ncommitted ")
    assert git(here, "log", "-1", "--format=%s").stdout.strip() == "hotfix-001: severity P1"


@pytest.mark.parametrize("args", [
    ["status", "-C", "SERVICE"], ["check", "--now", "2025-10-01T15:00:00Z", "-C", "SERVICE"],
    ["gates", "-C", "SERVICE"], ["report", "-C", "SERVICE", "--format", "json"],
    ["resolved", "--commit", "-C", "SERVICE", "--at", "2025-10-01T15:00:00Z", "--id", "1"],
])
def test_dash_c_after_the_command(here: Path, capsys: pytest.CaptureFixture[str],
                                  tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  args: list[str]) -> None:
    write_commented_record(here)
    monkeypatch.chdir(tmp_path)
    code, _, err = gate(capsys, *[str(here) if a == "SERVICE" else a for a in args])
    assert code in (0, 1) and "error" not in err, err


def test_a_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = gate(capsys, "resolved", "--no-such-option")
    assert (code, out) == (2, "")
    assert err.startswith("hotfix-gate: error: No such option") and err.count("\n") == 1
    assert err.endswith(" (see `hotfix-gate resolved --help`)\n")
