"""The one write path: under the lock, compared, atomic, read back."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pygit2
import pytest

from hotfix_gates.editing import atomic, locks
from hotfix_gates.editing.write import edit_lock, replace_file, sweep_temporary_files
from hotfix_gates.model.errors import ToolError


def test_a_file_changed_since_it_was_read_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "hotfix.md"
    path.write_bytes(b"edited by someone else\n")
    with pytest.raises(ToolError, match=r"hotfix\.md changed while it was being edited"):
        replace_file(path, "hotfix.md", b"as read\n", b"new\n")
    assert path.read_bytes() == b"edited by someone else\n"


def test_written_and_read_back_or_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "hotfix.md"
    path.write_bytes(b"old\n")
    os.chmod(path, 0o640)
    assert replace_file(path, "hotfix.md", b"old\n", b"new\n") is True
    assert path.read_bytes() == b"new\n" and (path.stat().st_mode & 0o777) == 0o640
    assert replace_file(path, "hotfix.md", b"new\n", b"new\n") is False


def test_a_write_that_does_not_read_back_is_refused(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "hotfix.md"
    path.write_bytes(b"old\n")

    def garbled(target: Path, data: bytes, **_: object) -> None:
        Path(target).write_bytes(data[:-1])  # a disk, or another program, lost a byte

    monkeypatch.setattr(atomic, "write_atomic", garbled)
    with pytest.raises(ToolError, match="does not read back as written"):
        replace_file(path, "hotfix.md", b"old\n", b"new\n")


def test_leftovers_of_a_killed_write_are_swept(tmp_path: Path) -> None:
    path = tmp_path / "hotfix.md"
    path.write_bytes(b"x")
    (tmp_path / ".hotfix.md.abc123.tmp").write_bytes(b"half")
    (tmp_path / ".post-mortem.md.abc.tmp").write_bytes(b"not ours to sweep here")
    sweep_temporary_files(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".post-mortem.md.abc.tmp",
                                                          "hotfix.md"]


def test_the_edit_lock_waits_then_refuses_in_one_line(repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(locks, "WAIT", 0.2)
    handle = pygit2.Repository(str(repo))
    lock = repo / ".git" / locks.EDIT_LOCK
    with lock.open("w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        busy = pytest.raises(ToolError, match="another hotfix-gate command is editing a record")
        with busy, edit_lock(handle):
            pass
    with edit_lock(handle):
        assert lock.exists()
    assert not lock.exists()
