"""Value fingerprints are keyed per install: stable across restarts, unguessable from Slack, kept out of the store."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from bot.app.build import install_key
from bot.snapshot.credentials import fingerprint
from bot.store.store import Store


def test_the_key_is_made_once_beside_the_store_and_kept_private(tmp_path: Path) -> None:
    db = tmp_path / "carbon.db"
    first, again = install_key(db), install_key(db)
    assert first == again and len(first) == 32
    assert stat.S_IMODE((tmp_path / "carbon.db.key").stat().st_mode) == 0o600
    Store(db).audit("U0ALICE", "command", "status")
    assert first not in db.read_bytes()


def test_a_fingerprint_is_not_the_plain_hash_of_the_value(tmp_path: Path) -> None:
    value = "hunter2"
    keyed = fingerprint(value, install_key(tmp_path / "carbon.db"))
    assert len(keyed) == 12 and keyed != hashlib.sha256(value.encode()).hexdigest()[:12]
    assert keyed != fingerprint(value, install_key(tmp_path / "other.db"))
