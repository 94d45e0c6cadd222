"""Task history: one row per task per change of state or fraction, so views can say what moved.

Written on every measurement (`Services.measure`), but a row is added only when a task's state or
fraction differs from its last row, and at most one per task per minute (a second change within the
minute updates that row). Rows older than the retention are pruned, except each task's latest, which
is the baseline for the next change. The store stays small: a task that never changes has one row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

from bot import messages
from bot.plan.model import Plan
from bot.progress.burnup import HistoryRow
from bot.progress.marks import last_digest
from bot.progress.measure import PlanProgress
from bot.store.store import Store

MIN_GAP = timedelta(minutes=1)
LATEST = "SELECT * FROM task_history WHERE id IN (SELECT MAX(id) FROM task_history GROUP BY task_id)"


def _fraction(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def record(store: Store, view: PlanProgress, now: datetime, retention_days: int) -> int:
    """Store what changed since each task's last row; returns the number of rows added or updated."""
    now = now.astimezone(UTC)
    changed = 0
    with store.transaction() as db:
        latest = {row["task_id"]: row for row in db.query(LATEST)}
        for phase in view.phases:
            for item in phase.tasks:
                state, fraction = item.result.state.value, _fraction(item.result.fraction)
                last = latest.get(item.task.id)
                if last is not None and last["state"] == state and last["fraction"] == fraction:
                    continue
                changed += 1
                if last is not None and now - datetime.fromisoformat(last["at"]) < MIN_GAP:
                    db.execute("UPDATE task_history SET state = ?, fraction = ? WHERE id = ?", (state, fraction, last["id"]))
                else:
                    db["task_history"].insert({"task_id": item.task.id, "at": now.isoformat(), "state": state,
                                               "fraction": fraction})
        cutoff = (now - timedelta(days=retention_days)).isoformat()
        db.execute("DELETE FROM task_history WHERE at < ? AND id NOT IN (SELECT MAX(id) FROM task_history GROUP BY task_id)",
                   (cutoff,))
    return changed


def _rows(store: Store) -> dict[str, list[dict[str, Any]]]:
    by_task: dict[str, list[dict[str, Any]]] = {}
    for row in store.query("SELECT task_id, at, state, fraction FROM task_history ORDER BY task_id, at, id"):
        by_task.setdefault(row["task_id"], []).append(row)
    return by_task


def rows(store: Store) -> list[HistoryRow]:
    """Every stored row, oldest first: what the burn-up (`bot.progress.burnup`) is computed from."""
    return [HistoryRow(r["task_id"], datetime.fromisoformat(r["at"]), r["state"], r["fraction"])
            for r in store.query("SELECT task_id, at, state, fraction FROM task_history ORDER BY at, id")]


def fractions_at(store: Store, since: datetime) -> dict[str, float]:
    """Each task's fraction as of `since` (its last row then), or its oldest row after it when it is newer."""
    cutoff = since.astimezone(UTC).isoformat()
    found = {}
    for task_id, rows in _rows(store).items():
        before = [r for r in rows if r["at"] <= cutoff]
        row = before[-1] if before else rows[0]
        found[task_id] = row["fraction"] or 0.0
    return found


def phase_fractions(plan: Plan, task_fractions: dict[str, float], view: PlanProgress) -> dict[str, float]:
    """Weighted phase fractions from task fractions; a task with no history counts as it is now."""
    out = {}
    for phase in view.phases:
        weights = sum(t.task.weight for t in phase.tasks)
        credit = sum(t.task.weight * task_fractions.get(t.task.id, t.result.fraction or 0.0) for t in phase.tasks)
        out[phase.phase.id] = credit / weights if weights else 0.0
    return out


def last_state_changes(store: Store, task_ids: Iterable[str]) -> dict[str, datetime]:
    """When each task entered its current state (its first row if it never changed)."""
    wanted, found = set(task_ids), {}
    for task_id, rows in _rows(store).items():
        if task_id not in wanted:
            continue
        at = rows[0]["at"]
        for previous, row in pairwise(rows):
            if row["state"] != previous["state"]:
                at = row["at"]
        found[task_id] = datetime.fromisoformat(at)
    return found


def phase_changes(store: Store, plan: Plan, view: PlanProgress, now: datetime) -> tuple[dict[str, float], str]:
    """Each phase's change since the last digest, or (no digest yet) over the last 24 h of history."""
    mark = last_digest(store)
    if mark is not None:
        baseline = mark.phases
        label = messages.change_since_digest(messages.when(mark.posted_at, view.taken_at.tzinfo, named=False))
    else:
        baseline = phase_fractions(plan, fractions_at(store, now - timedelta(hours=24)), view)
        label = messages.change_last_day()
    return {p.phase.id: p.fraction - baseline[p.phase.id] for p in view.phases if p.phase.id in baseline}, label
