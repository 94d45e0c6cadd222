"""The record of posted digests: what each one showed, so later views can say what moved since.

Only scheduled digests are the baseline: an on-demand one (`/carbon digest`) is recorded with `on_demand`
set and ignored by `last_digest`, so asking for a digest never resets "since the last digest" nor delays
the scheduled one."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from bot.store.store import Store


@dataclass(frozen=True)
class DigestMark:
    posted_at: datetime
    channel: str
    ts: str
    phases: dict[str, float]  # phase id -> fraction shown
    tasks: dict[str, str]  # task id -> state shown


def record_digest(store: Store, mark: DigestMark, on_demand: bool = False) -> None:
    with store.transaction() as db:
        db["digests"].insert({
            "posted_at": mark.posted_at.isoformat(), "channel": mark.channel, "ts": mark.ts,
            "phases": json.dumps(mark.phases, sort_keys=True), "tasks": json.dumps(mark.tasks, sort_keys=True),
            "on_demand": int(on_demand),
        })


def last_digest(store: Store) -> DigestMark | None:
    """The last scheduled digest (on-demand ones are not a baseline)."""
    rows = store.query("SELECT * FROM digests WHERE on_demand = 0 ORDER BY posted_at DESC, id DESC LIMIT 1")
    if not rows:
        return None
    row = rows[0]
    return DigestMark(datetime.fromisoformat(row["posted_at"]), row["channel"], row["ts"],
                      json.loads(row["phases"]), json.loads(row["tasks"]))
