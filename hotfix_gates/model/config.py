"""The configuration in force (`.hotfix-gates.yaml`, validated by
hotfix_gates.parsing.config), with the documented defaults."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from datetime import timedelta

from hotfix_gates.model.constants import (
    DEFAULT_DEADLINES,
    DEFAULT_PROTECTED,
    DEFAULT_SPECS_DIR,
    DEFAULT_TARGETS,
)
from hotfix_gates.model.finding import Level


@dataclass(frozen=True)
class Config:
    specs_dir: str = DEFAULT_SPECS_DIR
    protected_branches: tuple[str, ...] = DEFAULT_PROTECTED
    deadlines: dict[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_DEADLINES))
    levels: dict[str, Level] = field(default_factory=dict)  # gate code -> level
    not_waivable: frozenset[str] = frozenset()  # gate codes
    targets: dict[str, timedelta] = field(default_factory=lambda: dict(DEFAULT_TARGETS))
    source: str = "defaults"

    def is_protected(self, branch: str) -> bool:
        if branch.startswith("refs/heads/"):
            branch = branch[len("refs/heads/") :]
        return any(fnmatch.fnmatchcase(branch, pattern) for pattern in self.protected_branches)

    def level(self, code: str, default: Level) -> Level:
        return self.levels.get(code, default)

    def deadline(self, key: str) -> timedelta:
        return self.deadlines.get(key, DEFAULT_DEADLINES[key])
