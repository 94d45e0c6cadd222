"""The risk scan job: run every risk rule over one snapshot and tell the channel what changed.

Runs on the leader only (jobs/__init__.py); `/carbon risks` evaluates the rules itself and posts nothing.
"""

from __future__ import annotations

from datetime import datetime

from bot.alerts import lifecycle as alerts
from bot.risks import scan
from bot.services import Services


def risk_scan_job(services: Services, now: datetime) -> alerts.ScanOutcome | None:
    channel = services.settings.channel
    poster = services.extras.get("poster")
    if not channel or poster is None:
        return None
    findings = scan(services.snapshot(), now, services.extras.get("risk_rules"))
    alerts.record(services.store, findings, now)
    services.extras["open_risks"] = len(findings)
    return alerts.notify(services.store, poster, channel, now, services.settings.zone)
