from __future__ import annotations

from pathlib import Path

import pytest

from testing.repos import make_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A real repository with one commit on main."""
    return make_repo(tmp_path / "service")
