"""The burn-up: the plan's and each phase's measured share at the end of each of the last days, from the task history.

Pure: history rows and the plan in, plain series out, so the chart, `carbon chart` and the tests share one
computation. A task counts as its last row at or before a day's end (the end of today is now), weighted by the
plan's weights as `bot.progress.measure` weighs a measurement; a task with no row yet counts as nothing, and a
task no longer in the plan is left out. The attested share is the credit of the tasks whose row says `attested`
(a person vouched; no check measured it). A day before the first row of any task has no point: the chart starts
where the history does.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.plan.model import Plan, Task

DAYS = 30
ATTESTED = "attested"


@dataclass(frozen=True)
class HistoryRow:
    task_id: str
    at: datetime
    state: str
    fraction: float | None


@dataclass(frozen=True)
class Point:
    day: date
    done: float  # share of the weight done at the day's end, 0..1, attested credit included
    attested: float  # the part of `done` that is attested


@dataclass(frozen=True)
class Series:
    key: str  # "plan" or a phase id
    title: str
    points: tuple[Point, ...]  # days with history only, oldest first


@dataclass(frozen=True)
class Burnup:
    plan_name: str
    days: tuple[date, ...]  # the whole window, oldest first (today last)
    overall: Series
    phases: tuple[Series, ...]


def day_ends(now: datetime, zone: tzinfo, days: int = DAYS) -> list[tuple[date, datetime]]:
    """The last `days` calendar days in `zone`, each with the moment it ends (midnight after it; now for today)."""
    today = now.astimezone(zone).date()
    ends = []
    for back in range(days - 1, -1, -1):
        day = today - timedelta(days=back)
        ends.append((day, min(datetime.combine(day + timedelta(days=1), time(), tzinfo=zone), now)))
    return ends


class _Timeline:
    """One task's rows by time, to answer "its row as of t" by bisection."""

    def __init__(self, rows: list[HistoryRow]) -> None:
        self.rows = sorted(rows, key=lambda r: r.at)
        self.times = [r.at for r in self.rows]

    def at(self, moment: datetime) -> HistoryRow | None:
        index = bisect_right(self.times, moment)
        return self.rows[index - 1] if index else None


def _point(day: date, tasks: Sequence[Task], rows: dict[str, HistoryRow]) -> Point:
    total = sum(t.weight for t in tasks)
    done = attested = 0.0
    for task in tasks:
        row = rows.get(task.id)
        if row is None:
            continue
        credit = task.weight * (row.fraction or 0.0)
        done += credit
        if row.state == ATTESTED:
            attested += credit
    return Point(day, done / total, attested / total) if total else Point(day, 0.0, 0.0)


def burnup(plan: Plan, rows: Iterable[HistoryRow], now: datetime, zone: tzinfo, days: int = DAYS) -> Burnup:
    """Per day of the window, the plan's and each phase's share done (and attested) as of that day's end."""
    by_task: dict[str, list[HistoryRow]] = {}
    for row in rows:
        by_task.setdefault(row.task_id, []).append(row)
    timelines = {task_id: _Timeline(task_rows) for task_id, task_rows in by_task.items()}
    ends = day_ends(now, zone, days)
    overall: list[Point] = []
    phases: dict[str, list[Point]] = {p.id: [] for p in plan.phases}
    for day, end in ends:
        as_of = {task_id: row for task_id, line in timelines.items() if (row := line.at(end)) is not None}
        if not as_of:
            continue
        overall.append(_point(day, plan.tasks(), as_of))
        for phase in plan.phases:
            phases[phase.id].append(_point(day, phase.tasks, as_of))
    return Burnup(plan.name, tuple(day for day, _ in ends), Series("plan", plan.name, tuple(overall)),
                  tuple(Series(p.id, p.title, tuple(phases[p.id])) for p in plan.phases))
