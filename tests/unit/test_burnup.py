"""The burn-up series on hand-made history rows and a fixed clock: each day's end, weights, attested share, zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.plan.model import CheckSpec, Phase, Plan, Task
from bot.progress import history
from bot.progress.burnup import HistoryRow, Point, burnup, day_ends
from bot.store.store import Store

NOW = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # a Friday afternoon


def task(task_id: str, weight: float, kind: str = "pods_ready") -> Task:
    return Task(id=task_id, title=task_id.title(), weight=weight, check=CheckSpec(kind=kind))


PLAN = Plan(name="Demo", phases=(
    Phase(id="p1", title="Build", tasks=(task("a", 3), task("b", 1))),
    Phase(id="p2", title="Run", tasks=(task("c", 4, "manual"),)),
))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


ROWS = [
    HistoryRow("a", at(24, 10), "failing", 0.0),
    HistoryRow("b", at(24, 10), "partial", 0.5),
    HistoryRow("a", at(25, 9), "done", 1.0),
    HistoryRow("c", at(26, 12), "attested", 1.0),
    HistoryRow("b", at(27, 14), "done", 1.0),
    HistoryRow("gone", at(24, 10), "done", 1.0),  # a task no longer in the plan counts for nothing
]


def test_each_day_is_the_weighted_share_as_of_its_end() -> None:
    chart = burnup(PLAN, ROWS, NOW, UTC, days=5)
    assert chart.days == tuple(date(2026, 11, d) for d in range(23, 28))
    assert chart.overall.points == (  # the 23rd has no history yet: no point
        Point(date(2026, 11, 24), 0.5 / 8, 0.0),
        Point(date(2026, 11, 25), 3.5 / 8, 0.0),
        Point(date(2026, 11, 26), 7.5 / 8, 4 / 8),
        Point(date(2026, 11, 27), 8 / 8, 4 / 8),
    )
    p1, p2 = chart.phases
    assert (p1.key, p1.title, [p.done for p in p1.points]) == ("p1", "Build", [0.125, 0.875, 0.875, 1.0])
    assert all(p.attested == 0 for p in p1.points)
    assert [(p.done, p.attested) for p in p2.points] == [(0, 0), (0, 0), (1, 1), (1, 1)]  # no row yet: nothing


def test_today_ends_now_and_later_rows_do_not_count() -> None:
    chart = burnup(PLAN, ROWS, at(27, 13), UTC, days=2)
    assert chart.overall.points[-1] == Point(date(2026, 11, 27), 7.5 / 8, 4 / 8)  # b's row at 14:00 is not there yet


def test_the_latest_row_of_a_day_wins() -> None:
    rows = [HistoryRow("a", at(27, 8), "done", 1.0), HistoryRow("a", at(27, 9), "failing", 0.0)]
    assert burnup(PLAN, rows, NOW, UTC, days=1).phases[0].points == (Point(date(2026, 11, 27), 0.0, 0.0),)


def test_days_are_calendar_days_in_the_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    rows = [HistoryRow("a", at(24, 23, 30), "done", 1.0)]  # 00:30 on the 25th in Berlin
    assert [p.day for p in burnup(PLAN, rows, NOW, UTC, days=4).overall.points] == [date(2026, 11, d) for d in (24, 25, 26, 27)]
    assert [p.day for p in burnup(PLAN, rows, NOW, berlin, days=4).overall.points] == [date(2026, 11, d) for d in (25, 26, 27)]
    ends = day_ends(NOW, berlin, days=2)
    assert ends == [(date(2026, 11, 26), datetime(2026, 11, 27, tzinfo=berlin)), (date(2026, 11, 27), NOW)]


def test_no_history_gives_empty_series_over_the_whole_window() -> None:
    chart = burnup(PLAN, [], NOW, UTC)
    assert len(chart.days) == 30 and chart.days[-1] == date(2026, 11, 27)
    assert chart.overall.points == () and all(p.points == () for p in chart.phases)


@pytest.mark.parametrize("days", [1, 7, 30])
def test_the_window_has_as_many_days_as_asked(days: int) -> None:
    chart = burnup(PLAN, [HistoryRow("a", NOW - timedelta(days=60), "done", 1.0)], NOW, UTC, days=days)
    assert len(chart.days) == days == len(chart.overall.points)
    assert all(p.done == 3 / 8 for p in chart.overall.points)


def test_the_rows_are_read_from_the_task_history_table() -> None:
    store = Store(":memory:")
    for row in ROWS[:3]:
        store.execute("INSERT INTO task_history (task_id, at, state, fraction) VALUES (?, ?, ?, ?)",
                      (row.task_id, row.at.isoformat(), row.state, row.fraction))
    assert history.rows(store) == ROWS[:3]
    assert burnup(PLAN, history.rows(store), NOW, UTC, days=4) == burnup(PLAN, ROWS[:3], NOW, UTC, days=4)
