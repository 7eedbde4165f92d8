"""The parse cache's key: the code that decides what a parse yields."""

from __future__ import annotations

import os
import pickle
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


def test_encodings_are_kept_across_runs_that_use_different_trees(tmp_path: Path) -> None:
    """Pushes compared with different targets ask for different folders'
    encodings: each keeps the other's, so neither rewrites the cache."""
    path = str(tmp_path / "cache.pickle")

    def run(key: str) -> None:
        store = cache.ParseCache(path)
        assert store.memo("encodings", key, lambda: True, lambda found: found) is True
        store.save()

    run("tree-a")
    run("tree-b")
    written = os.stat(path).st_ino  # a rewrite replaces the file
    run("tree-a")
    run("tree-b")
    assert os.stat(path).st_ino == written
    with open(path, "rb") as handle:
        assert pickle.load(handle)["encodings"] == {"tree-a": True, "tree-b": True}


def test_kinds_kept_across_runs_are_bounded(tmp_path: Path) -> None:
    """What this run used is kept, and up to a bound of what earlier runs did."""
    path = str(tmp_path / "cache.pickle")
    kind, bound = "encodings", dict(cache.ParseCache.KEPT_ACROSS_RUNS)["encodings"]
    for number in range(bound + 3):
        store = cache.ParseCache(path)
        store.memo(kind, f"tree-{number}", lambda: False, lambda found: found)
        store.save()
    with open(path, "rb") as handle:
        kept = pickle.load(handle)[kind]
    assert len(kept) == bound + 1 and "tree-1" not in kept and "tree-2" in kept
    assert list(kept)[-1] == f"tree-{bound + 2}"
