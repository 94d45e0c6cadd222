"""The burn-up PNG: it decodes, it is WIDTH by HEIGHT whatever the plan, and it draws the series it is given.

No pixel comparison: the data is checked where it is computed (tests/unit/test_burnup.py); here, that the image
is a real PNG of the promised size, that matplotlib reads it back, and that drawing never loads into a process
that does not draw.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.plan.model import CheckSpec, Phase, Plan, Task
from bot.progress.burnup import HistoryRow, burnup
from bot.render.chart import HEIGHT, WIDTH, render_burnup
from tests.fixtures.png import png_size

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)


def plan_with(phases: int) -> Plan:
    return Plan(name="Demo", phases=tuple(
        Phase(id=f"p{i}", title=f"Phase {i}", tasks=(
            Task(id=f"t{i}", title="Measured", weight=2, check=CheckSpec(kind="pods_ready")),
            Task(id=f"m{i}", title="Manual", weight=1, check=CheckSpec(kind="manual")),
        )) for i in range(1, phases + 1)))


def rows_for(plan: Plan) -> list[HistoryRow]:
    rows = []
    for n, phase in enumerate(plan.phases):
        measured, manual = phase.tasks
        rows += [HistoryRow(measured.id, NOW - timedelta(days=40), "failing", 0.0),
                 HistoryRow(measured.id, NOW - timedelta(days=20 - n), "done", 1.0),
                 HistoryRow(manual.id, NOW - timedelta(days=10), "attested", 1.0)]
    return rows


@pytest.mark.parametrize("phases", [1, 5, 11])
def test_the_png_decodes_at_the_promised_size(phases: int) -> None:
    import matplotlib.image

    plan = plan_with(phases)
    png = render_burnup(burnup(plan, rows_for(plan), NOW, UTC))
    assert png_size(png) == (WIDTH, HEIGHT)
    pixels = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert pixels.shape[:2] == (HEIGHT, WIDTH)
    assert pixels.std() > 0  # something was drawn


def test_no_history_still_draws_the_panels() -> None:
    png = render_burnup(burnup(plan_with(2), [], NOW, UTC))
    assert png_size(png) == (WIDTH, HEIGHT)


def test_the_drawing_plots_the_series_it_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """What reaches matplotlib is the burn-up's numbers, in percent: the plotted line of each panel is `done`."""
    from matplotlib.axes import Axes

    plotted: list[tuple[list[date], list[float]]] = []
    original = Axes.plot

    def record(self: Axes, *args: object, **kwargs: object) -> object:
        plotted.append((list(args[0]), list(args[1])))  # type: ignore[call-overload]
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Axes, "plot", record)
    plan = plan_with(2)
    chart = burnup(plan, rows_for(plan), NOW, UTC)
    render_burnup(chart)
    assert len(plotted) == 3  # the whole plan, then each phase
    for (days, values), series in zip(plotted, (chart.overall, *chart.phases), strict=True):
        assert days == [p.day for p in series.points]
        assert values == [100 * p.done for p in series.points]
    assert plotted[0][1][-1] == 100.0 and plotted[0][1][0] == 0.0


def test_nothing_carbon_serve_imports_loads_matplotlib() -> None:
    code = ("import sys, bot.cli, bot.app.serve, bot.app.slack_app, jobs, commands, bot.publish.digest\n"
            "assert 'matplotlib' not in sys.modules, sorted(m for m in sys.modules if 'matplotlib' in m)[:5]")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)


def test_the_digest_draws_in_a_child_so_the_bot_never_loads_matplotlib() -> None:
    code = ("import sys\n"
            "from datetime import UTC, datetime\n"
            "from bot.publish.chart import draw_apart\n"
            "from bot.progress.burnup import HistoryRow, burnup\n"
            "from tests.unit.test_chart import NOW, plan_with, rows_for\n"
            "from tests.fixtures.png import png_size\n"
            "plan = plan_with(3)\n"
            "assert png_size(draw_apart(burnup(plan, rows_for(plan), NOW, UTC))) == (1200, 800)\n"
            "assert 'matplotlib' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
