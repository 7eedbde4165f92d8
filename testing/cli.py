"""Running `hotfix-gate` in-process, for tests that need no separate process."""

from __future__ import annotations

import pytest

from hotfix_gates.cli import main


def gate(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """`hotfix-gate ARGS` in this process: (exit code, stdout, stderr)."""
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err
