from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from importlib.util import find_spec
from pathlib import Path

import pytest

from testing.repos import make_repo

ROOT = Path(__file__).resolve().parent.parent


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


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The package built once, from a copy of the sources (the shared tree stays clean)."""
    base = tmp_path_factory.mktemp("wheel")
    source = base / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("hotfix_gates", "templates", "speckit"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    out = base / "dist"
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out),
               str(source)]
    # setuptools >= 70.1 builds wheels itself, an older one needs the `wheel`
    # package; without either, pip fetches the backend pyproject.toml asks for.
    if find_spec("setuptools.command.bdist_wheel") or find_spec("wheel"):
        command.insert(4, "--no-build-isolation")
    built = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if built.returncode != 0 and "--no-build-isolation" not in command and (
            "No matching distribution found for setuptools" in built.stderr
            or "No matching distribution found for wheel" in built.stderr):
        pytest.skip("no package index reachable to fetch the build backend (setuptools>=69)")
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("hotfix_gates-*.whl")
    yield found
