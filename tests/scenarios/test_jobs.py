"""The job table: stable ids, coalescing defaults, the digest on crontab weekdays, added and removed whole.

The crontab fields themselves: tests/unit/test_cron.py."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler

from bot.local.emulator import KubeEmulator
from jobs import JOB_DEFAULTS, schedule, unschedule

LEADER_JOBS = ["digest", "digest-catch-up", "execute-approved", "expire-runs", "remind-approvers", "risk-scan"]


def test_the_leaders_jobs_are_scheduled_with_stable_ids_and_removed_at_once(make_carbon: Any, platform: KubeEmulator) -> None:
    services = make_carbon(platform, CARBON_DIGEST_CRON="30 8 * * 1-5", CARBON_TIMEZONE="Europe/Berlin").services
    scheduler = BackgroundScheduler(timezone=services.settings.zone, job_defaults=JOB_DEFAULTS)
    scheduler.start(paused=True)  # jobs are stored as when running, but nothing fires
    assert sorted(schedule(scheduler, services)) == LEADER_JOBS
    schedule(scheduler, services)  # a re-election replaces, never duplicates
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == LEADER_JOBS
    digest = jobs["digest"]
    assert digest.misfire_grace_time == 6 * 3600
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert digest.trigger.get_next_fire_time(None, saturday) == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday, Berlin
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["max_instances"] == 1
    unschedule(scheduler)
    assert scheduler.get_jobs() == []
    scheduler.shutdown(wait=False)
