"""The report over several repositories at once: pure computations, no I/O.

Each repository is read by the shell into a `Source` (its label, its
configuration, its records); the numbers over all of them are the same
computations as for one repository, each record held to the targets and
deadlines of its own repository. A repository that could not be read is a
`Skipped`, carried into the report so that it is never silently dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from hotfix_gates.model.config import Config
from hotfix_gates.model.finding import printable
from hotfix_gates.reporting.metrics import (
    Facts,
    deadlines_minutes,
    entries,
    report_of,
    targets_minutes,
)
from hotfix_gates.reporting.shapes import Report, RepositoryBlock

# The label of the rows over every repository in the CSV; no repository gets it.
ALL = "(all)"


@dataclass
class Source:
    """One repository that was read."""

    label: str
    path: str  # the repository's top folder (its git folder when bare)
    config: Config
    facts: list[Facts] = field(default_factory=list)


@dataclass
class Skipped:
    """One repository that could not be read, and why."""

    label: str
    path: str  # as it was named
    reason: str


def unique_labels(paths: Sequence[str]) -> list[str]:
    """A short label per path: its folder name, or as many trailing folders
    as it takes to tell it from the others (`team-a/api`, `team-b/api`); a
    number is added to paths that are the same after all."""
    parts = [[printable(p) for p in os.path.normpath(os.path.abspath(path)).split(os.sep) if p]
             or ["/"] for path in paths]
    parts = [[*p[:-1], p[-1].removesuffix(".git") or p[-1]] for p in parts]
    depth = [1] * len(paths)
    while True:
        labels = ["/".join(p[-d:]) for p, d in zip(parts, depth, strict=True)]
        clashes = {label for label in labels if labels.count(label) > 1 or label == ALL}
        grown = False
        for i, label in enumerate(labels):
            if label in clashes and depth[i] < len(parts[i]):
                depth[i] += 1
                grown = True
        if not grown:
            break
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 and label != ALL else f"{label}-{seen[label]}")
    return out


def _common(values: Sequence[dict[str, float | None]]) -> dict[str, float | None]:
    """Per key, the value every repository agrees on, else null."""
    if not values:
        return {}
    return {key: value if all(v.get(key) == value for v in values) else None
            for key, value in values[0].items()}


def build_combined(sources: Sequence[Source], skipped: Sequence[Skipped], now: datetime,
                   since: datetime | None = None, until: datetime | None = None) -> Report:
    """The report over every source, plus `by_repository` (each repository's
    totals, with its own `by_severity`) and `skipped`. Record ids carry their
    repository's label (`api:hotfix-007`) when more than one repository was
    named."""
    several = len(sources) + len(skipped) > 1
    per_source = [entries(s.facts, s.config, s.label if several else None) for s in sources]
    targets = _common([targets_minutes(s.config) for s in sources])
    deadlines = _common([deadlines_minutes(s.config) for s in sources])
    report = report_of([e for group in per_source for e in group], now, since, until,
                       targets, deadlines)
    by_repository: dict[str, RepositoryBlock] = {}
    for source, items in zip(sources, per_source, strict=True):
        own = report_of(items, now, since, until, targets_minutes(source.config),
                        deadlines_minutes(source.config))
        by_repository[source.label] = {
            "path": source.path, **own["totals"], "unplaced": own["unplaced"],
            "targets_minutes": own["targets_minutes"],
            "deadlines_minutes": own["deadlines_minutes"], "by_severity": own["by_severity"]}
    report["by_repository"] = by_repository
    report["skipped"] = [{"repository": s.label, "path": s.path, "reason": s.reason}
                         for s in skipped]
    return report
