"""Execute runs approved on a replica that was not leading: the leader's job, every few seconds.

The compare-and-set in `execute` keeps each run executing once, whichever replica or click gets there first.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from bot.runs.execute import execute
from bot.runs.model import RunState
from bot.runs.records import runs_in
from bot.services import Services

log = structlog.get_logger(__name__)


def execute_approved(services: Services, now: datetime | None = None) -> list[str]:
    desk = services.runs
    if not desk.leadership.leading():
        return []
    done = []
    for run in runs_in(desk.store, RunState.APPROVED):
        try:
            done.append(execute(desk, run.id, "carbon").id)
        except Exception:  # one broken run must not stop the others; execute records what it can
            log.exception("execute_approved_failed", run=run.id)
    return done
