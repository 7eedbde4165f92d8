"""The report as one self-contained HTML page: charts inline as SVG, a table
of the same numbers beside or below each, inline CSS with a print
stylesheet; no script, no font or stylesheet from anywhere else.

Every number in a table is marked with the place it comes from in
`report --format json` (`data-json`, a JSON pointer) and its exact value
there (`data-value`, JSON), so the page can be checked against the data.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from html import escape

from hotfix_gates import __version__
from hotfix_gates.reporting import charts
from hotfix_gates.reporting.page_style import CSS
from hotfix_gates.reporting.shapes import OUTCOMES, Block, Report
from hotfix_gates.reporting.tables import (
    missing_lines,
    num,
    period_text,
    repositories,
    several,
    skipped_repositories,
)

Path = tuple[str | int, ...]
GROUPS = ("P0", "P1", "P2", "unassessed")
MOST_REPOSITORIES = 25  # repositories drawn in the comparison chart (the table has all)
MOST_ACTIONS = 500  # open action items listed (the JSON has all)


def pointer(path: Path) -> str:
    """RFC 6901: `/by_repository/team~1api/count`."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def value_at(data: object, path: Path) -> object:
    """The value at `path` in JSON data (the report, or the report read back)."""
    value = data
    for key in path:
        if isinstance(value, dict):
            value = value[key]
        elif isinstance(value, list):
            value = value[int(key)]  # as in a pointer, "3" is index 3
        else:
            raise KeyError(f"{pointer(path)}: {key!r} is inside neither an object nor an array")
    return value


def mark(report: Report, *path: str | int, suffix: str = "") -> str:
    """A number as shown, marked with where it comes from and its value."""
    value = value_at(report, path)
    return (f'<span data-json="{escape(pointer(path))}" data-value="{escape(json.dumps(value))}"'
            f">{escape(num(value))}</span>{suffix}")


def _group_path(group: str) -> Path:
    return ("totals",) if group == "all" else ("by_severity", group)


def table(head: list[str], rows: list[list[str]], caption: str) -> str:
    """Cells are HTML; the first column is the row's name, the rest numbers."""
    th = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join("<tr>" + f'<th scope="row">{row[0]}</th>'
                   + "".join(f'<td class="n">{cell}</td>' for cell in row[1:]) + "</tr>"
                   for row in rows)
    return (f"<table><caption>{escape(caption)}</caption><thead><tr>{th}</tr></thead>"
            f"<tbody>{body}</tbody></table>")


def section(key: str, title: str, svg: str, caption: str, table_html: str, *,
            wide: bool) -> str:
    start = svg.index("<svg")
    svg = svg[start:].replace("<svg ", f'<svg class="chart" role="img" '
                              f'aria-labelledby="{key}-caption" ', 1)
    return (f'<section class="chart{" wide" if wide else ""}" id="{key}">'
            f"<h2>{escape(title)}</h2><div class=\"pair\"><figure>{svg}"
            f'<figcaption id="{key}-caption">{caption}</figcaption></figure>'
            f'<div class="numbers">{table_html}</div></div></section>')


# -- the sections ---------------------------------------------------------------------------


def mttr_section(report: Report) -> str:
    series = report["mttr_by_month_by_severity"]
    rows = []
    for i, month in enumerate(report["mttr_by_month"]):
        row = [escape(month["month"])]
        for group in GROUPS:
            found = [j for j, m in enumerate(series[group]) if m["month"] == month["month"]]
            row.append(mark(report, "mttr_by_month_by_severity", group, found[0], "mean")
                       + " <small>(" + mark(report, "mttr_by_month_by_severity", group,
                                            found[0], "count") + ")</small>"
                       if found else "-")
        row.append(mark(report, "mttr_by_month", i, "mean") + " <small>("
                   + mark(report, "mttr_by_month", i, "count") + ")</small>")
        rows.append(row)
    rows.append(["target", *(_target_cell(report, g) for g in GROUPS[:3]), "-", "-"])
    head = ["month", *GROUPS, "all"]
    fig = charts.mttr_by_month(report)
    caption = ("Mean time to resolve (<code>resolved_at - incident_start</code>) of the "
               "incidents that started in each month; dashed lines are the configured "
               "<code>targets:</code>.")
    return section("mttr-by-month", "Time to resolve",
                   charts.svg_text(fig, "c1"), caption,
                   table(head, rows, "Mean MTTR in minutes (incidents resolved)"), wide=True)


