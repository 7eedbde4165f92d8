"""The fast paths' settings by configuration blob id, and their cache."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hotfix_gates import __version__
from hotfix_gates.hooks import quickconfig
from hotfix_gates.hooks.quickconfig import DEFAULTS, settings_of
from testing.repos import clean_env


def blob(repo: Path, data: bytes) -> tuple[bytes, str]:
    done = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=repo, input=data,
                          capture_output=True, check=True, env=clean_env())
    return b"100644", done.stdout.decode().strip()


@pytest.fixture
def here(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(repo)
    return repo


def cache_of(repo: Path) -> Path:
    return repo / ".git" / quickconfig.FILE


def test_no_file_is_the_defaults_and_other_kinds_are_not_read(here: Path) -> None:
    no_git = {"PATH": ""}  # nothing here may need git
    link, folder = (b"120000", "ab" * 20), (b"040000", "cd" * 20)
    found = settings_of([None, link, folder], str(here / ".git"), no_git)
    assert found == {None: DEFAULTS, link: None, folder: None}
    assert not cache_of(here).exists()


def test_parsed_once_then_read_from_the_cache(here: Path) -> None:
    entry = blob(here, b"\xef\xbb\xbfspecs_dir: docs/incidents/\nprotected_branches: [trunk]\n")
    expected = (("trunk",), "docs/incidents")
    assert settings_of([entry], str(here / ".git"), clean_env()) == {entry: expected}
    data = json.loads(cache_of(here).read_text())
    assert data == {"format": quickconfig.FORMAT, "version": __version__,
                    "configs": {entry[1]: [["trunk"], "docs/incidents"]}}
    # git is not needed any more for this blob: the cache answers
    assert settings_of([entry], str(here / ".git"), {"PATH": ""}) == {entry: expected}
    assert settings_of([(b"100755", entry[1])], str(here / ".git"), {"PATH": ""}) == \
        {(b"100755", entry[1]): expected}


@pytest.mark.parametrize("text", [
    b"protected_branches: [main\n", b"bogus: 1\n", b"protected_branches: 7\n", b"\xff\xfe\n",
    b"# padding\n" * 30_000, b"specs_dir: ../outside\n",
], ids=["yaml", "unknown-key", "wrong-type", "not-utf8", "too-large", "outside"])
def test_a_configuration_that_does_not_load_gives_none_and_is_not_kept(
        here: Path, text: bytes) -> None:
    entry = blob(here, text)
    assert settings_of([entry], str(here / ".git"), clean_env()) == {entry: None}
    assert not cache_of(here).exists()


def test_an_object_git_does_not_have_gives_none(here: Path) -> None:
    entry = (b"100644", "12" * 20)
    assert settings_of([entry], str(here / ".git"), clean_env()) == {entry: None}


@pytest.mark.parametrize("content", [
    "not json", "[]", '{"format": 1, "version": "0.0.0", "configs": {"%(blob)s": [["x"], "y"]}}',
    '{"format": 999, "version": "%(version)s", "configs": {"%(blob)s": [["x"], "y"]}}',
    '{"format": 1, "version": "%(version)s", "configs": {"%(blob)s": [["x"], ""]}}',
    '{"format": 1, "version": "%(version)s", "configs": {"%(blob)s": [[1], "y"]}}',
    '{"format": 1, "version": "%(version)s", "configs": {"%(blob)s": "x"}}',
    '{"format": 1, "version": "%(version)s", "configs": []}',
], ids=["text", "list", "old-version", "format", "empty-folder", "glob-type", "entry-type",
        "configs-type"])
def test_a_cache_that_is_malformed_or_stale_is_not_believed(here: Path, content: str) -> None:
    entry = blob(here, b"protected_branches: [develop]\n")
    cache_of(here).parent.mkdir(parents=True, exist_ok=True)
    cache_of(here).write_text(content % {"blob": entry[1], "version": __version__})
    assert settings_of([entry], str(here / ".git"), clean_env()) == \
        {entry: (("develop",), "specs/hotfix")}


def test_the_cache_keeps_the_newest_entries(here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(quickconfig, "KEEP", 3)
    entries = [blob(here, f"protected_branches: [b{n}]\n".encode()) for n in range(5)]
    for entry in entries:
        settings_of([entry], str(here / ".git"), clean_env())
    kept = json.loads(cache_of(here).read_text())["configs"]
    assert list(kept) == [entry[1] for entry in entries[2:]]


def test_without_a_git_dir_nothing_is_kept(here: Path) -> None:
    entry = blob(here, b"protected_branches: [x]\n")
    assert settings_of([entry], None, clean_env()) == {entry: (("x",), "specs/hotfix")}
    assert not cache_of(here).exists()
