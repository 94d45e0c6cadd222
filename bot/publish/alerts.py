"""Risk alerts in Slack: each change of a finding is told to the channel once.

A new finding is posted with Acknowledge / Snooze 24 h buttons, a severity change updates the alert and
replies once in its thread, a resolved finding replies once and marks the alert resolved, an unchanged one
posts nothing. A failed post leaves the row as it was, so the next scan retries; a snoozed finding posts
nothing until the snooze ends (its resolution is still told). Every post is in the audit log.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog

from bot import messages
from bot.alerts.lifecycle import Alert, ScanOutcome, alerts, record_told, with_changes
from bot.errors import SlackFailed
from bot.ports import Chat
from bot.render.blocks import escape
from bot.render.risks import render_alert
from bot.store.store import Store

log = structlog.get_logger(__name__)
MAX_NEW_PER_SCAN = 10  # a first scan of a neglected cluster must not flood the channel; the rest follow next scan


def notify(store: Store, poster: Chat, channel: str, now: datetime, zone: Any = None) -> ScanOutcome:
    """Tell the channel every change it has not been told yet (skipping snoozed alerts)."""
    outcome = ScanOutcome()
    for item in alerts(store, state=None):
        if not item.pending or (item.state == "open" and item.snoozed(now)):
            continue
        if item.state == "open" and item.posted_state != "open" and outcome.opened >= MAX_NEW_PER_SCAN:
            outcome.deferred += 1
            continue
        try:
            kind = _tell(store, poster, channel, item, now, zone)
        except SlackFailed as exc:
            outcome.failed += 1
            log.warning("alert_post_failed", fingerprint=item.fingerprint, error=exc.code)
            store.audit("carbon", "alert_post_failed", item.fingerprint, {"error": exc.code, "rule": item.rule})
            continue
        if kind:
            setattr(outcome, kind, getattr(outcome, kind) + 1)
    return outcome


def _tell(store: Store, poster: Chat, channel: str, item: Alert, now: datetime, zone: Any) -> str:
    told: dict[str, Any] = {"posted_state": item.state, "posted_severity": item.severity}
    kind = ""
    if item.state == "open" and item.posted_state != "open":
        blocks = render_alert(item, now, zone)
        told |= {"ts": poster.post(channel, blocks, messages.alert_text(item.severity, escape(item.title))), "channel": channel}
        kind = "opened"
    elif item.state == "open" and item.ts:
        updated = with_changes(item, **told)
        poster.update(item.channel or channel, item.ts, render_alert(updated, now, zone),
                      messages.alert_text(item.severity, escape(item.title)))
        poster.post(item.channel or channel, [], messages.alert_severity_changed(item.posted_severity or "?", item.severity),
                    thread_ts=item.ts)
        kind = "updated"
    elif item.state == "resolved" and item.posted_state == "open" and item.ts:
        poster.post(item.channel or channel, [], messages.alert_resolved(escape(item.title)), thread_ts=item.ts)
        poster.update(item.channel or channel, item.ts, render_alert(with_changes(item, **told), now, zone),
                      messages.alert_text(item.severity, escape(item.title)))
        kind = "resolved"
    record_told(store, item, told, kind)
    return kind


