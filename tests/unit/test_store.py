"""The store: migrations at open, WAL, digest marks round-trip, audit log."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.progress.marks import DigestMark, last_digest, record_digest
from bot.store.store import Store


def test_migrations_apply_once_and_wal_is_on(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    store.audit("U0ALICE", "command", "status")
    store.close()
    again = Store(tmp_path / "c.db")
    assert again.query("PRAGMA journal_mode")[0]["journal_mode"] == "wal"
    assert [e["action"] for e in again.audit_entries()] == ["command"]


def test_last_digest_is_the_newest(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    assert last_digest(store) is None
    for day, fraction in ((1, 0.25), (2, 0.5)):
        record_digest(store, DigestMark(datetime(2026, 11, day, 9, tzinfo=UTC), "C0CARBON", f"{day}.0",
                                        {"p1": fraction}, {"harbor-registry": "done"}))
    mark = last_digest(store)
    assert mark is not None and mark.phases == {"p1": 0.5} and mark.ts == "2.0"


def test_a_failed_transaction_changes_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "c.db")
    with pytest.raises(RuntimeError, match="boom"), store.transaction() as db:
        db["audit_log"].insert({"at": "x", "actor": "U1", "action": "a", "subject": "", "detail": "{}"})
        raise RuntimeError("boom")
    assert store.audit_entries() == []
