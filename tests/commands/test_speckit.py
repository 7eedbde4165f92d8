"""The shipped spec-kit extension's folder, the project it goes into, and the
copy without the /speckit.hotfix alias. (With the real `specify`: tests/e2e.)"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hotfix_gates.commands.speckit import extension_dir, project_root, without_alias
from hotfix_gates.model.errors import ToolError


def test_the_shipped_folder_holds_the_manifest() -> None:
    folder = extension_dir()
    manifest = yaml.safe_load((folder / "extension.yml").read_text("utf-8"))
    assert manifest["extension"]["id"] == "hotfix-gates"
    for command in manifest["provides"]["commands"]:
        assert (folder / command["file"]).is_file()


def test_the_copy_without_alias_differs_only_there(tmp_path: Path) -> None:
    original = yaml.safe_load((extension_dir() / "extension.yml").read_text("utf-8"))
    copy = without_alias(extension_dir(), tmp_path / "hotfix-gates")
    changed = yaml.safe_load((copy / "extension.yml").read_text("utf-8"))
    assert [c.get("aliases") for c in changed["provides"]["commands"]] == [None] * 5
    for command in original["provides"]["commands"]:
        command.pop("aliases", None)
    assert changed == original
    assert sorted(p.name for p in (copy / "commands").iterdir()) == sorted(
        p.name for p in (extension_dir() / "commands").iterdir())
    assert not (copy / "__init__.py").exists()


def test_the_project_is_found_from_below(tmp_path: Path) -> None:
    (tmp_path / "project/.specify").mkdir(parents=True)
    (tmp_path / "project/src/app").mkdir(parents=True)
    (tmp_path / "other").mkdir()
    assert project_root(tmp_path / "project/src/app") == tmp_path / "project"
    with pytest.raises(ToolError, match="not in a spec-kit project"):
        project_root(tmp_path / "other")
