"""Recording approvals and rejections so a run is approved exactly once.

The approvers allowed come from `bot.plan.access`; the requester never decides their own run;
`approval.required` distinct approvers are needed. Each decision is one transaction:
the decision row, its audit row and, when it is the last approval needed, the compare-and-set to
`approved` — so 20 concurrent clicks approve (and later execute) a run once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.runs.model import Run, RunState
from bot.runs.records import get_run
from bot.store.store import Store


class Verdict(StrEnum):
    RECORDED = "recorded"  # an approval counted, more needed
    APPROVED = "approved"  # the last approval needed: the caller executes the run
    REJECTED = "rejected"
    ALREADY = "already"  # this user already decided
    NOT_PENDING = "not_pending"
    OWN_RUN = "own_run"
    NOT_APPROVER = "not_approver"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    run: Run
    approvals: int


def decide(store: Store, run: Run, user: str, approve: bool, allowed: frozenset[str], now: datetime,
           reason: str = "") -> Decision:
    """Check the rules, then record the decision and any transition in one transaction."""
    if user == run.requester:
        return _refused(store, run, user, Verdict.OWN_RUN)
    if user not in allowed:
        return _refused(store, run, user, Verdict.NOT_APPROVER)
    decision = "approve" if approve else "reject"
    with store.transaction() as db:
        state = next(iter(db.query("SELECT state FROM runs WHERE id = ?", (run.id,))))["state"]
        if state != RunState.REQUESTED:
            verdict = Verdict.NOT_PENDING
        elif list(db.query("SELECT 1 FROM run_decisions WHERE run_id = ? AND user = ?", (run.id, user))):
            verdict = Verdict.ALREADY
        else:
            db["run_decisions"].insert({"run_id": run.id, "user": user, "decision": decision,
                                        "at": now.isoformat(timespec="seconds"), "reason": reason})
            store.audit(user, f"run.{decision}", run.id, {"reason": reason} if reason else {}, db=db)
            verdict = Verdict.RECORDED if approve else Verdict.REJECTED
            count = _count(db.query(APPROVALS, (run.id,)))
            target = RunState.REJECTED if not approve else RunState.APPROVED if count >= run.required else None
            if target is not None:
                db.execute("UPDATE runs SET state = ?, updated_at = ? WHERE id = ? AND state = ?",
                           (target.value, now.isoformat(timespec="seconds"), run.id, RunState.REQUESTED.value))
                store.audit(user, f"run.{target.value}", run.id, {"approvals": count, "required": run.required}, db=db)
                verdict = Verdict.APPROVED if approve else Verdict.REJECTED
    fresh = get_run(store, run.id) or run
    return Decision(verdict, fresh, approvals(store, run.id))


def _refused(store: Store, run: Run, user: str, verdict: Verdict) -> Decision:
    store.audit(user, "run.decision_refused", run.id, {"why": verdict.value})
    return Decision(verdict, run, approvals(store, run.id))


APPROVALS = "SELECT COUNT(*) AS n FROM run_decisions WHERE run_id = ? AND decision = 'approve'"


def _count(rows: Any) -> int:
    return int(next(iter(rows))["n"])


def approvals(store: Store, run_id: str) -> int:
    """How many distinct approvers approved the run (inside a decision, the same query runs in its transaction)."""
    return _count(store.query(APPROVALS, (run_id,)))


def decisions(store: Store, run_id: str) -> list[dict[str, str]]:
    return store.query("SELECT user, decision, at, reason FROM run_decisions WHERE run_id = ? ORDER BY at, rowid", (run_id,))


def approvers(store: Store, run_id: str) -> list[str]:
    """Who approved the run, in order."""
    return [d["user"] for d in decisions(store, run_id) if d["decision"] == "approve"]
