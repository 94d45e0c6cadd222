"""Versioned schema migrations, applied in order at start. Add new ones at the end; never edit old ones."""

from __future__ import annotations

from bot.store.sqlite import Migrations, sqlite_utils

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
def m101_attestations(db: sqlite_utils.Database) -> None:
    """The current attestation of each manual task (who vouches, when, note); the audit log keeps the past."""
    db["attestations"].create({"task_id": str, "user_id": str, "at": str, "note": str}, pk="task_id")


@MIGRATIONS()
def m102_task_history(db: sqlite_utils.Database) -> None:
    """One row per task per change of state or fraction (not per poll), for 'since' views and trends."""
    db["task_history"].create({"id": int, "task_id": str, "at": str, "state": str, "fraction": float}, pk="id")
    db["task_history"].create_index(["task_id", "at"])
    db["task_history"].create_index(["at"])


@MIGRATIONS()
def m301_findings(db: sqlite_utils.Database) -> None:
    """Risk findings by fingerprint: what is true now (state, severity) beside what Slack was last told
    (posted_state, posted_severity), so each change is posted once and a failed post is retried."""
    db["findings"].create(
        {"fingerprint": str, "rule": str, "subject": str, "severity": str, "title": str, "detail": str,
         "state": str, "opened_at": str, "updated_at": str, "resolved_at": str,
         "posted_state": str, "posted_severity": str, "channel": str, "ts": str,
         "acked_by": str, "acked_at": str, "snoozed_by": str, "snoozed_until": str},
        pk="fingerprint",
    )
    db["findings"].create_index(["state"])


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


@MIGRATIONS()
def m003_digest_on_demand(db: sqlite_utils.Database) -> None:
    """Mark the digests a person asked for (`/carbon digest`): they are kept, but "since the last digest"
    and when the next scheduled one is due count the scheduled digests only. Rows from before cannot tell
    which they were: they count as scheduled."""
    db["digests"].add_column("on_demand", int, not_null_default=0)
