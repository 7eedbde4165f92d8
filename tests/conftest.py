from __future__ import annotations

from pathlib import Path

import pytest

from testing.repos import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real repository with one commit on main."""
    return make_repo(tmp_path / "service")


@pytest.fixture
def here(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`repo` as the current directory, with no clock or record chosen from outside."""
    monkeypatch.chdir(repo)
    for name in ("HOTFIX_GATE_NOW", "SPECIFY_HOTFIX"):
        monkeypatch.delenv(name, raising=False)
    return repo
