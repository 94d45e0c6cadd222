"""The alert lifecycle over the `findings` table: what is true of each finding, and what the channel was told.

A scan first records what is true (state, severity); `bot/publish/alerts.py` then tells Slack what changed
since it was last told (posted_state, posted_severity) and records that here. A finding that comes back
after it resolved is a fresh alert. Acknowledge and snooze are recorded with who did it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from bot.risks import RiskFinding, Severity
from bot.store.store import Store

SNOOZE = timedelta(hours=24)


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


def record_told(store: Store, item: Alert, told: dict[str, Any], kind: str) -> None:
    """What the channel has now been told of this alert, with an audit row for a post."""
    with store.transaction() as db:
        db["findings"].update(item.fingerprint, told)
        if kind:
            store.audit("carbon", f"alert_{kind}", item.fingerprint,
                        {"rule": item.rule, "subject": item.subject, "severity": item.severity,
                         "channel": told.get("channel", item.channel), "ts": told.get("ts", item.ts)}, db=db)


def with_changes(item: Alert, **changes: Any) -> Alert:
    return Alert(**{**item.__dict__, **changes})
