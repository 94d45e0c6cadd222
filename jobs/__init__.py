"""The scheduled jobs in one table with stable ids, and the runner that starts them under the leader.

Every instance runs the scheduler with the lease job; only the Lease holder gets the other jobs
(added when it starts leading, removed the moment it stops). Jobs are plain functions
`job(services, now)`: tests call them with a fake clock instead of waiting for a scheduler.
`job_defaults`: coalesce (one run for many missed), max_instances=1, a misfire grace; the digest's
own `digest_due` makes a missed digest post once after downtime (the in-memory job store forgets
missed runs across restarts, so the catch-up job asks the digest marks in the store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import structlog
from apscheduler.events import JobExecutionEvent
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.digest.build import GRACE
from bot.services import Services
from bot.settings.cron import cron_trigger
from jobs.digest import digest_job
from jobs.execute_approved import execute_approved
from jobs.expire_runs import expire_runs
from jobs.remind_approvers import remind_approvers
from jobs.risk_scan import risk_scan_job

log = structlog.get_logger(__name__)
JOB_DEFAULTS: dict[str, Any] = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 300}
CATCH_UP_EVERY = timedelta(minutes=10)


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[Services, datetime], Any]
    trigger: Callable[[Services], BaseTrigger]
    misfire_grace_s: int | None = None


def leader_jobs() -> list[JobSpec]:
    """The jobs only the leader runs, by stable id."""
    table = [
        JobSpec("digest", digest_job, lambda s: cron_trigger(s.settings.digest_cron, s.settings.zone),
                misfire_grace_s=int(GRACE.total_seconds())),
        JobSpec("digest-catch-up", digest_job, lambda s: IntervalTrigger(seconds=CATCH_UP_EVERY.total_seconds(),
                                                                          timezone=s.settings.zone)),
        JobSpec("risk-scan", risk_scan_job, lambda s: IntervalTrigger(seconds=s.settings.risk_interval_s,
                                                                      timezone=s.settings.zone)),
        JobSpec("expire-runs", expire_runs, lambda s: IntervalTrigger(seconds=60, timezone=s.settings.zone)),
        JobSpec("remind-approvers", remind_approvers, lambda s: IntervalTrigger(seconds=60, timezone=s.settings.zone)),
        JobSpec("execute-approved", execute_approved, lambda s: IntervalTrigger(seconds=5, timezone=s.settings.zone)),
    ]
    return table


def _run(func: Callable[[Services, datetime], Any], services: Services) -> Any:
    if not services.leadership.leading():
        return None  # lost (or could not renew) the lease since the last round: do nothing
    return func(services, services.clock())


def schedule(scheduler: BaseScheduler, services: Services, *, now: datetime | None = None) -> list[str]:
    """Add the leader's jobs (replace_existing, so a re-election does not duplicate them); the catch-up runs at once."""
    ids = []
    for spec in leader_jobs():
        options: dict[str, Any] = {"id": spec.id, "name": spec.id, "replace_existing": True}
        if spec.misfire_grace_s is not None:
            options["misfire_grace_time"] = spec.misfire_grace_s
        if spec.id in ("digest-catch-up", "risk-scan") and now is not None:
            options["next_run_time"] = now
        scheduler.add_job(partial(_run, spec.func, services), spec.trigger(services), **options)
        ids.append(spec.id)
    return ids


def unschedule(scheduler: BaseScheduler) -> None:
    for spec in leader_jobs():
        if scheduler.get_job(spec.id) is not None:
            scheduler.remove_job(spec.id)


def on_job_error(event: JobExecutionEvent) -> None:
    log.error("job_failed", job=event.job_id, error=type(event.exception).__name__,
              exc_info=(type(event.exception), event.exception, event.exception.__traceback__))