def _target_cell(report: Report, severity: str) -> str:
    target, where_set = charts.common_targets(report).get(severity, (None, ""))
    if not where_set:
        return mark(report, "targets_minutes", severity)
    return f"{num(target)} <small>({escape(where_set.strip())})</small>"


def detect_section(report: Report) -> str:
    rows = []
    for group in (*GROUPS, "all"):
        at = _group_path(group)
        rows.append([escape(group), *(mark(report, *at, f"{clock}_minutes", stat)
                                      for clock in ("detect", "deploy", "mttr")
                                      for stat in ("mean", "median"))])
    head = ["severity", "detect mean", "median", "deploy mean", "median", "MTTR mean",
            "median"]
    caption = ("Minutes from <code>incident_start</code> to <code>detected_at</code> and to "
               "<code>deployed_at</code>, over the incidents that have both.")
    return section("detect-deploy", "Detection and deployment",
                   charts.svg_text(charts.detect_and_deploy(report), "c2"), caption,
                   table(head, rows, "Minutes after incident start"), wide=True)


def follow_up_section(report: Report) -> str:
    rows = []
    for group in (*GROUPS, "all"):
        at = _group_path(group)
        rows.append([escape(group), *(mark(report, *at, duty, outcome)
                                      for duty in ("post_mortems", "regression_tests")
                                      for outcome in OUTCOMES)])
    names = ["on time", "late", "overdue", "pending", "undated"]
    head = ["severity", *(f"post-mortem {n}" for n in names), *(f"tests {n}" for n in names)]
    caption = ("Against the deadline after <code>resolved_at</code> (else "
               "<code>deployed_at</code>); see the definitions below.")
    return section("follow-up", "Follow-up on time",
                   charts.svg_text(charts.follow_up(report), "c3"), caption,
                   table(head, rows, "Incidents per outcome"), wide=True)


def open_section(report: Report) -> str:
    rows = [[escape(group), mark(report, *_group_path(group), "open"),
             mark(report, *_group_path(group), "open_action_items")]
            for group in (*GROUPS, "all")]
    caption = ("Incidents with no <code>resolved_at</code> and not resolved or closed; "
               "unchecked <code>- [ ]</code> items under Action Items.")
    return section("open", "Open work",
                   charts.svg_text(charts.open_work(report), "c4"), caption,
                   table(["severity", "open incidents", "open action items"], rows, "Counts"),
                   wide=False)


def waivers_section(report: Report) -> str:
    by_gate = report["totals"]["waivers"]["by_gate"]
    rows = [[escape(gate), mark(report, "totals", "waivers", "by_gate", gate)] for gate in by_gate]
    rows.append(["all gates", mark(report, "totals", "waivers", "count")])
    rows.append(["still active", mark(report, "totals", "waivers", "active")])
    caption = "Every waiver recorded on the incidents in the period, expired or not."
    return section("waivers", "Waivers",
                   charts.svg_text(charts.waivers(report), "c5"), caption,
                   table(["gate", "waivers"], rows, "Waivers"), wide=False)


def _trouble(block: Block) -> int:
    """Missed targets, open incidents and overdue follow-up, together."""
    return (block["post_mortems"]["overdue"] + block["regression_tests"]["overdue"]
            + (block["missed_target"] or 0) + block["open"])


def repositories_section(report: Report) -> str:
    found = repositories(report)
    ranked = sorted(found, key=lambda item: -_trouble(item[1]))[:MOST_REPOSITORIES]
    rows = []
    for label, _ in found:
        at = ("by_repository", label)
        rows.append([escape(label), mark(report, *at, "count"), mark(report, *at, "open"),
                     mark(report, *at, "mttr_minutes", "mean"),
                     mark(report, *at, "mttr_minutes", "median"),
                     mark(report, *at, "within_target"), mark(report, *at, "missed_target"),
                     mark(report, *at, "post_mortems", "overdue"),
                     mark(report, *at, "regression_tests", "overdue"),
                     mark(report, *at, "open_action_items"), mark(report, *at, "waivers", "count")])
    head = ["repository", "incidents", "open", "MTTR mean", "MTTR median", "within target",
            "missed", "post-mortems overdue", "tests overdue", "open actions", "waivers"]
    shown = ("every repository" if len(ranked) == len(found) else
             f"the {len(ranked)} of {len(found)} repositories with the most missed targets, "
             "open incidents and overdue follow-up (every repository is in the table)")
    caption = (f"Drawn: {escape(shown)}. Each repository's incidents are held to its own "
               "<code>targets:</code> and deadlines.")
    svg = charts.svg_text(charts.repositories(report, [label for label, _ in ranked]), "c6")
    return section("repositories", "Repositories", svg, caption,
                   table(head, rows, "Per repository; times in minutes"), wide=True)


