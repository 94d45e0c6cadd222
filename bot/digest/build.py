"""What a digest says: each phase and how it moved since the last digest, tasks that changed state, runs,
open risks and the next runnable tasks; and when a scheduled digest is due.

`digest_due` is the coalescing rule as a pure function: after any downtime, only the latest missed fire
time counts (so one digest, not one per missed day), and only within the grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.checks.base import State
from bot.ports import RunFeed, RunInfo
from bot.progress.marks import DigestMark
from bot.progress.measure import DONE_STATES, PhaseProgress, PlanProgress
from bot.risks import RiskFinding
from bot.settings.cron import cron_trigger

GRACE = timedelta(hours=6)


@dataclass(frozen=True)
class TaskChange:
    task_id: str
    title: str
    before: str
    after: str

    @property
    def label(self) -> str:
        if self.after in DONE_STATES:
            return "done"
        if self.before in DONE_STATES:
            return "regressed"
        return "changed"


@dataclass(frozen=True)
class DigestView:
    progress: PlanProgress
    since: datetime | None
    previous: dict[str, float]  # phase id -> fraction at the last digest
    changes: list[TaskChange]
    runs: list[RunInfo]
    risks: list[RiskFinding]
    runnable: list[tuple[str, str]]  # (task id, title) not done, with an action, its needs done

    def moved(self, phase: PhaseProgress) -> float | None:
        before = self.previous.get(phase.phase.id)
        return None if before is None else phase.fraction - before

    def mark(self, channel: str, ts: str, posted_at: datetime) -> DigestMark:
        return DigestMark(posted_at, channel, ts, {p.phase.id: p.fraction for p in self.progress.phases},
                          {t.task.id: t.result.state.value for p in self.progress.phases for t in p.tasks})


def build_digest(progress: PlanProgress, last: DigestMark | None, risks: list[RiskFinding],
                 feed: RunFeed, runnable_ids: set[str], run_limit: int = 20) -> DigestView:
    before = last.tasks if last else {}
    changes = [TaskChange(t.task.id, t.task.title, before[t.task.id], t.result.state.value)
               for p in progress.phases for t in p.tasks
               if t.task.id in before and before[t.task.id] != t.result.state.value]
    since = last.posted_at if last else None
    runs = list(feed.runs_since(since, run_limit))
    done = {t.task.id for p in progress.phases for t in p.tasks if t.result.state in DONE_STATES}
    # Only what `/carbon run` would accept now: not done, not unknown, and every task it needs done.
    runnable = [(t.task.id, t.task.title) for p in progress.phases for t in p.tasks
                if t.task.id in runnable_ids and t.result.state not in (*DONE_STATES, State.UNKNOWN)
                and set(t.task.needs) <= done]
    return DigestView(progress, since, dict(last.phases) if last else {}, changes, runs, risks, runnable)


def latest_fire_time(cron: str, zone: object, now: datetime) -> datetime | None:
    """The last time at or before `now` that the crontab fired (looking back up to 8 days)."""
    trigger = cron_trigger(cron, zone)
    start = now - timedelta(days=8)
    fire, latest = trigger.get_next_fire_time(None, start), None
    while fire is not None and fire <= now:
        latest = fire
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    return latest


def digest_due(cron: str, zone: object, last_posted: datetime | None, now: datetime,
               grace: timedelta = GRACE) -> datetime | None:
    """The fire time a scheduled digest should cover now, or None: at most one per fire time, and a
    missed one only within `grace` (coalesced: after three days down, one digest)."""
    fire = latest_fire_time(cron, zone, now)
    if fire is None or now - fire > grace:
        return None
    if last_posted is not None and last_posted >= fire:
        return None
    return fire
