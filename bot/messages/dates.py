"""How a user reads a moment: one format for every date Carbon shows."""

from __future__ import annotations

from datetime import datetime, tzinfo


def when(moment: datetime, zone: tzinfo | None = None, *, time: bool = True, named: bool = True) -> str:
    """`2026-05-01 14:05 CEST`: in `zone` (CARBON_TIMEZONE) when given, else in the moment's own zone.
    `time=False` shows the day only; `named=False` leaves out the zone's abbreviation."""
    if zone is not None:
        moment = moment.astimezone(zone)
    if not time:
        return f"{moment:%Y-%m-%d}"
    shown = f"{moment:%Y-%m-%d %H:%M}"
    return f"{shown} {moment:%Z}".rstrip() if named else shown
