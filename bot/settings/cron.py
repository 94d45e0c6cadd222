"""Crontab to APScheduler: the digest's trigger, with crontab's weekday numbers.

APScheduler 3's `CronTrigger.from_crontab` reads day-of-week 0 as Monday (its issue 286), so the
default `0 9 * * 1-5` would fire Tuesday to Saturday. Here the field is read as crontab reads it
(0 or 7 = Sunday) and handed over as day names.
"""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger

DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")


def crontab_weekdays(field: str) -> str:
    """`1-5` -> `mon,tue,wed,thu,fri`; names and `*` pass through unchanged."""
    if field == "*" or any(c.isalpha() for c in field):
        return field
    days: set[int] = set()
    for part in field.split(","):
        span, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if span == "*":
            first, last = 0, 6
        elif "-" in span:
            first, last = (int(x) for x in span.split("-", 1))
        else:
            first = last = int(span)
            if step_text:
                last = 6
        if not (0 <= first <= 7 and 0 <= last <= 7 and first <= last and step > 0):
            raise ValueError(f"bad day-of-week {part!r}")
        days.update(day % 7 for day in range(first, last + 1, step))
    return ",".join(DAY_NAMES[d] for d in sorted(days))


def cron_trigger(expr: str, zone: Any) -> CronTrigger:
    fields = expr.split()
    if len(fields) != 5:
        raise ValueError(f"expected five fields, got {len(fields)}")
    minute, hour, day, month, weekday = fields
    return CronTrigger(minute=minute, hour=hour, day=day, month=month, day_of_week=crontab_weekdays(weekday),
                       timezone=zone)
