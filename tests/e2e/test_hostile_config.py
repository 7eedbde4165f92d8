"""Bad `.hotfix-gates.yaml`: refused with one line naming the file, exit 2,
in the working tree and via --rev; nothing outside the repository is read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hotfix_gates.model.errors import ConfigError
from hotfix_gates.parsing.config import parse_config
from testing.hostile import (
    NOW,
    Outcome,
    assert_clean,
    assert_confined,
    assert_tool_error,
    gate,
)
from testing.repos import commit_all, git, make_repo

CONFIG = ".hotfix-gates.yaml"

# text -> a fragment of the one line that refuses it
REFUSED = {
    "specs_dir: /etc\n": "is absolute",
    "specs_dir: ../elsewhere\n": "leaves the repository",
    "specs_dir: specs/../../elsewhere\n": "leaves the repository",
    "specs_dir: .git/hooks\n": "inside the repository",
    "specs_dir: sub/.GIT/x\n": "inside the repository",
    "specs_dir: .\n": "inside the repository",
    "specs_dir: ''\n": "specs_dir",
    "specs_dir: [a]\n": "specs_dir",
    "specs_dir: \"a\\0b\"\n": "NUL",
    "- main\n- production\n": "expected a mapping",
    "just a sentence\n": "expected a mapping",
    "{{{{\n": "invalid YAML",
    ": : :\n": "invalid YAML",
    "!!python/object/apply:os.system [touch PWNED]\n": "",
    "gates: !!python/object/apply:os.system [touch PWNED]\n": "tag",
    "a: &x [1]\nb: *x\n": "aliases",
    "specs_dir: x\nspecs_dir: y\n": "twice",
    "unknown_key: 1\n": "unknown key",
    "protected_branches: 5\n": "protected_branches",
    "protected_branches: [[main]]\n": "protected_branches",
    "protected_branches: ['']\n": "protected_branches",
    "gates: {no-such-gate: warn}\n": "unknown gate",
    "gates: {HG101: loud}\n": "level must be",
    "gates: {HG101: [warn]}\n": "level must be",
    "gates: {HG101: null}\n": "level must be",
    "gates: {HG101: {level: warn, colour: red}}\n": "unknown setting",
    "gates: {HG101: {waivable: 'no'}}\n": "waivable",
    "gates: [HG101]\n": "gates must be a mapping",
    "gates: {[a]: warn}\n": "plain values",
    "deadlines: {post-mortem: 48}\n": "no unit",
    "deadlines: {post-mortem: forever}\n": "bad duration",
    "deadlines: {post-mortem: -1h}\n": "bad duration",
    "deadlines: {post-mortem: 1e9h}\n": "bad duration",
    "deadlines: {post-mortem: 99999999999w}\n": "ten years",
    "deadlines: {post-mortem: " + "9" * 5000 + "h}\n": "ten years",
    "deadlines: {severity: 1h}\n": "unknown deadline",
    "deadlines: [48h]\n": "deadlines must be a mapping",
    "deadlines: {post-mortem: [48h]}\n": "bad duration",
    "targets: {P9: 1h}\n": "unknown severity",
    "targets: {P0: true}\n": "bad duration",
    "specs_dir: " + "[" * 10_000 + "\n": "nested",
}


@pytest.mark.parametrize("text", list(REFUSED), ids=lambda t: t[:40])
def test_parse_config_refuses_with_a_line(text: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    message = str(caught.value)
    assert message.startswith(CONFIG + ":") and "\n" not in message
    assert REFUSED[text] in message
    assert len(message) < 300


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_repo(tmp_path_factory.mktemp("config") / "service")


@pytest.mark.parametrize("text", [t for t in REFUSED if "\\0" not in t][::3],
                         ids=lambda t: t[:40])
def test_check_refuses_bad_configuration(shared: Path, text: str) -> None:
    (shared / CONFIG).write_text(text)
    assert_tool_error(gate(shared, "check", "--now", NOW), CONFIG, REFUSED[text])
    assert not (shared / "PWNED").exists()


def test_configuration_judged_at_a_commit_is_refused_too(repo: Path) -> None:
    (repo / CONFIG).write_text("specs_dir: ../../elsewhere\n")
    commit_all(repo, "weaken the rules")
    (repo / CONFIG).unlink()
    assert_tool_error(gate(repo, "check", "--rev", "HEAD", "--now", NOW),
                      f"{CONFIG} (HEAD)", "leaves the repository")


@pytest.mark.parametrize("kind", ["dir", "fifo", "link-out", "link-passwd", "huge", "latin-1",
                                  "binary", "bom-crlf"])
def test_configuration_file_that_is_odd(tmp_path: Path, kind: str) -> None:
    repo = make_repo(tmp_path / "service")
    target = repo / CONFIG
    outside = tmp_path / "outside.yaml"
    outside.write_text("specs_dir: elsewhere\n")
    if kind == "dir":
        target.mkdir()
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "link-out":
        os.symlink(outside, target)
    elif kind == "link-passwd":
        os.symlink("/etc/passwd", target)
    elif kind == "huge":
        target.write_text("# " + "x" * 1_000_000 + "\n")
    elif kind == "latin-1":
        target.write_bytes(b"specs_dir: sp\xe9cs\n")
    elif kind == "binary":
        target.write_bytes(b"\x00\x01\x02specs_dir")
    elif kind == "bom-crlf":
        target.write_bytes(b"\xef\xbb\xbfspecs_dir: records\r\ngates: {HG103: off}\r\n")
    outcome = gate(repo, "check", "--now", NOW)
    assert_confined(outcome, outside, "/etc/passwd")
    if kind == "bom-crlf":
        assert_clean(outcome)
        assert outcome.code == 0
        return
    assert_tool_error(outcome, CONFIG)


def test_configuration_through_an_in_tree_symlink_is_followed(repo: Path) -> None:
    (repo / "ci").mkdir()
    (repo / "ci/gates.yaml").write_text("specs_dir: [not, a, path]\n")
    os.symlink("ci/gates.yaml", repo / CONFIG)
    assert_tool_error(gate(repo, "check", "--now", NOW), "specs_dir must be a folder path")
    commit_all(repo, "linked configuration")
    assert_tool_error(gate(repo, "check", "--rev", "HEAD", "--now", NOW),
                      "specs_dir must be a folder path")


def test_configuration_as_a_submodule_entry(repo: Path) -> None:
    head = git(repo, "rev-parse", "HEAD").stdout.strip()
    git(repo, "update-index", "--add", "--cacheinfo", f"160000,{head},{CONFIG}")
    git(repo, "commit", "-q", "-m", "configuration as a gitlink")
    assert_tool_error(gate(repo, "check", "--rev", "HEAD", "--now", NOW), CONFIG, "submodule")


@pytest.mark.parametrize("now", ["yesterday", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00+05:00",
                                 "", "2025-02-30T00:00:00Z"])
def test_bad_clock(repo: Path, now: str) -> None:
    outcome = gate(repo, "check", "--now", now) if now else gate(repo, "check", "--now=")
    if now:
        assert_tool_error(outcome, "--now")
    else:
        assert_clean(outcome)  # an empty flag means "the system clock"


def test_bad_clock_from_the_environment(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTFIX_GATE_NOW", "0001-01-01T00:00:00+05:00")
    assert_tool_error(gate(repo, "check"), "HOTFIX_GATE_NOW")


@pytest.mark.parametrize("args", [
    ["check", "--format", "xml"], ["no-such-command"], ["check", "--now"], ["check", "--bogus"],
    ["-C", "/etc/passwd", "check"], ["check", "--rev"], ["check", "extra"],
    ["check", "--format", "x" * 10_000],
], ids=lambda a: " ".join(a)[:30])
def test_bad_arguments_are_one_line(repo: Path, args: list[str]) -> None:
    outcome = gate(repo, *args) if args[0] != "-C" else _bare_gate(*args)
    assert_tool_error(outcome)
    assert "--help" in outcome.err


def _bare_gate(*args: str) -> Outcome:
    import contextlib
    import io

    from hotfix_gates.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        os.chdir(cwd)
    return Outcome(code, out.getvalue(), err.getvalue())