# -- the page ------------------------------------------------------------------------------


def _kpis(report: Report) -> str:
    items = [("incidents", ("totals", "count")), ("still open", ("totals", "open")),
             ("MTTR mean, minutes", ("totals", "mttr_minutes", "mean")),
             ("resolved within target", ("totals", "within_target")),
             ("missed the target", ("totals", "missed_target")),
             ("post-mortems overdue", ("totals", "post_mortems", "overdue")),
             ("regression tests overdue", ("totals", "regression_tests", "overdue")),
             ("open action items", ("totals", "open_action_items"))]
    return '<dl class="kpis">' + "".join(
        f"<div><dt>{escape(name)}</dt><dd>{mark(report, *path)}</dd></div>"
        for name, path in items) + "</dl>"


def _skipped(report: Report) -> str:
    found = skipped_repositories(report)
    if not found:
        return ""
    items = "".join(f"<li><strong>{escape(s['repository'])}</strong> "
                    f"(<code>{escape(s['path'])}</code>): {escape(s['reason'])}</li>"
                    for s in found)
    return (f'<div class="skipped" id="skipped"><h2>{len(found)} '
            f"{'repository' if len(found) == 1 else 'repositories'} not read</h2>"
            f"<ul>{items}</ul></div>")


def _actions(report: Report) -> str:
    items = report["action_items"]
    listed = "".join(f"<li><code>{escape(i['id'])}</code> ({escape(i['severity'])}): "
                     f"{escape(i['item'])}</li>" for i in items[:MOST_ACTIONS])
    more = (f"<p>… and {len(items) - MOST_ACTIONS} more (<code>--format json</code> lists "
            "every one).</p>" if len(items) > MOST_ACTIONS else "")
    return ('<section id="action-items"><h2>Open action items</h2>'
            + (f"<ul>{listed}</ul>{more}" if items else "<p>None.</p>") + "</section>")


def _gaps(report: Report) -> str:
    lines = missing_lines(report)
    if not lines:
        return ""
    return ('<section id="data-gaps"><h2>Not in every number</h2><ul>'
            + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul></section>")


DEFINITIONS = """<section id="definitions"><h2>Definitions</h2><dl>
<dt>MTTR, time to detect, time to deploy</dt><dd><code>resolved_at</code>,
<code>detected_at</code> and <code>deployed_at</code> minus <code>incident_start</code>;
mean and median in minutes over the incidents that have both timestamps.</dd>
<dt>Within target</dt><dd>Resolved no later than the severity's target after
<code>incident_start</code> (the repository's <code>targets:</code>).</dd>
<dt>On time, late, overdue, pending, undated</dt><dd>The deadline runs from
<code>resolved_at</code> (else <code>deployed_at</code>). Done and dated on or before it:
on time; dated after it: late; not done once it has passed: overdue; not done before it:
pending; done, deadline passed, no date to judge by: undated.</dd>
</dl></section>"""


def _targets(report: Report) -> str:
    targets = report["targets_minutes"]
    return ", ".join(f"{escape(sev)} {mark(report, 'targets_minutes', sev)} min"
                     if minutes is not None else f"{escape(sev)} differs by repository"
                     for sev, minutes in targets.items())


def render_html(report: Report) -> str:
    charts.require()
    parts: list[Callable[[Report], str]] = [mttr_section]
    if several(report):
        parts.append(repositories_section)
    parts += [detect_section, follow_up_section, open_section, waivers_section]
    with charts.style():
        sections = "".join(part(report) for part in parts)
    found = repositories(report)
    where = ""
    if several(report):
        where = (f" Repositories: {len(found)} read, "
                 f"{len(skipped_repositories(report))} not read.")
    elif found:
        where = f" Repository: {escape(found[0][0])}."
    title = f"Hotfix report: {period_text(report)}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="hotfix-gates {escape(__version__)}">
<title>{escape(title)}</title>
<style>{CSS}</style></head>
<body><main>
<header><h1>{escape(title)}</h1>
<p>As of {escape(report['now'])}.{where} Targets: {_targets(report)}.</p>
{_skipped(report)}{_kpis(report)}</header>
{sections}{_actions(report)}{_gaps(report)}{DEFINITIONS}
<footer>Made by <code>hotfix-gate report --format html</code> (hotfix-gates
{escape(__version__)}).</footer>
</main></body></html>
"""
