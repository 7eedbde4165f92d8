"""The two settings the hooks' fast paths need from a `.hotfix-gates.yaml`
(the protected-branch globs and the specs folder), by the file's blob id.

Parsing YAML costs an import of PyYAML, so the answers are kept in
`hotfix-gates/config-cache.json` in the git dir all worktrees share, keyed by
blob id (a blob's content never changes under its id) and this package's
version. A configuration that does not load is never kept and gives None: the
caller takes the full path, which reports it. Only a regular file is read
here; a symbolic link, a folder or a submodule at that path gives None too.
The cache is best effort: unreadable or malformed, it is ignored.

Standard library only until a blob must be parsed.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from hotfix_gates import __version__
from hotfix_gates.git.command import REGULAR_MODES, Entry, GitFailed, run_git
from hotfix_gates.model.constants import CONFIG_FILE, DEFAULT_PROTECTED, DEFAULT_SPECS_DIR

TYPE_CHECKING = False  # `typing` costs the fast paths a few milliseconds
if TYPE_CHECKING:
    from hotfix_gates.model.tree import EntryKind

Settings = tuple[tuple[str, ...], str]  # (protected globs, specs folder)
DEFAULTS: Settings = (DEFAULT_PROTECTED, DEFAULT_SPECS_DIR)
FILE = os.path.join("hotfix-gates", "config-cache.json")
FORMAT = 1
KEEP = 64  # entries: a repository has few configurations in use at a time


def settings_of(entries: Iterable[Entry | None], cache_dir: str | None,
                environ: Mapping[str, str] | None = None) -> dict[Entry | None, Settings | None]:
    """The settings of each configuration entry (None: no file, the defaults),
    read from the cache in `cache_dir` (a git dir) or parsed and kept there."""
    wanted = list(dict.fromkeys(entries))
    out: dict[Entry | None, Settings | None] = {}
    blobs: list[str] = []
    for entry in wanted:
        if entry is None:
            out[entry] = DEFAULTS
        elif entry[0] not in REGULAR_MODES:
            out[entry] = None  # read as load_config reads it: the full path
        else:
            blobs.append(entry[1])
    if not blobs:
        return out
    path = os.path.join(cache_dir, FILE) if cache_dir is not None else None
    known = _load(path) if path is not None else {}
    added = False
    for blob in dict.fromkeys(blobs):
        if blob not in known:
            settings = _parse_blob(blob, environ)
            if settings is None:
                continue
            known[blob] = settings
            added = True
    if added and path is not None:
        _save(path, known)
    for entry in wanted:
        if entry is not None and entry[0] in REGULAR_MODES:
            out[entry] = known.get(entry[1])
    return out


def _load(path: str) -> dict[str, Settings]:
    import json

    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT \
            or data.get("version") != __version__ or not isinstance(data.get("configs"), dict):
        return {}
    known: dict[str, Settings] = {}
    for blob, value in data["configs"].items():
        # only well-shaped entries count; anything else is parsed again
        if isinstance(value, list) and len(value) == 2 and isinstance(value[0], list) \
                and all(isinstance(glob, str) for glob in value[0]) \
                and isinstance(value[1], str) and value[1]:
            known[blob] = (tuple(value[0]), value[1])
    return known


def _save(path: str, known: dict[str, Settings]) -> None:
    import json

    from hotfix_gates.editing.atomic import write_atomic

    kept = dict(list(known.items())[-KEEP:])  # the newest, in the order they came
    data = {"format": FORMAT, "version": __version__,
            "configs": {blob: [list(globs), specs] for blob, (globs, specs) in kept.items()}}
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomic(path, json.dumps(data, indent=1).encode("utf-8"))
    except OSError:
        pass


def _parse_blob(blob: str, environ: Mapping[str, str] | None) -> Settings | None:
    """Load the blob as load_config loads the file (its size limit, encoding
    and checks); None when git cannot give it or it does not load."""
    from hotfix_gates.model.errors import ToolError
    from hotfix_gates.parsing.config import load_config

    try:
        data = run_git(["cat-file", "blob", blob], environ)
        config = load_config(_OneFile(data))
    except (GitFailed, ToolError):
        return None
    return config.protected_branches, config.specs_dir


class _OneFile:
    """A tree holding only the configuration file, so the fast paths load it
    exactly as the full check does."""

    label = "configuration"

    def __init__(self, data: bytes) -> None:
        self._data = data

    def object_id(self, path: str) -> str | None:
        return None  # nothing read here goes into the parse cache

    def kind(self, path: str) -> EntryKind | None:
        return "file" if path == CONFIG_FILE else None

    def listdir(self, path: str) -> dict[str, EntryKind] | None:
        return {CONFIG_FILE: "file"} if path == "" else None

    def flaws(self, path: str) -> list[str]:
        return []

    def _read_entry(self, path: str, limit: int) -> bytes:
        from hotfix_gates.model.errors import TreeError
        from hotfix_gates.model.tree import too_large

        if path != CONFIG_FILE:
            raise TreeError(f"{path} does not exist")
        if len(self._data) > limit:
            raise too_large(path, len(self._data), limit)
        return self._data

    def _link_target(self, path: str) -> str:
        from hotfix_gates.model.errors import TreeError

        raise TreeError(f"{path} is not a symbolic link")
