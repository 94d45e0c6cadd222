"""Start and stop the scheduled jobs: a BackgroundScheduler with the lease job on every instance, and the
leader's jobs added when this instance wins the Lease and removed the moment it loses it.

`carbon serve` starts it; without CARBON_CHANNEL it refuses (one log line) and commands still work.
"""

from __future__ import annotations

import threading

import structlog
from apscheduler.events import EVENT_JOB_ERROR
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot import messages
from bot.cluster.lease import LeaderElector, default_identity, pod_namespace
from bot.runs.lifecycle import recover_interrupted
from bot.services import Services
from jobs import JOB_DEFAULTS, on_job_error, schedule, unschedule

log = structlog.get_logger(__name__)


def make_elector(services: Services, identity: str | None = None) -> LeaderElector:
    settings = services.settings
    return LeaderElector(services.cluster, name=settings.lease_name,
                         namespace=settings.lease_namespace or pod_namespace(), identity=identity or default_identity(),
                         duration_s=settings.lease_duration_s, clock=services.clock)


class JobRunner:
    def __init__(self, services: Services, elector: LeaderElector | None = None) -> None:
        self.services = services
        self.scheduler = BackgroundScheduler(timezone=services.settings.zone, job_defaults=JOB_DEFAULTS)
        self.scheduler.add_listener(on_job_error, EVENT_JOB_ERROR)
        self.elector = elector or make_elector(services)
        self.elector.on_start = self._start_leading
        self.elector.on_stop = self._stop_leading
        if services.settings.channel:  # without it the jobs never start, so this instance never leads: no gate
            services.runs.leadership = self.elector

    def start(self) -> bool:
        if not self.services.settings.channel:
            log.warning("jobs_not_started", reason=messages.jobs_not_started())
            return False
        self.scheduler.start()
        self.scheduler.add_job(self.elector.step, IntervalTrigger(seconds=self.elector.retry_period_s),
                               id="lease", name="lease", replace_existing=True, next_run_time=self.services.clock(),
                               misfire_grace_time=None)
        return True

    def _start_leading(self) -> None:
        recover_interrupted(self.services.runs)
        schedule(self.scheduler, self.services, now=self.services.clock())

    def _stop_leading(self) -> None:
        unschedule(self.scheduler)

    def stop_jobs(self) -> None:
        """Stop taking work: the leader's jobs are removed (a job already running goes on); the lease job stays,
        so the Lease is renewed while that work finishes."""
        if self.elector.leading():
            unschedule(self.scheduler)

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` for jobs already running (the scheduler stops with them); True when none is left."""
        if not self.scheduler.running:
            return True
        stopping = threading.Thread(target=self.scheduler.shutdown, kwargs={"wait": True}, name="jobs-drain", daemon=True)
        stopping.start()
        stopping.join(timeout)
        return not stopping.is_alive()

    def stop(self) -> None:
        if self.scheduler.get_job("lease") is not None:
            self.scheduler.remove_job("lease")
        self.elector.release()  # removes the leader's jobs (on_stop) and frees the Lease
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
