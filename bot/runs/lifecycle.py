"""What happens to runs nobody is clicking on: pending ones expire, and runs a stopped bot left are interrupted."""

from __future__ import annotations

from datetime import datetime

from bot import messages
from bot.runs.desk import RunDesk
from bot.runs.execute import say, show
from bot.runs.model import Run, RunState
from bot.runs.planning import applied_changes
from bot.runs.records import runs_in, transition

S = RunState


def expire_if_due(desk: RunDesk, run: Run, now: datetime | None = None) -> Run:
    """Lazy TTL: a pending run past its expiry becomes `expired` on the first click or command that touches it
    (and on the leader's expiry job)."""
    now = now or desk.clock()
    if run.expired_at(now) and transition(desk.store, run.id, S.REQUESTED, S.EXPIRED, actor="carbon", now=now,
                                          detail={"expires_at": run.expires_at.isoformat()}):
        say(desk, run, messages.run_expired(run.id))
        return show(desk, run.id)
    return run


def recover_interrupted(desk: RunDesk) -> list[str]:
    """When this instance starts leading: a run left running or rolling back by a stopped bot is `interrupted`,
    and its thread says so. Approved runs that never started are executed by the leader's job instead."""
    found = []
    for run in runs_in(desk.store, S.RUNNING, S.ROLLING_BACK):
        if run.id in desk.executing:
            continue  # this process is still on it (the Lease was lost and won back meanwhile)
        steps = [e["detail"].get("step", "") for e in reversed(desk.store.audit_entries(run.id, limit=500))
                 if e["action"] == "run.step"]
        outcome = {"reason": messages.interrupted_reason(), "done": steps, "not_done": [],
                   "applied": sorted(applied_changes(desk, run))}
        if transition(desk.store, run.id, run.state, S.INTERRUPTED, actor="carbon", now=desk.clock(), outcome=outcome):
            say(desk, run, messages.interrupted())
            show(desk, run.id)
            found.append(run.id)
    return found
