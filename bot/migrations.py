"""Versioned schema migrations, applied in order at start. Add new ones at the end; never edit old ones."""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

MIGRATIONS = Migrations("carbon")


@MIGRATIONS()
def m001_audit_log(db: sqlite_utils.Database) -> None:
    db["audit_log"].create(
        {"id": int, "at": str, "actor": str, "action": str, "subject": str, "detail": str},
        pk="id",
    )
    db["audit_log"].create_index(["subject"])
    db["audit_log"].create_index(["at"])


@MIGRATIONS()
def m002_digests(db: sqlite_utils.Database) -> None:
    """Each posted digest with what it showed, so the next one (and /carbon status) can say what moved."""
    db["digests"].create(
        {"id": int, "posted_at": str, "channel": str, "ts": str, "phases": str, "tasks": str},
        pk="id",
    )
    db["digests"].create_index(["posted_at"])


@MIGRATIONS()
def m201_runs(db: sqlite_utils.Database) -> None:
    """Runs of a task's action and who approved or rejected them. Plans hold names, paths and hash prefixes only."""
    db["runs"].create(
        {"id": str, "task_id": str, "action": str, "state": str, "requester": str, "requested_at": str,
         "expires_at": str, "updated_at": str, "required": int, "plan_hash": str, "plan": str,
         "channel": str, "ts": str, "outcome": str},
        pk="id",
    )
    db["runs"].create_index(["task_id"])
    db["runs"].create_index(["state"])
    db["run_decisions"].create(
        {"run_id": str, "user": str, "decision": str, "at": str, "reason": str},
        pk=("run_id", "user"), foreign_keys=[("run_id", "runs", "id")],
    )
