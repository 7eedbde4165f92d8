"""The report's charts, drawn with matplotlib from the report's own data.

matplotlib is an optional extra (`pip install 'hotfix-gates[report]'`): it is
imported only here, only when a chart is asked for, so the hooks and the
other commands never load it. Charts use no pyplot state (a `Figure` each),
a font that ships with matplotlib (DejaVu Sans) with text drawn as paths, so
a chart looks the same on every machine, offline; and a fixed hash salt with
no date in the metadata, so the same report gives the same bytes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hotfix_gates.model.errors import ToolError
from hotfix_gates.reporting.shapes import OUTCOMES, Block, Report, outcome_counts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator
    from matplotlib.typing import RcKeyType

INSTALL = "pip install 'matplotlib>=3.8' (the report extra of hotfix-gates)"
GROUPS = ("P0", "P1", "P2", "unassessed")
# Okabe-Ito colours (told apart with colour blindness), with markers and
# hatches so that a black-and-white print still tells the series apart.
SEVERITY_STYLE = {"P0": ("#D55E00", "o"), "P1": ("#E69F00", "s"), "P2": ("#0072B2", "^"),
                  "unassessed": ("#999999", "D"), "all": ("#444444", "v")}
OUTCOME_STYLE = {"on_time": ("#009E73", ""), "late": ("#F0E442", "//"),
                 "overdue": ("#D55E00", "xx"), "pending": ("#56B4E9", ".."),
                 "undated": ("#CC79A7", "\\\\")}
OUTCOME_NAMES = {"on_time": "on time", "late": "late", "overdue": "overdue",
                 "pending": "pending", "undated": "undated"}
STYLE: dict[RcKeyType, object] = {
    "font.family": "DejaVu Sans",
    "font.size": 9.5,
    "svg.fonttype": "path",
    "svg.hashsalt": "hotfix-gates",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#dddddd",
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
}
WIDTH, HEIGHT = 7.2, 3.6  # inches: about 690 px wide in the page


def require() -> None:
    """Refuse at once, in one line, when matplotlib is not installed."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ToolError(f"charts need matplotlib, which is not installed; install it with "
                        f"{INSTALL}") from None


@contextmanager
def style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(STYLE):
        yield


def new_figure(width: float = WIDTH, height: float = HEIGHT) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


# -- units --------------------------------------------------------------------------


def time_unit(largest_minutes: float) -> tuple[float, str]:
    """Minutes up to 3 hours, hours up to 3 days, else days: (divisor, name)."""
    if largest_minutes <= 180:
        return 1.0, "minutes"
    if largest_minutes <= 3 * 24 * 60:
        return 60.0, "hours"
    return 24 * 60.0, "days"


def amount(value: float, unit: str) -> str:
    """`1 hour`, `2.5 hours`."""
    return f"{value:g} {unit.removesuffix('s') if value == 1 else unit}"


def _block(report: Report, group: str) -> Block:
    return report["totals"] if group == "all" else report["by_severity"][group]


def _integers() -> MaxNLocator:
    """Ticks at whole numbers: counts have no fractions."""
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _no_data(ax: Axes, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", color="#555555")


# -- the charts -----------------------------------------------------------------------


def mttr_by_month(report: Report, width: float = WIDTH, height: float = HEIGHT) -> Figure:
    """Mean MTTR per month of incident start, one line per severity, each
    severity's target as a dashed line of the same colour."""
    series = report["mttr_by_month_by_severity"]
    months = sorted({m["month"] for rows in series.values() for m in rows})
    values = [float(m["mean"]) for rows in series.values() for m in rows
              if m["mean"] is not None]
    shown_targets = {sev: t for sev, (t, _) in common_targets(report).items() if series.get(sev)}
    divisor, unit = time_unit(max([*values, *shown_targets.values()], default=0.0))
    fig = new_figure(width, height)
    ax = fig.add_subplot()
    ax.set_title("MTTR per month, by severity, against the targets", loc="left",
                 fontweight="bold")
    ax.set_xlabel("month of incident start (UTC)")
    ax.set_ylabel(f"mean time to resolve ({unit})")
    if not months:
        _no_data(ax, "no resolved incidents in the period")
        ax.set_xticks([])
        return fig
    where = {month: i for i, month in enumerate(months)}
    for group, rows in series.items():
        points = [(where[m["month"]], float(m["mean"]) / divisor)
                  for m in rows if m["mean"] is not None]
        if not points:
            continue
        colour, marker = SEVERITY_STYLE[group]
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=colour, marker=marker, linewidth=1.8, label=group)
        target = shown_targets.get(group)
        if target is not None:
            where_set = common_targets(report)[group][1]
            ax.axhline(target / divisor, color=colour, linestyle="--", linewidth=1,
                       label=f"{group} target: {amount(target / divisor, unit)}{where_set}")
    ax.set_xticks(range(len(months)), months, rotation=45 if len(months) > 8 else 0,
                  ha="right" if len(months) > 8 else "center")
    ax.set_xlim(-0.5, len(months) - 0.5)
    ax.set_ylim(bottom=0)
    # Long labels (targets that differ between repositories) need the width of two columns.
    noted = any(note for _, note in common_targets(report).values())
    fig.legend(loc="outside lower center", ncols=2 if noted else 4, fontsize=8.5)
    return fig


