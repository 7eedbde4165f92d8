"""The parse cache's key: the code that decides what a parse yields."""

from __future__ import annotations

import os
from pathlib import Path

from hotfix_gates.git import cache, trees
from hotfix_gates.parsing import records


def test_the_digest_covers_the_tree_readers() -> None:
    """A cached record holds what GitTree read (flaws, modes): a change there
    must not be served results of the code before it."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))
    covered = {os.path.join(package, folder) for folder in cache.READERS}
    for module in (trees, records):
        assert os.path.dirname(os.path.abspath(module.__file__ or "")) in covered


def test_the_stamp_changes_with_any_reader_file(tmp_path: Path) -> None:
    """An edit, a new file or a removed one gives another stamp: the cache
    written by the code before it is not read."""
    for folder in cache.READERS:
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "reader.py").write_text("x = 1\n")
    first = cache.readers_stamp.__wrapped__(str(tmp_path))
    edited = tmp_path / "parsing" / "reader.py"
    edited.write_text("x = 22\n")
    second = cache.readers_stamp.__wrapped__(str(tmp_path))
    os.utime(edited, ns=(1, 1))
    third = cache.readers_stamp.__wrapped__(str(tmp_path))
    (tmp_path / "gates" / "new.py").write_text("")
    fourth = cache.readers_stamp.__wrapped__(str(tmp_path))
    assert len({first, second, third, fourth}) == 4
