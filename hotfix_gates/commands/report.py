"""`hotfix-gate report`: recovery numbers per severity over a period."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime

from hotfix_gates.model.errors import EXIT_OK, TimeError, ToolError
from hotfix_gates.model.timeutil import parse_timestamp

FORMATS = ("text", "json", "csv", "markdown")
Report = dict[str, object]
Block = dict[str, object]


def _date(option: str, text: str | None) -> datetime | None:
    """A date (midnight UTC) or a full timestamp."""
    if text is None:
        return None
    try:
        return parse_timestamp(text)[0]
    except TimeError as exc:
        raise ToolError(f"{option}: {exc} (or a date like 2025-10-01)") from None


def _blocks(report: Report) -> list[tuple[str, Block]]:
    by_severity: dict[str, Block] = report["by_severity"]  # type: ignore[assignment]
    totals: Block = report["totals"]  # type: ignore[assignment]
    return [*by_severity.items(), ("total", totals)]


def _num(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def _spread(block: Block, name: str) -> dict[str, float | None]:
    spread: dict[str, float | None] = block[f"{name}_minutes"]  # type: ignore[assignment]
    return spread


def _counts(block: Block, key: str) -> dict[str, int]:
    counts: dict[str, int] = block[key]  # type: ignore[assignment]
    return counts


def _period(report: Report) -> str:
    since, until = report["since"], report["until"]
    if since and until:
        return f"{since} to {until} (until excluded)"
    if since:
        return f"from {since}"
    if until:
        return f"before {until}"
    return "all records"


def _missing_lines(report: Report) -> list[str]:
    """Every record a number could not use, by reason, named."""
    lines = []
    totals: Block = report["totals"]  # type: ignore[assignment]
    open_ids: list[str] = totals["open_records"]  # type: ignore[assignment]
    labels = (("missing", "no {key}"), ("unreadable", "unreadable {key}"),
              ("before_start", "{key} before incident_start"))
    for field, label in labels:
        groups: dict[str, list[str]] = totals[field]  # type: ignore[assignment]
        for key, ids in groups.items():
            named = [f"{i} (open)" if key == "resolved_at" and i in open_ids else i for i in ids]
            what = "record cannot be read (run `hotfix-gate check`)" if key == "record" else (
                label.format(key=key))
            lines.append(f"{what}: {', '.join(named)}")
    unplaced: list[str] = report["unplaced"]  # type: ignore[assignment]
    if unplaced:
        lines.append(f"not placed in the period (no readable incident_start): "
                     f"{', '.join(unplaced)}")
    return lines


# -- formats --------------------------------------------------------------------


CSV_FIELDS = (
    "severity", "count", "open", "mttr_mean_minutes", "mttr_median_minutes",
    "detect_mean_minutes", "detect_median_minutes", "deploy_mean_minutes",
    "deploy_median_minutes", "target_minutes", "within_target", "missed_target",
    "post_mortems_on_time", "post_mortems_late", "post_mortems_overdue",
    "post_mortems_pending", "post_mortems_undated", "regression_tests_on_time",
    "regression_tests_late", "regression_tests_overdue", "regression_tests_pending",
    "regression_tests_undated", "open_action_items", "waivers", "waivers_active", "missing",
)


def _flat(name: str, block: Block) -> dict[str, object]:
    row: dict[str, object] = {"severity": name, "count": block["count"], "open": block["open"]}
    for clock in ("mttr", "detect", "deploy"):
        spread = _spread(block, clock)
        row[f"{clock}_mean_minutes"] = spread["mean"]
        row[f"{clock}_median_minutes"] = spread["median"]
    for key in ("target_minutes", "within_target", "missed_target", "open_action_items"):
        row[key] = block[key]
    for duty in ("post_mortems", "regression_tests"):
        for outcome, count in _counts(block, duty).items():
            row[f"{duty}_{outcome}"] = count
    waivers: dict[str, object] = block["waivers"]  # type: ignore[assignment]
    row["waivers"], row["waivers_active"] = waivers["count"], waivers["active"]
    parts = []
    for field in ("missing", "unreadable", "before_start"):
        groups: dict[str, list[str]] = block[field]  # type: ignore[assignment]
        parts += [f"{field}:{key}={' '.join(ids)}" for key, ids in groups.items()]
    row["missing"] = "; ".join(parts)
    return row


def render_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for name, block in _blocks(report):
        writer.writerow({k: "" if v is None else v for k, v in _flat(name, block).items()})
    return out.getvalue().rstrip("\n")


def _summary_table(report: Report, *, markdown: bool) -> list[str]:
    head = ["severity", "count", "open", "MTTR mean", "MTTR median", "detect mean",
            "detect median", "deploy mean", "deploy median", "target", "within", "missed"]
    rows = []
    for name, block in _blocks(report):
        row = [name, _num(block["count"]), _num(block["open"])]
        for clock in ("mttr", "detect", "deploy"):
            spread = _spread(block, clock)
            row += [_num(spread["mean"]), _num(spread["median"])]
        row += [_num(block["target_minutes"]), _num(block["within_target"]),
                _num(block["missed_target"])]
        rows.append(row)
    return _table(head, rows, markdown=markdown)


def _duty_table(report: Report, *, markdown: bool) -> list[str]:
    head = ["severity", "post-mortem on time", "late", "overdue", "pending", "undated",
            "tests on time", "late", "overdue", "pending", "undated", "open actions", "waivers"]
    rows = []
    for name, block in _blocks(report):
        waivers: dict[str, object] = block["waivers"]  # type: ignore[assignment]
        rows.append([name, *map(_num, _counts(block, "post_mortems").values()),
                     *map(_num, _counts(block, "regression_tests").values()),
                     _num(block["open_action_items"]),
                     f"{waivers['count']} ({waivers['active']} active)"])
    return _table(head, rows, markdown=markdown)


def _table(head: list[str], rows: list[list[str]], *, markdown: bool) -> list[str]:
    if markdown:
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(head))) + "|"]
        return lines + ["| " + " | ".join(row) + " |" for row in rows]
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return ["  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(r, widths, strict=True)))
            for r in [head, *rows]]


def _waiver_gates(report: Report) -> str:
    totals: Block = report["totals"]  # type: ignore[assignment]
    waivers: dict[str, object] = totals["waivers"]  # type: ignore[assignment]
    by_gate: dict[str, int] = waivers["by_gate"]  # type: ignore[assignment]
    return ", ".join(f"{gate} {count}" for gate, count in by_gate.items()) or "none"


def _action_lines(report: Report) -> list[str]:
    items: list[dict[str, str]] = report["action_items"]  # type: ignore[assignment]
    return [f"- [ ] {item['id']} ({item['severity']}): {item['item']}" for item in items]


def mttr_chart(report: Report, width: int = 40) -> list[str]:
    """Mean MTTR per month as a text bar chart."""
    months: list[dict[str, object]] = report["mttr_by_month"]  # type: ignore[assignment]
    if not months:
        return ["(no resolved incidents in the period)"]
    means = [float(m["mean"] or 0) for m in months]  # type: ignore[arg-type]
    top = max(means) or 1.0
    lines = []
    for month, value in zip(months, means, strict=True):
        bar = "#" * max(1, round(value / top * width)) if value else ""
        lines.append(f"{month['month']}  {bar:<{width}}  {value:g} min "
                     f"({month['count']} resolved)")
    return lines


def render_text(report: Report) -> str:
    lines = [f"Hotfix report: {_period(report)} (as of {report['now']}); times in minutes", ""]
    lines += _summary_table(report, markdown=False)
    lines += ["", *_duty_table(report, markdown=False), ""]
    lines.append(f"waivers by gate: {_waiver_gates(report)}")
    actions = _action_lines(report)
    lines.append(f"open action items: {len(actions)}")
    lines += [f"  {line}" for line in actions]
    missing = _missing_lines(report)
    if missing:
        lines += ["", "not in every number:"] + [f"  {line}" for line in missing]
    lines += ["", "MTTR per month (mean):"] + [f"  {line}" for line in mttr_chart(report)]
    return "\n".join(lines)


DEFINITIONS = """\
- **MTTR**: `resolved_at - incident_start`; **time to detect**: `detected_at - incident_start`;
  **time to deploy**: `deployed_at - incident_start`. Mean and median in minutes, over the
  records that have both timestamps.
