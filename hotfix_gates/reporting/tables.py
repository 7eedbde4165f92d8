"""The report as text, CSV and Markdown: tables of the numbers that
`build_report` / `build_combined` computed (no I/O, no computation of our own)."""

from __future__ import annotations

import csv
import io

from hotfix_gates.reporting.combined import ALL
from hotfix_gates.reporting.shapes import (
    OUTCOMES,
    Block,
    Report,
    RepositoryBlock,
    SkippedRepository,
    clocks,
    outcome_counts,
)


def _blocks(by_severity: dict[str, Block], totals: Block) -> list[tuple[str, Block]]:
    return [*by_severity.items(), ("total", totals)]


def several(report: Report) -> bool:
    """More than one repository was named: the report shows one row each."""
    return len(repositories(report)) + len(skipped_repositories(report)) > 1


def repositories(report: Report) -> list[tuple[str, RepositoryBlock]]:
    return list(report.get("by_repository", {}).items())


def skipped_repositories(report: Report) -> list[SkippedRepository]:
    return report.get("skipped", [])


def num(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}" if abs(value) < 1e6 else f"{value:.0f}"
    return str(value)


def period_text(report: Report) -> str:
    since, until = report["since"], report["until"]
    if since and until:
        return f"{since} to {until} (until excluded)"
    if since:
        return f"from {since}"
    if until:
        return f"before {until}"
    return "all records"


def missing_lines(report: Report) -> list[str]:
    """Every record a number could not use, by reason, named."""
    lines = []
    totals = report["totals"]
    open_ids = totals["open_records"]
    labels = ((totals["missing"], "no {key}"), (totals["unreadable"], "unreadable {key}"),
              (totals["before_start"], "{key} before incident_start"))
    for groups, label in labels:
        for key, ids in groups.items():
            named = [f"{i} (open)" if key == "resolved_at" and i in open_ids else i for i in ids]
            what = "record cannot be read (run `hotfix-gate check`)" if key == "record" else (
                label.format(key=key))
            lines.append(f"{what}: {', '.join(named)}")
    unplaced = report["unplaced"]
    if unplaced:
        lines.append(f"not placed in the period (no readable incident_start): "
                     f"{', '.join(unplaced)}")
    past = totals["open_past_limit"]
    if past:
        lines.append(f"open past the resolution limit, no end recorded (HG204): "
                     f"{', '.join(past)}")
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
    for clock, spread in clocks(block):
        row[f"{clock}_mean_minutes"] = spread["mean"]
        row[f"{clock}_median_minutes"] = spread["median"]
    row["target_minutes"] = block["target_minutes"]
    row["within_target"] = block["within_target"]
    row["missed_target"] = block["missed_target"]
    row["open_action_items"] = block["open_action_items"]
    for duty, counts in (("post_mortems", block["post_mortems"]),
                         ("regression_tests", block["regression_tests"])):
        for outcome in OUTCOMES:
            row[f"{duty}_{outcome}"] = counts[outcome]
    waivers = block["waivers"]
    row["waivers"], row["waivers_active"] = waivers["count"], waivers["active"]
    parts = []
    for field, groups in (("missing", block["missing"]), ("unreadable", block["unreadable"]),
                          ("before_start", block["before_start"])):
        parts += [f"{field}:{key}={' '.join(ids)}" for key, ids in groups.items()]
    row["missing"] = "; ".join(parts)
    return row


def render_csv(report: Report) -> str:
    """One row per severity and a total; with several repositories, a first
    column `repository`: the rows over all of them (`(all)`), then each
    repository's rows, then one row per skipped repository with its reason."""
    out = io.StringIO()
    many = several(report)
    fields = ("repository", *CSV_FIELDS, "skipped") if many else CSV_FIELDS
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    groups = [(ALL, _blocks(report["by_severity"], report["totals"]))]
    if many:  # a repository's block holds its totals, and its own by_severity
        groups += [(label, _blocks(block["by_severity"], block))
                   for label, block in repositories(report)]
    for label, blocks in groups:
        for name, block in blocks:
            row = {k: "" if v is None else v for k, v in _flat(name, block).items()}
            writer.writerow({"repository": label, **row} if many else row)
    for skipped in skipped_repositories(report) if many else []:
        writer.writerow({"repository": skipped["repository"], "severity": "",
                         "skipped": f"{skipped['path']}: {skipped['reason']}"})
    return out.getvalue().rstrip("\n")


def _repository_table(report: Report, *, markdown: bool) -> list[str]:
    head = ["repository", "count", "open", "MTTR mean", "MTTR median", "within", "missed",
            "post-mortems overdue", "tests overdue", "open actions", "waivers"]
    rows = []
    for label, block in repositories(report):
        mttr = block["mttr_minutes"]
        rows.append([label.replace("|", "\\|") if markdown else label, num(block["count"]),
                     num(block["open"]), num(mttr["mean"]), num(mttr["median"]),
                     num(block["within_target"]), num(block["missed_target"]),
                     num(block["post_mortems"]["overdue"]),
                     num(block["regression_tests"]["overdue"]),
                     num(block["open_action_items"]), num(block["waivers"]["count"])])
    return _table(head, rows, markdown=markdown)


