"""A run: one request to apply a task's action, and the state machine it moves through.

requested → approved → running → succeeded | failed | interrupted (approved → interrupted too, when the
bot stopped before executing); requested → rejected | expired;
failed | interrupted | succeeded → rolling_back → rolled_back | failed. Every transition is one
compare-and-set in the same transaction as its audit row (`bot/runs/records.py`): that is how a run
executes once however many clicks arrive.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class RunState(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    INTERRUPTED = "interrupted"
    ROLLING_BACK = "rolling_back"
    ROLLED_BACK = "rolled_back"
    REJECTED = "rejected"
    EXPIRED = "expired"


S = RunState
TRANSITIONS: dict[RunState, frozenset[RunState]] = {
    S.REQUESTED: frozenset({S.APPROVED, S.REJECTED, S.EXPIRED}),
    S.APPROVED: frozenset({S.RUNNING, S.FAILED, S.INTERRUPTED}),  # failed without running: the plan went stale
    S.RUNNING: frozenset({S.SUCCEEDED, S.FAILED, S.INTERRUPTED}),
    S.SUCCEEDED: frozenset({S.ROLLING_BACK}),
    S.FAILED: frozenset({S.ROLLING_BACK}),
    S.INTERRUPTED: frozenset({S.ROLLING_BACK}),
    # back to succeeded (or failed, interrupted): the rollback was refused before it changed anything
    S.ROLLING_BACK: frozenset({S.ROLLED_BACK, S.SUCCEEDED, S.FAILED, S.INTERRUPTED}),
}
FINAL = frozenset({S.ROLLED_BACK, S.REJECTED, S.EXPIRED})


def can_move(frm: RunState, to: RunState) -> bool:
    return to in TRANSITIONS.get(frm, frozenset())


@dataclass(frozen=True)
class Run:
    id: str
    task_id: str
    action: str
    state: RunState
    requester: str
    requested_at: datetime
    expires_at: datetime
    updated_at: datetime
    required: int
    plan_hash: str
    plan: dict[str, Any]
    channel: str
    ts: str
    outcome: dict[str, Any]

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Run:
        return cls(row["id"], row["task_id"], row["action"], RunState(row["state"]), row["requester"],
                   datetime.fromisoformat(row["requested_at"]), datetime.fromisoformat(row["expires_at"]),
                   datetime.fromisoformat(row["updated_at"]), int(row["required"]), row["plan_hash"],
                   json.loads(row["plan"] or "{}"), row["channel"] or "", row["ts"] or "", json.loads(row["outcome"] or "{}"))

    def expired_at(self, now: datetime) -> bool:
        return self.state == S.REQUESTED and now >= self.expires_at
