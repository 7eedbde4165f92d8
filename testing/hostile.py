"""Helpers for attacking the tool: run it in-process, watch what it opens,
and check that every outcome is a verdict or one clear line."""

from __future__ import annotations

import builtins
import contextlib
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from testing.repos import clean_env

NOW = "2025-10-10T00:00:00Z"  # every deadline in these tests is long past


@dataclass
class Outcome:
    code: int
    out: str
    err: str
    opened: list[str] = field(default_factory=list)

    def findings(self) -> list[dict[str, object]]:
        payload = json.loads(self.out)
        found: list[dict[str, object]] = payload["findings"]
        return found


_WATCHING: list[list[str]] = []


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _WATCHING and event in ("open", "os.scandir", "os.listdir") and args:
        path = args[0]
        if isinstance(path, (str, bytes, os.PathLike)):
            _WATCHING[-1].append(os.fsdecode(path))


sys.addaudithook(_audit)


@contextlib.contextmanager
def watch_opens() -> Iterator[list[str]]:
    """Every path opened or listed by Python code inside the block."""
    opened: list[str] = []
    _WATCHING.append(opened)
    try:
        yield opened
    finally:
        _WATCHING.pop()


def gate(repo: Path | str, *args: str) -> Outcome:
    """`hotfix-gate -C repo ARGS` in this process (the CLI's own error handling
    included), with what it printed and every path it opened."""
    from hotfix_gates.cli import main

    out, err = io.StringIO(), io.StringIO()
    cwd = os.getcwd()
    try:
        with watch_opens() as opened, contextlib.redirect_stdout(out), \
                contextlib.redirect_stderr(err):
            code = main(["-C", str(repo), *args])
    finally:
        os.chdir(cwd)
    return Outcome(code, out.getvalue(), err.getvalue(), opened)


def gate_process(repo: Path | str, *args: str, timeout: float = 30,
                 module: str = "hotfix_gates.cli", stdin: str | None = None,
                 env: dict[str, str] | None = None) -> Outcome:
    """The same as a real process (for hangs: a timeout fails the test)."""
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=repo, capture_output=True, text=True,
        timeout=timeout, input=stdin, env=env if env is not None else clean_env(),
    )
    return Outcome(result.returncode, result.stdout, result.stderr)


def assert_clean(outcome: Outcome) -> None:
    """A verdict (0 or 1), or exit 2 with exactly one `hotfix-gate: error:` line;
    never a traceback or an internal error."""
    text = outcome.out + outcome.err
    assert "Traceback" not in text, text
    assert "internal error" not in text, text
    assert outcome.code in (0, 1, 2), (outcome.code, text)
    if outcome.code == 2:
        lines = outcome.err.strip().splitlines()
        assert len(lines) == 1, outcome.err
        assert lines[0].startswith("hotfix-gate: error: "), outcome.err


def assert_tool_error(outcome: Outcome, *fragments: str) -> str:
    """Exit 2 with one line that contains every fragment; returns the line."""
    assert_clean(outcome)
    assert outcome.code == 2, (outcome.code, outcome.out, outcome.err)
    line = outcome.err.strip()
    for fragment in fragments:
        assert fragment in line, line
    return line


def assert_confined(outcome: Outcome, *outside: Path | str) -> None:
    """Nothing under the `outside` paths was opened or listed."""
    for path in outside:
        prefix = os.path.realpath(path)
        touched = [p for p in outcome.opened if os.path.realpath(p).startswith(prefix)]
        assert not touched, f"read outside the repository: {touched}"


def by_folder(findings: Sequence[dict[str, object]], folder: str) -> list[dict[str, object]]:
    return [f for f in findings if str(f["path"]).startswith(folder + "/")
            or f["path"] == folder]


def hash_object(repo: Path, kind: str, data: bytes) -> str:
    """Write any object, even a malformed one, the way a hostile client could."""
    result = subprocess.run(
        ["git", "hash-object", "-w", "--literally", "-t", kind, "--stdin"], cwd=repo,
        input=data, capture_output=True, check=True, env=clean_env())
    return result.stdout.decode().strip()


def raw_tree(repo: Path, entries: Sequence[tuple[str, str, str]], *,
             git_order: bool = True) -> str:
    """A tree object from (mode, name, object id), with no validation at all;
    the entries sorted as git sorts them (a folder as its name and a slash;
    repeated names kept in the order given) unless `git_order` is False."""
    if git_order:
        entries = sorted(entries, key=lambda e: os.fsencode(e[1]) + (
            b"/" if e[0].lstrip("0") == "40000" else b""))
    raw = b"".join(mode.encode() + b" " + os.fsencode(name) + b"\0" + bytes.fromhex(oid)
                   for mode, name, oid in entries)
    return hash_object(repo, "tree", raw)


def commit_tree(repo: Path, tree: str, message: str = "hostile") -> str:
    result = subprocess.run(["git", "commit-tree", "-m", message, tree], cwd=repo,
                            capture_output=True, text=True, check=True, env=clean_env())
    return result.stdout.strip()


# --- crashes at every step --------------------------------------------------------

KILLED = 86  # the exit code of a child "killed" at a file-system call
_STEPS = ("open", "fsync", "link", "replace", "rename", "unlink", "chmod", "mkdir", "rmdir",
          "symlink", "close", "write", "ftruncate")


def crash_at(step: int, body: Callable[[], object]) -> bool:
    """Run `body` in a forked child that dies, as from SIGKILL (no cleanup, no
    `finally`), at its `step`-th point: just before, or just after, each
    file-system call (after: so an `open` that truncates and is then killed
    counts too). True if it died there, False if `body` finished first."""
    pid = os.fork()
    if pid == 0:  # the child
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            count = [0]

            def tick() -> None:
                if count[0] == step:
                    os._exit(KILLED)
                count[0] += 1

            def wrap(real: Callable[..., object]) -> Callable[..., object]:
                def call(*args: object, **kwargs: object) -> object:
                    tick()
                    result = real(*args, **kwargs)
                    tick()
                    return result
                return call

            for name in _STEPS:
                setattr(os, name, wrap(getattr(os, name)))
            builtins.open = io.open = wrap(io.open)  # type: ignore[assignment]
            body()
        except BaseException:  # noqa: BLE001 - a refusal is a finished run here
            os._exit(0)
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == KILLED


def crash_everywhere(body: Callable[[], object], limit: int = 200) -> Iterator[int]:
    """Crash `body` at its first, second, ... file-system call until it gets
    through; yields each step after the crashed child is gone, so the caller
    can check what is on disk (and reset it) before the next one."""
    for step in range(limit):
        if not crash_at(step, body):
            return
        yield step
    raise AssertionError(f"still crashing after {limit} steps")
