"""The job table: stable ids, coalescing defaults, the digest on crontab weekdays, added and removed whole."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from hypothesis import given
from hypothesis import strategies as st

from bot.local.emulator import KubeEmulator
from bot.settings.cron import cron_trigger, crontab_weekdays
from jobs import JOB_DEFAULTS, schedule, unschedule


def test_the_leaders_jobs_are_scheduled_with_stable_ids_and_removed_at_once(make_carbon: Any, platform: KubeEmulator) -> None:
    services = make_carbon(platform, CARBON_DIGEST_CRON="30 8 * * 1-5", CARBON_TIMEZONE="Europe/Berlin").services
    scheduler = BackgroundScheduler(timezone=services.settings.zone, job_defaults=JOB_DEFAULTS)
    scheduler.start(paused=True)  # jobs are stored as when running, but nothing fires
    assert sorted(schedule(scheduler, services)) == ["digest", "digest-catch-up", "execute-approved", "expire-runs", "risk-scan"]
    schedule(scheduler, services)  # a re-election replaces, never duplicates
    jobs = {job.id: job for job in scheduler.get_jobs()}
    assert sorted(jobs) == ["digest", "digest-catch-up", "execute-approved", "expire-runs", "risk-scan"]
    digest = jobs["digest"]
    assert digest.misfire_grace_time == 6 * 3600
    saturday = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    assert digest.trigger.get_next_fire_time(None, saturday) == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)  # Monday, Berlin
    assert JOB_DEFAULTS["coalesce"] is True and JOB_DEFAULTS["max_instances"] == 1
    unschedule(scheduler)
    assert scheduler.get_jobs() == []
    scheduler.shutdown(wait=False)


@given(st.sets(st.integers(min_value=0, max_value=7), min_size=1))
def test_crontab_weekday_numbers_fire_on_the_days_crontab_means(days: set[int]) -> None:
    trigger = cron_trigger(f"0 9 * * {','.join(map(str, sorted(days)))}", ZoneInfo("UTC"))
    monday = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    fired, fire = set(), trigger.get_next_fire_time(None, monday)
    while fire is not None and fire < monday + timedelta(days=7):
        fired.add(fire.isoweekday() % 7)  # crontab: 0 = Sunday
        fire = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert fired == {d % 7 for d in days}


def test_crontab_weekday_fields() -> None:
    assert crontab_weekdays("1-5") == "mon,tue,wed,thu,fri"
    assert crontab_weekdays("*/2") == "sun,tue,thu,sat" and crontab_weekdays("1-5/2") == "mon,wed,fri"
    assert crontab_weekdays("5-7") == "sun,fri,sat" and crontab_weekdays("mon-fri") == "mon-fri"
