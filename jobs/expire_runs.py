"""Expire pending runs past their TTL: a plain function the scheduler calls (clicks expire lazily too)."""

from __future__ import annotations

from datetime import datetime

from bot.runs.execute import expire_if_due
from bot.runs.records import RunState, runs_in
from bot.services import Services


def expire_runs(services: Services, now: datetime) -> list[str]:
    """Returns the ids of the runs it expired; each one's request message is updated in place."""
    expired = []
    for run in runs_in(services.store, RunState.REQUESTED):
        if run.expired_at(now) and expire_if_due(services, run, now).state == RunState.EXPIRED:
            expired.append(run.id)
    return expired