def _skipped_lines(report: Report) -> list[str]:
    return [f"{s['repository']} ({s['path']}): {s['reason']}" for s in skipped_repositories(report)]


def _repositories_line(report: Report) -> str:
    read, skipped = len(repositories(report)), len(skipped_repositories(report))
    return f"{read} repositories read, {skipped} skipped"


def _summary_table(report: Report, *, markdown: bool) -> list[str]:
    head = ["severity", "count", "open", "MTTR mean", "MTTR median", "detect mean",
            "detect median", "deploy mean", "deploy median", "target", "within", "missed"]
    rows = []
    for name, block in _blocks(report["by_severity"], report["totals"]):
        row = [name, num(block["count"]), num(block["open"])]
        for _, spread in clocks(block):
            row += [num(spread["mean"]), num(spread["median"])]
        row += [num(block["target_minutes"]), num(block["within_target"]),
                num(block["missed_target"])]
        rows.append(row)
    return _table(head, rows, markdown=markdown)


def _duty_table(report: Report, *, markdown: bool) -> list[str]:
    head = ["severity", "post-mortem on time", "late", "overdue", "pending", "undated",
            "tests on time", "late", "overdue", "pending", "undated", "open actions", "waivers"]
    rows = []
    for name, block in _blocks(report["by_severity"], report["totals"]):
        waivers = block["waivers"]
        rows.append([name, *map(num, outcome_counts(block["post_mortems"])),
                     *map(num, outcome_counts(block["regression_tests"])),
                     num(block["open_action_items"]),
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
    by_gate = report["totals"]["waivers"]["by_gate"]
    return ", ".join(f"{gate} {count}" for gate, count in by_gate.items()) or "none"


def _action_lines(report: Report) -> list[str]:
    return [f"- [ ] {item['id']} ({item['severity']}): {item['item']}"
            for item in report["action_items"]]


def mttr_chart(report: Report, width: int = 40) -> list[str]:
    """Mean MTTR per month as a text bar chart."""
    months = report["mttr_by_month"]
    if not months:
        return ["(no resolved incidents in the period)"]
    means = [float(m["mean"] or 0) for m in months]
    top = max(means) or 1.0
    lines = []
    for month, value in zip(months, means, strict=True):
        bar = "#" * max(1, round(value / top * width)) if value else ""
        lines.append(f"{month['month']}  {bar:<{width}}  {value:g} min "
                     f"({month['count']} resolved)")
    return lines


def render_text(report: Report) -> str:
    lines = [f"Hotfix report: {period_text(report)} (as of {report['now']}); times in minutes", ""]
    many = several(report)
    if many:
        lines += [f"{_repositories_line(report)}; every repository together:", ""]
    lines += _summary_table(report, markdown=False)
    lines += ["", *_duty_table(report, markdown=False), ""]
    if many:
        lines += ["by repository:", *_repository_table(report, markdown=False), ""]
        skipped = _skipped_lines(report)
        if skipped:
            lines += ["skipped (not read):", *(f"  {line}" for line in skipped), ""]
    lines.append(f"waivers by gate: {_waiver_gates(report)}")
    actions = _action_lines(report)
    lines.append(f"open action items: {len(actions)}")
    lines += [f"  {line}" for line in actions]
    missing = missing_lines(report)
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
    targets = report["targets_minutes"]
    lines = [f"# Hotfix report: {period_text(report)}", "",
             f"As of {report['now']}. {report['totals']['count']} incidents. Times are in minutes. "
             "Targets: " + ", ".join(f"{sev} {num(m)} min" if m is not None
                                     else f"{sev} differs by repository"
                                     for sev, m in targets.items()) + ".",
             ""]
    if several(report):
        lines += [f"{_repositories_line(report).capitalize()}.", ""]
        skipped = _skipped_lines(report)
        if skipped:
            lines += ["## Repositories not read", "", *(f"- {line}" for line in skipped), ""]
    lines += ["## Recovery", ""]
    lines += _summary_table(report, markdown=True)
    lines += ["", "## Follow-up", ""]
    lines += _duty_table(report, markdown=True)
    if several(report):
        lines += ["", "## By repository", "", *_repository_table(report, markdown=True)]
    lines += ["", f"Waivers by gate: {_waiver_gates(report)}.", "", "## Open action items", ""]
    lines += _action_lines(report) or ["None."]
    lines += ["", "## MTTR per month", "", "```", *mttr_chart(report), "```"]
    missing = missing_lines(report)
    if missing:
        lines += ["", "## Data gaps", ""] + [f"- {line}" for line in missing]
    lines += ["", "## Definitions", "", DEFINITIONS]
    return "\n".join(lines)
