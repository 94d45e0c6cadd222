"""The risk scan job: run every risk rule over one snapshot and tell the channel what changed.

Runs on the leader only (jobs/__init__.py); `/carbon risks` evaluates the rules itself and posts nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.alerts import lifecycle as alerts
from bot.publish.alerts import notify
from bot.services import Services


def risk_scan_job(services: Services, now: datetime) -> alerts.ScanOutcome | None:
    channel, chat = services.settings.channel, services.chat
    if not channel or chat is None:
        return None
    findings = services.meter.scan_risks()
    alerts.record(services.store, findings, now)
    return notify(services.store, chat, channel, now, services.settings.zone)
