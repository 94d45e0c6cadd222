"""The alert lifecycle over the `findings` table: each change of a finding is told to the channel once.

A scan first records what is true (state, severity) and then tells Slack what changed since it was last
told (posted_state, posted_severity): a new finding is posted with Acknowledge / Snooze 24 h buttons, a
severity change updates the alert and replies once in its thread, a resolved finding replies once and
marks the alert resolved, an unchanged one posts nothing. A failed post leaves the row as it was, so the
next scan retries; a snoozed finding posts nothing until the snooze ends (its resolution is still told).
Every post is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

import structlog

from bot import messages
from bot.ports import ChatPoster, PostFailed
from bot.render.risks import render_alert
from bot.risks import RiskFinding, Severity
from bot.store.store import Store

log = structlog.get_logger(__name__)
SNOOZE = timedelta(hours=24)
MAX_NEW_PER_SCAN = 10  # a first scan of a neglected cluster must not flood the channel; the rest follow next scan


@dataclass(frozen=True)
class Alert:
    fingerprint: str
    rule: str
    subject: str
    severity: str
    title: str
    detail: str
    state: str  # open | resolved
    opened_at: str
    updated_at: str
    resolved_at: str | None = None
    posted_state: str | None = None
    posted_severity: str | None = None
    channel: str | None = None
    ts: str | None = None
    acked_by: str | None = None
    acked_at: str | None = None
    snoozed_by: str | None = None
    snoozed_until: str | None = None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Alert:
        return cls(**{f.name: row.get(f.name) for f in fields(cls)})

    def snoozed(self, now: datetime) -> bool:
        return bool(self.snoozed_until) and datetime.fromisoformat(str(self.snoozed_until)) > now

    @property
    def pending(self) -> bool:
        """Slack has not been told the current state or severity yet."""
        if self.posted_state != self.state:
            return True
        return self.state == "open" and self.posted_severity != self.severity


@dataclass
class ScanOutcome:
    opened: int = 0
    updated: int = 0
    resolved: int = 0
    failed: int = 0
    deferred: int = 0


def alerts(store: Store, state: str | None = "open") -> list[Alert]:
    where, params = ("WHERE state = ?", (state,)) if state else ("", ())
    rows = [Alert.of(r) for r in store.query(f"SELECT * FROM findings {where}", params)]
    return sorted(rows, key=lambda a: (Severity(a.severity).rank, a.rule, a.subject))


def alert(store: Store, fingerprint: str) -> Alert | None:
    rows = store.query("SELECT * FROM findings WHERE fingerprint = ?", (fingerprint,))
    return Alert.of(rows[0]) if rows else None


def record(store: Store, findings: Sequence[RiskFinding], now: datetime) -> None:
    """What is true now: open or update every finding, resolve every open one no longer found."""
    stamp = now.isoformat()
    current = {f.fingerprint: f for f in findings}
    with store.transaction() as db:
        for fp, finding in current.items():
            values = {"rule": finding.rule, "subject": finding.subject, "severity": finding.severity.value,
                      "title": finding.title, "detail": finding.detail, "updated_at": stamp}
            row = next(iter(db.query("SELECT state FROM findings WHERE fingerprint = ?", (fp,))), None)
            if row is None:
                db["findings"].insert({"fingerprint": fp, "state": "open", "opened_at": stamp, **values})
            elif row["state"] == "resolved":  # back again: a fresh alert, fresh acknowledgement
                db["findings"].update(fp, {**values, "state": "open", "opened_at": stamp, "resolved_at": None,
                                           "acked_by": None, "acked_at": None, "snoozed_by": None, "snoozed_until": None})
            else:
                db["findings"].update(fp, values)
        for row in list(db.query("SELECT fingerprint FROM findings WHERE state = 'open'")):
            if row["fingerprint"] not in current:
                db["findings"].update(row["fingerprint"], {"state": "resolved", "resolved_at": stamp, "updated_at": stamp})


def notify(store: Store, poster: ChatPoster, channel: str, now: datetime, zone: Any = None) -> ScanOutcome:
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
        except PostFailed as exc:
            outcome.failed += 1
            log.warning("alert_post_failed", fingerprint=item.fingerprint, error=str(exc))
            store.audit("carbon", "alert_post_failed", item.fingerprint, {"error": str(exc), "rule": item.rule})
            continue
        if kind:
            setattr(outcome, kind, getattr(outcome, kind) + 1)
    return outcome


def _tell(store: Store, poster: ChatPoster, channel: str, item: Alert, now: datetime, zone: Any) -> str:
    told: dict[str, Any] = {"posted_state": item.state, "posted_severity": item.severity}
    kind = ""
    if item.state == "open" and item.posted_state != "open":
        blocks = render_alert(item, now, zone)
        told |= {"ts": poster.post(channel, blocks, messages.alert_text(item.severity, item.title)), "channel": channel}
        kind = "opened"
    elif item.state == "open" and item.ts:
        updated = _with(item, **told)
        poster.update(item.channel or channel, item.ts, render_alert(updated, now, zone),
                      messages.alert_text(item.severity, item.title))
        poster.post(item.channel or channel, [], messages.alert_severity_changed(item.posted_severity or "?", item.severity),
                    thread_ts=item.ts)
        kind = "updated"
    elif item.state == "resolved" and item.posted_state == "open" and item.ts:
        poster.post(item.channel or channel, [], messages.alert_resolved(item.title), thread_ts=item.ts)
        poster.update(item.channel or channel, item.ts, render_alert(_with(item, **told), now, zone),
                      messages.alert_text(item.severity, item.title))
        kind = "resolved"
    with store.transaction() as db:
        db["findings"].update(item.fingerprint, told)
        if kind:
            store.audit("carbon", f"alert_{kind}", item.fingerprint,
                        {"rule": item.rule, "subject": item.subject, "severity": item.severity,
                         "channel": told.get("channel", item.channel), "ts": told.get("ts", item.ts)}, db=db)
    return kind


def _with(item: Alert, **changes: Any) -> Alert:
    return Alert(**{**item.__dict__, **changes})


def acknowledge(store: Store, fingerprint: str, user_id: str, now: datetime) -> Alert | None:
    return _mark(store, fingerprint, user_id, "alert_acknowledged", {"acked_by": user_id, "acked_at": now.isoformat()})


def snooze(store: Store, fingerprint: str, user_id: str, now: datetime) -> Alert | None:
    until = (now + SNOOZE).isoformat()
    return _mark(store, fingerprint, user_id, "alert_snoozed", {"snoozed_by": user_id, "snoozed_until": until})


def _mark(store: Store, fingerprint: str, user_id: str, action: str, values: dict[str, Any]) -> Alert | None:
    with store.transaction() as db:
        if db.execute("UPDATE findings SET " + ", ".join(f"{k} = ?" for k in values) + " WHERE fingerprint = ?",
                      (*values.values(), fingerprint)).rowcount != 1:
            return None
        store.audit(user_id, action, fingerprint, values, db=db)
    return alert(store, fingerprint)