- **Within target**: resolved no later than the severity's target after `incident_start`.
- **On time** (post-mortem, regression tests): the deadline runs from `resolved_at` (else
  `deployed_at`). Done and dated (`completed_at` in post-mortem.md,
  `regression_tests_added_at` in hotfix.md) on or before the deadline; or done while the
  deadline has not yet passed. **Late**: dated after the deadline. **Overdue**: not done and
  the deadline has passed. **Undated**: done, deadline passed, no date to judge by."""


def render_markdown(report: Report) -> str:
    targets: dict[str, object] = report["targets_minutes"]  # type: ignore[assignment]
    totals: Block = report["totals"]  # type: ignore[assignment]
    lines = [f"# Hotfix report: {_period(report)}", "",
             f"As of {report['now']}. {totals['count']} incidents. Times are in minutes. "
             "Targets: " + ", ".join(f"{sev} {_num(m)} min" for sev, m in targets.items()) + ".",
             "", "## Recovery", ""]
    lines += _summary_table(report, markdown=True)
    lines += ["", "## Follow-up", ""]
    lines += _duty_table(report, markdown=True)
    lines += ["", f"Waivers by gate: {_waiver_gates(report)}.", "", "## Open action items", ""]
    lines += _action_lines(report) or ["None."]
    lines += ["", "## MTTR per month", "", "```", *mttr_chart(report), "```"]
    missing = _missing_lines(report)
    if missing:
        lines += ["", "## Data gaps", ""] + [f"- {line}" for line in missing]
    lines += ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(lines)


def report(since: str | None, until: str | None, fmt: str, now_text: str | None,
                   rev: str | None) -> int:
    """Per severity: count, MTTR, time to detect and to deploy (mean and
    median minutes), resolutions within target, post-mortems and regression
    tests on time or late, open action items and waivers."""
    from hotfix_gates.commands.status import clock, gather, open_tree, show_problems
    from hotfix_gates.reporting.metrics import build_report

    start, end = _date("--since", since), _date("--until", until)
    if start and end and start >= end:
        raise ToolError(f"--since {since} is not before --until {until}; the period is empty")
    now = clock(now_text)
    tree, config = open_tree(rev)
    gathered, problems = gather(tree, config)
    show_problems(problems)
    report = build_report([facts for facts, _ in gathered], config, now, start, end)
    if fmt == "json":
        print(json.dumps(report, indent=2))
    elif fmt == "csv":
        print(render_csv(report))
    elif fmt == "markdown":
        print(render_markdown(report))
    else:
        print(render_text(report))
    return EXIT_OK