def common_targets(report: Report) -> dict[str, tuple[float, str]]:
    """Per severity, the target to draw: the configured one, or where
    repositories set different ones, the one most of them set, with a note
    of how many (" in 7 of 8 repositories")."""
    by_repository = report.get("by_repository", {})
    out: dict[str, tuple[float, str]] = {}
    for severity, target in report["targets_minutes"].items():
        if target is not None:
            out[severity] = (target, "")
            continue
        own: list[float] = []
        for block in by_repository.values():
            value = block["targets_minutes"].get(severity)
            if value is not None:
                own.append(value)
        if own:
            most = max(sorted(set(own)), key=own.count)
            out[severity] = (most, f" in {own.count(most)} of {len(by_repository)} repositories")
    return out


def detect_and_deploy(report: Report) -> Figure:
    """Mean time to detect and to deploy per severity and over all."""
    groups = [*GROUPS, "all"]
    detect = [_block(report, g)["detect_minutes"]["mean"] for g in groups]
    deploy = [_block(report, g)["deploy_minutes"]["mean"] for g in groups]
    known = [v for v in (*detect, *deploy) if v is not None]
    divisor, unit = time_unit(max(known, default=0.0))
    fig = new_figure()
    ax = fig.add_subplot()
    ax.set_title("Time to detect and time to deploy (mean), by severity", loc="left",
                 fontweight="bold")
    ax.set_xlabel("severity")
    ax.set_ylabel(f"time after incident start ({unit})")
    positions = range(len(groups))
    for offset, values, name, colour, hatch in ((-0.2, detect, "time to detect", "#56B4E9", ""),
                                                (0.2, deploy, "time to deploy", "#0072B2", "//")):
        heights = [0.0 if v is None else v / divisor for v in values]
        ax.bar([p + offset for p in positions], heights, width=0.4, color=colour, hatch=hatch,
               edgecolor="#222222", linewidth=0.5, label=name)
    ax.set_xticks(list(positions), groups)
    if not known:
        _no_data(ax, "no detection or deployment times recorded")
    ax.legend(loc="upper left")
    return fig


def follow_up(report: Report) -> Figure:
    """Post-mortems and regression tests: the share of incidents per outcome."""
    groups = [*GROUPS, "all"]
    blocks = [_block(report, g) for g in groups]
    fig = new_figure(WIDTH, 3.2)
    axes = fig.subplots(1, 2, sharey=True)
    fig.suptitle("Post-mortems and regression tests: done on time?", x=0.01, ha="left",
                 fontweight="bold", fontsize=10.5)
    for ax, counts, name in ((axes[0], [b["post_mortems"] for b in blocks], "post-mortems"),
                             (axes[1], [b["regression_tests"] for b in blocks],
                              "regression tests")):
        left = [0.0] * len(groups)
        for outcome in OUTCOMES:
            colour, hatch = OUTCOME_STYLE[outcome]
            shares = [100.0 * c[outcome] / total if (total := sum(outcome_counts(c))) else 0.0
                      for c in counts]
            ax.barh(range(len(groups)), shares, left=left, color=colour, hatch=hatch,
                    edgecolor="#222222", linewidth=0.5, label=OUTCOME_NAMES[outcome])
            left = [a + b for a, b in zip(left, shares, strict=True)]
        ax.set_title(name, loc="left")
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of incidents (%)")
        ax.grid(axis="y", visible=False)
    axes[0].set_yticks(range(len(groups)), groups)
    axes[0].set_ylabel("severity")
    axes[0].invert_yaxis()
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=len(OUTCOME_STYLE),
               fontsize=8.5)
    return fig


