"""Crontab fields as crontab means them: weekday numbers (0 and 7 are Sunday), ranges and steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from bot.settings.cron import cron_trigger, crontab_weekdays


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
