"""Runs in the store: create, read, and move them through the state machine by compare-and-set.

Every transition is one `UPDATE runs SET state=? WHERE id=? AND state IN (…)` with its row count checked,
in the same transaction as its audit row. The stored plan holds names, Vault paths, versions and hash
prefixes, never values.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime, timedelta
from typing import Any

from bot.runs.model import Run, RunState, can_move
from bot.store.store import Store

S = RunState


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="seconds")


def create_run(store: Store, *, task_id: str, action: str, requester: str, required: int, ttl_hours: float,
               plan_hash: str, plan: dict[str, Any], now: datetime) -> Run:
    """Record a new run in `requested` with its audit row; the id is short enough to type (`r-7f3a`)."""
    with store.transaction() as db:
        run_id = _free_id(db)
        db["runs"].insert({
            "id": run_id, "task_id": task_id, "action": action, "state": S.REQUESTED.value, "requester": requester,
            "requested_at": _iso(now), "expires_at": _iso(now + timedelta(hours=ttl_hours)), "updated_at": _iso(now),
            "required": required, "plan_hash": plan_hash, "plan": json.dumps(plan, sort_keys=True),
            "channel": "", "ts": "", "outcome": "{}",
        })
        store.audit(requester, "run.requested", run_id, {"task": task_id, "action": action, "plan_hash": plan_hash}, db=db)
    run = get_run(store, run_id)
    assert run is not None
    return run


def _free_id(db: Any) -> str:
    for length in (4, 4, 4, 6, 8):
        candidate = "r-" + secrets.token_hex(length // 2 + length % 2)[:length]
        if not list(db.query("SELECT 1 FROM runs WHERE id = ?", (candidate,))):
            return candidate
    raise RuntimeError("no free run id")


def get_run(store: Store, run_id: str) -> Run | None:
    rows = store.query("SELECT * FROM runs WHERE id = ?", (run_id,))
    return Run.from_row(rows[0]) if rows else None


def list_runs(store: Store, task_id: str | None = None, limit: int = 10) -> list[Run]:
    where, params = ("WHERE task_id = ?", (task_id,)) if task_id else ("", ())
    rows = store.query(f"SELECT * FROM runs {where} ORDER BY requested_at DESC, rowid DESC LIMIT {int(limit)}", params)
    return [Run.from_row(row) for row in rows]


def runs_in(store: Store, *states: RunState) -> list[Run]:
    marks = ",".join("?" * len(states))
    return [Run.from_row(r) for r in store.query(f"SELECT * FROM runs WHERE state IN ({marks})", tuple(states))]


def transition(store: Store, run_id: str, frm: tuple[RunState, ...] | RunState, to: RunState, *, actor: str,
               now: datetime, detail: dict[str, Any] | None = None, outcome: dict[str, Any] | None = None) -> bool:
    """Compare-and-set from one of `frm` to `to`, with its audit row; False when another click got there first."""
    sources = (frm,) if isinstance(frm, RunState) else frm
    if not all(can_move(source, to) for source in sources):
        raise ValueError(f"no transition from {sources} to {to}")
    marks = ",".join("?" * len(sources))
    sets, params = "state = ?, updated_at = ?", [to.value, _iso(now)]
    if outcome is not None:
        sets += ", outcome = ?"
        params.append(json.dumps(outcome, sort_keys=True))
    with store.transaction() as db:
        changed = db.execute(f"UPDATE runs SET {sets} WHERE id = ? AND state IN ({marks})",
                             (*params, run_id, *[s.value for s in sources])).rowcount
        if changed != 1:
            return False
        store.audit(actor, f"run.{to.value}", run_id, detail or {}, db=db)
    return True


def set_message(store: Store, run_id: str, channel: str, ts: str) -> None:
    """Where the approval request was posted, so every later state updates it in place."""
    store.execute("UPDATE runs SET channel = ?, ts = ? WHERE id = ?", (channel, ts, run_id))


def note(store: Store, run_id: str, actor: str, action: str, detail: dict[str, Any]) -> None:
    """An audit row for something that is not a transition: an execution step, a refused click."""
    store.audit(actor, action, run_id, detail)
