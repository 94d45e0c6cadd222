"""Attestations: a person vouches that a `manual` task is done. Stored with who and when, audited.

One current attestation per task (a new one replaces the old); `--undo` removes it. An attestation
older than the task's `attestation_ttl_days` no longer counts (it stays in the table until replaced,
so the audit trail and the "expired" wording can name it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.plan.model import Plan
from bot.progress.measure import Attestation
from bot.store.store import Store


def attest(store: Store, task_id: str, user_id: str, note: str, now: datetime) -> None:
    with store.transaction() as db:
        db["attestations"].upsert({"task_id": task_id, "user_id": user_id, "at": now.isoformat(), "note": note},
                                  pk="task_id")
        store.audit(user_id, "attest", task_id, {"note": note}, db=db)


def withdraw(store: Store, task_id: str, user_id: str) -> bool:
    """Remove the task's attestation; False when there was none (nothing changes, nothing audited)."""
    with store.transaction() as db:
        removed = db.execute("DELETE FROM attestations WHERE task_id = ?", (task_id,)).rowcount
        if removed:
            store.audit(user_id, "attest_undo", task_id, {}, db=db)
    return bool(removed)


def expires_at(plan: Plan, attestation: Attestation) -> datetime | None:
    task = plan.task(attestation.task_id)
    if task is None or task.attestation_ttl_days is None:
        return None
    return attestation.at + timedelta(days=task.attestation_ttl_days)


def current(store: Store, plan: Plan, now: datetime) -> dict[str, Attestation]:
    """Attestations that count now: for tasks still in the plan, not expired."""
    found = {}
    for row in store.query("SELECT * FROM attestations"):
        item = Attestation(row["task_id"], row["user_id"], datetime.fromisoformat(row["at"]), row["note"] or "")
        ends = expires_at(plan, item)
        if plan.task(item.task_id) is not None and (ends is None or now < ends):
            found[item.task_id] = item
    return found
