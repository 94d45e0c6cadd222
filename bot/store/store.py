"""The SQLite state store: one file, WAL mode, versioned migrations applied at open.

Every state change is one transaction (`with store.transaction():`); compare-and-set updates check the
row count so that concurrent clicks change a row once. Values written here are names, paths, versions
and hash prefixes, never secret values.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.store.migrations import MIGRATIONS
from bot.store.sqlite import sqlite_utils


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """Thread-safe access to the store: one connection, serialised by a lock (SQLite writes are serial anyway)."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:":
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None, timeout=30)
        self.db = sqlite_utils.Database(conn)
        self._lock = threading.RLock()
        if str(path) != ":memory:":
            self.db.enable_wal()
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA busy_timeout=30000")
        MIGRATIONS.apply(self.db)

    @contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """One state change: all of it or none of it, and no other thread in between."""
        with self._lock:
            conn = self.db.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def query(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.db.query(sql, params))

    def execute(self, sql: str, params: tuple[Any, ...] | dict[str, Any] = ()) -> int:
        """Run one statement in its own transaction; returns the number of rows changed."""
        with self.transaction() as db:
            return db.execute(sql, params).rowcount

    def audit(self, actor: str, action: str, subject: str = "", detail: dict[str, Any] | None = None,
              db: sqlite_utils.Database | None = None) -> None:
        """Append to the audit log; pass `db` to write inside the caller's transaction."""
        row = {
            "at": utcnow().isoformat(timespec="seconds"),
            "actor": actor,
            "action": action,
            "subject": subject,
            "detail": json.dumps(detail or {}, sort_keys=True, default=str),
        }
        if db is not None:
            db["audit_log"].insert(row)
        else:
            with self.transaction() as tx:
                tx["audit_log"].insert(row)

    def audit_entries(self, subject: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        where, params = ("WHERE subject = ?", (subject,)) if subject else ("", ())
        rows = self.query(f"SELECT * FROM audit_log {where} ORDER BY id DESC LIMIT {int(limit)}", params)
        return [{**row, "detail": json.loads(row["detail"])} for row in rows]

    def close(self) -> None:
        with self._lock:
            self.db.conn.close()
