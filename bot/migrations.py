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