def open_work(report: Report) -> Figure:
    """Open incidents and open action items per severity."""
    groups = list(GROUPS)
    blocks = [_block(report, g) for g in groups]
    fig = new_figure(WIDTH, 3.0)
    axes = fig.subplots(1, 2)
    fig.suptitle("Open incidents and open action items, by severity", x=0.01, ha="left",
                 fontweight="bold", fontsize=10.5)
    for ax, values, name in ((axes[0], [b["open"] for b in blocks], "open incidents"),
                             (axes[1], [b["open_action_items"] for b in blocks],
                              "open action items")):
        colours = [SEVERITY_STYLE[g][0] for g in groups]
        bars = ax.bar(range(len(groups)), values, color=colours, edgecolor="#222222",
                      linewidth=0.5)
        ax.bar_label(bars, fontsize=8.5)
        ax.set_title(name, loc="left")
        ax.set_xticks(range(len(groups)), groups)
        ax.set_xlabel("severity")
        ax.set_ylabel(f"{name} (count)")
        ax.set_ylim(0, max([*values, 1]) * 1.15)
        ax.yaxis.set_major_locator(_integers())
    return fig


def waivers(report: Report) -> Figure:
    """Waivers per gate (every waiver in the period, active or not)."""
    by_gate = report["totals"]["waivers"]["by_gate"]
    fig = new_figure(WIDTH, max(2.2, 1.2 + 0.3 * len(by_gate)))
    ax = fig.add_subplot()
    ax.set_title("Waivers by gate", loc="left", fontweight="bold")
    ax.set_xlabel("waivers (count)")
    ax.set_ylabel("gate")
    if not by_gate:
        _no_data(ax, "no waivers in the period")
        ax.set_yticks([])
        return fig
    gates = list(by_gate)
    bars = ax.barh(range(len(gates)), [by_gate[g] for g in gates], color="#CC79A7",
                   edgecolor="#222222", linewidth=0.5)
    ax.bar_label(bars, fontsize=8.5, padding=2)
    ax.set_yticks(range(len(gates)), gates)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    ax.xaxis.set_major_locator(_integers())
    return fig


def repositories(report: Report, labels: Sequence[str]) -> Figure:
    """Per repository (those in `labels`, in that order): the share of
    resolutions within target, and open incidents and overdue follow-up."""
    by_repository = report["by_repository"]
    rows = [by_repository[label] for label in labels]
    fig = new_figure(WIDTH + 2.0, 1.7 + 0.28 * len(rows))
    axes = fig.subplots(1, 2, sharey=True)
    fig.suptitle("Repositories compared", x=0.01, ha="left", fontweight="bold", fontsize=10.5)
    shares = []
    for block in rows:
        # Null (no severity, no target) counts as none.
        within, missed = block["within_target"] or 0, block["missed_target"] or 0
        shares.append(100.0 * within / (within + missed) if within + missed else 0.0)
    places = range(len(rows))
    axes[0].barh(places, shares, color="#009E73", edgecolor="#222222", linewidth=0.5)
    axes[0].set_xlim(0, 100)
    axes[0].set_title("resolved within target", loc="left")
    axes[0].set_xlabel("share of resolved incidents (%)")
    axes[0].set_yticks(list(places), list(labels))
    axes[0].set_ylabel("repository")
    axes[0].invert_yaxis()
    series = (("open incidents", "#E69F00", "", [b["open"] for b in rows]),
              ("overdue post-mortems", "#D55E00", "xx",
               [b["post_mortems"]["overdue"] for b in rows]),
              ("overdue regression tests", "#0072B2", "//",
               [b["regression_tests"]["overdue"] for b in rows]))
    height = 0.8 / len(series)
    for i, (name, colour, hatch, values) in enumerate(series):
        axes[1].barh([p - 0.4 + height * (i + 0.5) for p in places], values, height=height,
                     color=colour, hatch=hatch, edgecolor="#222222", linewidth=0.5, label=name)
    axes[1].set_title("open and overdue", loc="left")
    axes[1].set_xlabel("incidents (count)")
    axes[1].xaxis.set_major_locator(_integers())
    fig.legend(*axes[1].get_legend_handles_labels(), loc="outside lower center", ncols=3,
               fontsize=8.5)
    for ax in axes:
        ax.grid(axis="y", visible=False)
    return fig


# -- output ------------------------------------------------------------------------------


def svg_text(fig: Figure, prefix: str = "") -> str:
    """The figure as SVG text; `prefix` makes every id in it unique within a
    page that holds several charts."""
    out = io.StringIO()
    fig.savefig(out, format="svg", metadata=dict.fromkeys(("Date", "Creator", "Format", "Type")))
    text = out.getvalue()
    if prefix:
        text = _ID.sub(lambda m: f"{m.group(1)}{prefix}-", text)
    return text


_ID = re.compile(r'(id="|href="#|url\(#)')


def png_bytes(fig: Figure, dpi: int = 150) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=dpi, metadata={"Software": None})
    return out.getvalue()


def main_chart(report: Report, fmt: str) -> bytes:
    """The MTTR chart alone, as PNG or SVG (for a review document or a chat)."""
    require()
    with style():
        fig = mttr_by_month(report, 9.0, 4.5)
        if fmt == "png":
            return png_bytes(fig)
        return svg_text(fig).encode()
