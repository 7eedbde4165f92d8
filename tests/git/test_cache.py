"""The parse cache's key: the code that decides what a parse yields."""

from __future__ import annotations

import os

from hotfix_gates.git import cache, trees
from hotfix_gates.parsing import records


def test_the_digest_covers_the_tree_readers() -> None:
    """A cached record holds what GitTree read (flaws, modes): a change there
    must not be served results of the code before it."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(cache.__file__)))
    covered = {os.path.join(package, folder) for folder in cache.READERS}
    for module in (trees, records):
        assert os.path.dirname(os.path.abspath(module.__file__ or "")) in covered
