"""`hotfix-gate report`: recovery numbers per severity over a period, for one
repository or several at once, as text, data, a page with charts or a chart."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import EXIT_OK, TimeError, ToolError
from hotfix_gates.model.timeutil import parse_timestamp, resolve_now

if TYPE_CHECKING:
    from hotfix_gates.model.finding import Finding
    from hotfix_gates.reporting.combined import Skipped, Source
    from hotfix_gates.reporting.shapes import Report

FORMATS = ("text", "json", "csv", "markdown", "html", "png", "svg")
CHART_FORMATS = ("html", "png", "svg")


def _date(option: str, text: str | None) -> datetime | None:
    """A date (midnight UTC) or a full timestamp."""
    if text is None:
        return None
    try:
        return parse_timestamp(text)[0]
    except TimeError as exc:
        raise ToolError(f"{option}: {exc} (or a date like 2025-10-01)") from None


def listed_repositories(name: str) -> list[str]:
    """The paths in a list file (`-`: standard input), one per line; blank
    lines and lines starting with `#` are skipped; `~` is the home folder."""
    try:
        if name == "-":
            text = sys.stdin.read()
        else:
            with open(name, encoding="utf-8") as handle:
                text = handle.read()
    except OSError as exc:
        raise ToolError(f"--repos-from {name}: {exc.strerror}; name a file with one "
                        "repository path per line") from None
    except UnicodeDecodeError:
        raise ToolError(f"--repos-from {name}: not UTF-8 text; write one repository path "
                        "per line") from None
    stripped = (line.strip() for line in text.splitlines())
    # `~` is expanded as a shell would have done on the command line.
    return [os.path.expanduser(line) for line in stripped if line and not line.startswith("#")]


def read_repository(path: str | None, rev: str | None, now: datetime
                    ) -> tuple[Source, list[Finding]]:
    """One repository's records and configuration (the current one when
    `path` is None, honouring GIT_DIR as every command does)."""
    import pygit2

    from hotfix_gates.commands.status import gather, open_tree
    from hotfix_gates.reporting.combined import Source

    try:
        tree, config, top = open_tree(rev, path)
        gathered, problems = gather(tree, config, now)
    except (pygit2.GitError, OSError) as exc:
        raise ToolError(f"cannot read the repository: {exc}") from None
    return Source("", top, config, [facts for facts, _ in gathered]), problems


def read_sources(paths: list[str], rev: str | None, now: datetime
                 ) -> tuple[list[Source], list[Skipped]]:
    """Every repository named, in order; one that cannot be read (or is the
    same as one before it) is skipped with its reason, said on stderr."""
    from hotfix_gates.reporting.combined import Skipped, unique_labels

    if not paths:  # the current repository: its errors are the command's
        source, problems = read_repository(None, rev, now)
        _warn(problems, "")
        source.label = unique_labels([source.path])[0]
        return [source], []
    order: list[Source | Skipped] = []
    first_named: dict[str, tuple[Source, str]] = {}  # real path -> the source, as named
    twice: list[tuple[Skipped, Source]] = []
    for path in paths:
        try:
            source, problems = read_repository(path, rev, now)
        except ToolError as exc:
            order.append(Skipped("", path, str(exc)))
            continue
        key = os.path.realpath(source.path)
        if key in first_named:
            first, as_named = first_named[key]
            twice.append((Skipped("", path, f"the same repository as {as_named}"), first))
            continue
        first_named[key] = (source, path)
        _warn(problems, f"{path}: ")
        order.append(source)
    for item, label in zip(order, unique_labels([item.path for item in order]), strict=True):
        item.label = label
    for duplicate, first in twice:
        duplicate.label = first.label
    skipped = [item for item in order if isinstance(item, Skipped)]
    skipped += [duplicate for duplicate, _ in twice]
    for item in skipped:
        print(f"hotfix-gate: warning: skipped {item.path}: {item.reason}", file=sys.stderr)
    return [item for item in order if not isinstance(item, Skipped)], skipped


def _warn(problems: Iterable[Finding], where: str) -> None:
    for finding in problems:
        print(f"hotfix-gate: warning: {where}{finding.text()}", file=sys.stderr)


def render(report: Report, fmt: str) -> str | bytes:
    from hotfix_gates.reporting import tables

    if fmt == "json":
        text = json.dumps(report, indent=2)
    elif fmt == "csv":
        text = tables.render_csv(report)
    elif fmt == "markdown":
        text = tables.render_markdown(report)
    elif fmt == "html":
        from hotfix_gates.reporting.page import render_html

        return render_html(report)
    elif fmt in ("png", "svg"):
        from hotfix_gates.reporting.charts import main_chart

        chart = main_chart(report, fmt)
        return chart.decode() if fmt == "svg" else chart
    else:
        text = tables.render_text(report)
    return text + "\n"


def _write(data: str | bytes, output: str | None) -> None:
    if output is None or output == "-":
        if isinstance(data, str):
            sys.stdout.write(data)
        else:
            sys.stdout.flush()
            sys.stdout.buffer.write(data)
            sys.stdout.buffer.flush()
        return
    from hotfix_gates.editing.atomic import write_atomic

    try:
        write_atomic(output, data.encode() if isinstance(data, str) else data)
    except OSError as exc:
        raise ToolError(f"--output {output}: {exc.strerror}; name a file in a folder you "
                        "can write to") from None


def report(since: str | None, until: str | None, fmt: str, now_text: str | None,
           rev: str | None, repositories: tuple[str, ...] = (),
           repos_from: str | None = None, output: str | None = None) -> int:
    """Per severity: count, MTTR, time to detect and to deploy (mean and
    median minutes), resolutions within target, post-mortems and regression
    tests on time or late, open action items and waivers; per repository
    when several are named."""
    from hotfix_gates.reporting.combined import build_combined

    start, end = _date("--since", since), _date("--until", until)
    if start and end and start >= end:
        raise ToolError(f"--since {since} is not before --until {until}; the period is empty")
    now = resolve_now(now_text)
    if fmt in CHART_FORMATS:
        from hotfix_gates.reporting.charts import require

        require()  # before reading anything
    if fmt == "png" and output in (None, "-") and sys.stdout.isatty():
        raise ToolError("--format png writes binary data; add --output FILE.png or redirect "
                        "standard output to a file")
    paths = list(repositories)
    if repos_from is not None:
        paths += listed_repositories(repos_from)
        if not paths:
            raise ToolError(f"--repos-from {repos_from} lists no repository; write one path "
                            "per line")
    sources, skipped = read_sources(paths, rev, now)
    if not sources:
        raise ToolError(f"no repository could be read ({len(skipped)} skipped, each named "
                        "above)")
    data = build_combined(sources, skipped, now, start, end)
    _write(render(data, fmt), output)
    return EXIT_OK
