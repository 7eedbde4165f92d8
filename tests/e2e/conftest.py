"""The served-repository fixtures shared by the attack suites (testing/served.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.served import build_templates, copy_template


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Built once per module, copied by each test."""
    return build_templates(tmp_path_factory.mktemp("fresh"), tmp_path_factory.mktemp("served"))


@pytest.fixture
def fresh(templates: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    """A clone and its server (clock at LATE), main holding no record."""
    return copy_template(templates["fresh"], tmp_path)


@pytest.fixture
def served(templates: dict[str, Path], tmp_path: Path) -> tuple[Path, Path]:
    """The overdue record on the server's main, the server's clock at LATE."""
    return copy_template(templates["served"], tmp_path)
