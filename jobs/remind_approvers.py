"""Remind the approvers of a pending run, in its thread, once half its TTL has passed with approvals missing.

Once per run: the reminder is recorded in the audit log (`run.reminded`), and a run with that row is not
reminded again, whichever replica leads. A reminder Slack refuses is not recorded, so the next round retries.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from bot.errors import SlackFailed
from bot.runs.approvals import approvals
from bot.runs.model import Run, RunState
from bot.runs.records import note, runs_in
from bot.services import Services

log = structlog.get_logger(__name__)
REMINDED = "run.reminded"


def due(run: Run, now: datetime) -> bool:
    """Half the TTL has passed and the run has not expired yet."""
    return run.state == RunState.REQUESTED and run.requested_at + (run.expires_at - run.requested_at) / 2 <= now < run.expires_at


def reminded(services: Services, run_id: str) -> bool:
    return bool(services.store.query("SELECT 1 FROM audit_log WHERE subject = ? AND action = ? LIMIT 1",
                                     (run_id, REMINDED)))


def remind_approvers(services: Services, now: datetime) -> list[str]:
    """Returns the ids of the runs whose approvers it reminded."""
    done = []
    for run in runs_in(services.store, RunState.REQUESTED):
        if not due(run, now) or not run.ts or reminded(services, run.id):
            continue
        count = approvals(services.store, run.id)
        if count >= run.required:
            continue
        try:
            services.runs.notifier.remind(run)
        except SlackFailed as exc:
            log.warning("reminder_not_posted", run=run.id, error=exc.code)
            continue
        note(services.store, run.id, "carbon", REMINDED, {"approvals": count, "required": run.required})
        done.append(run.id)
    return done
