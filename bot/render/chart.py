"""The burn-up chart as a PNG: the whole plan and each phase, one small panel each, over the last days.

In each panel the solid area is the share measured by a check and the hatched band above it the share attested
by a person; the line on top is their sum, the percentage the dashboard shows. The image is always
WIDTH by HEIGHT pixels, however many phases the plan has.

matplotlib is imported inside `render_burnup` and nowhere else, so a process that never draws (an idle
`carbon serve`, every command but the digest and `carbon chart`) never loads it. It draws on the Agg canvas
through `Figure`, not `pyplot`: no display, no global figure registry, so two draws never share state.
"""

from __future__ import annotations

import io
import math
from typing import Any

from bot import messages
from bot.progress.burnup import Burnup, Series

WIDTH, HEIGHT, DPI = 1200, 800, 100
MEASURED, ATTESTED, LINE = "#4c9f70", "#d9a441", "#1f2937"


def render_burnup(chart: Burnup) -> bytes:
    """The chart as PNG bytes, WIDTH by HEIGHT."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    figure = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    panels = [(chart.overall, messages.chart_overall())]
    panels += [(series, messages.chart_phase(series.key, series.title)) for series in chart.phases]
    columns = math.ceil(math.sqrt(len(panels)))
    rows = math.ceil(len(panels) / columns)
    axes = figure.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).flat
    for ax, (series, title) in zip(axes, panels, strict=False):
        _panel(ax, chart, series, title)
    for ax in list(axes):
        ax.set_visible(False)
    figure.suptitle(messages.chart_title(chart.plan_name, len(chart.days), chart.days[-1]), fontsize=13)
    figure.legend(handles=[Patch(facecolor=MEASURED, label=messages.chart_measured()),
                           Patch(facecolor="white", edgecolor=ATTESTED, hatch="///", label=messages.chart_attested())],
                  loc="outside lower center", ncols=2, frameon=False)
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _panel(ax: Any, chart: Burnup, series: Series, title: str) -> None:
    from matplotlib.dates import DateFormatter, DayLocator
    from matplotlib.ticker import PercentFormatter

    ax.set_xlim(chart.days[0], chart.days[-1])
    ax.set_ylim(0, 104)  # room above 100% so a finished phase's line is not clipped by the frame
    ax.set_yticks(range(0, 101, 20))
    ax.yaxis.set_major_formatter(PercentFormatter())
    ax.xaxis.set_major_locator(DayLocator(interval=7))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    ax.grid(alpha=0.3)
    ax.tick_params(labelsize=8)
    points = series.points
    if not points:
        ax.set_title(title, fontsize=10, loc="left")
        ax.text(0.5, 0.5, messages.chart_no_history(), transform=ax.transAxes, ha="center", va="center", color="grey")
        return
    days = [p.day for p in points]
    done = [100 * p.done for p in points]
    measured = [100 * (p.done - p.attested) for p in points]
    ax.fill_between(days, 0, measured, color=MEASURED, alpha=0.8, linewidth=0)
    ax.fill_between(days, measured, done, facecolor="white", edgecolor=ATTESTED, hatch="///", linewidth=0)
    ax.plot(days, done, color=LINE, linewidth=1.5, marker="o" if len(points) == 1 else None)
    ax.set_title(f"{title} · {done[-1]:.0f}%", fontsize=10, loc="left")
