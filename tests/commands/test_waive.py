"""waive: a gate named loosely gets the closest names, in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from hotfix_gates.commands.waive import find_gate
from hotfix_gates.model.errors import ToolError
from testing.cli import gate
from testing.edits import write_commented_record


@pytest.mark.parametrize(("given", "code"), [
    ("post-mortem", "HG201"), ("HG201", "HG201"), ("hg202", "HG202"), (" Quick-Review ", "HG103"),
])
def test_codes_and_names_in_any_case(given: str, code: str) -> None:
    assert find_gate(given).code == code


@pytest.mark.parametrize(("given", "suggested"), [
    ("postmortem", "did you mean post-mortem?"),
    ("post_mortem", "did you mean post-mortem?"),
    ("regression", "did you mean regression-test?"),
    ("HG2O1", "did you mean HG201 or HG301?"),
    ("rollback", "did you mean rollback-plan?"),
])
def test_an_unknown_gate_gets_the_closest_names(given: str, suggested: str) -> None:
    with pytest.raises(ToolError) as caught:
        find_gate(given)
    message = str(caught.value)
    assert message == (f"unknown gate '{given}'; {suggested} `hotfix-gate gates` lists them")
    assert len(message) <= 100


def test_nothing_close_is_said_plainly(here: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_commented_record(here)
    code, out, err = gate(capsys, "waive", "everything", "--reason", "x", "--id", "1")
    assert (code, out) == (2, "")
    assert err == "hotfix-gate: error: unknown gate 'everything'; `hotfix-gate gates` lists them\n"
