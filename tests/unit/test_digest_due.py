"""When the digest is due: crontab weekdays in the team's zone, once per tick, one catch-up after downtime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.digest.build import digest_due

UTC_ZONE = ZoneInfo("UTC")
WEEKDAYS = "0 9 * * 1-5"
FRIDAY_0900 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_a_tick_is_due_once() -> None:
    assert digest_due(WEEKDAYS, UTC_ZONE, None, FRIDAY_0900) == FRIDAY_0900
    assert digest_due(WEEKDAYS, UTC_ZONE, FRIDAY_0900, FRIDAY_0900 + timedelta(minutes=1)) is None
    # One minute before Friday's tick the latest one is Thursday 09:00, a day old: past the grace, so nothing is due.
    assert digest_due(WEEKDAYS, UTC_ZONE, None, FRIDAY_0900 - timedelta(minutes=1)) is None
    assert digest_due(WEEKDAYS, UTC_ZONE, None, FRIDAY_0900 + timedelta(minutes=1)) == FRIDAY_0900


def test_crontab_weekdays_mean_what_crontab_means() -> None:
    saturday = FRIDAY_0900 + timedelta(days=1, hours=1)
    assert digest_due(WEEKDAYS, UTC_ZONE, None, saturday) is None  # Friday's is past its grace; no Saturday digest
    monday = FRIDAY_0900 + timedelta(days=3, minutes=5)
    assert digest_due(WEEKDAYS, UTC_ZONE, FRIDAY_0900, monday) == FRIDAY_0900 + timedelta(days=3)
    berlin = ZoneInfo("Europe/Berlin")
    assert digest_due(WEEKDAYS, berlin, None, datetime(2026, 11, 27, 8, 30, tzinfo=UTC)) == datetime(2026, 11, 27, 8, 0,
                                                                                                       tzinfo=UTC)


def test_after_days_of_downtime_the_missed_digest_is_posted_once() -> None:
    last = FRIDAY_0900 - timedelta(days=3)  # Tuesday; down Wednesday, Thursday and Friday morning
    back = FRIDAY_0900 + timedelta(hours=2)
    assert digest_due(WEEKDAYS, UTC_ZONE, last, back) == FRIDAY_0900
    assert digest_due(WEEKDAYS, UTC_ZONE, back, back + timedelta(minutes=10)) is None
    assert digest_due(WEEKDAYS, UTC_ZONE, last, FRIDAY_0900 + timedelta(hours=7)) is None  # beyond the grace
