"""An in-test run feed: the `bot.run_feed.RunFeed` protocol over a list, as the runs store will provide it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class Run:
    id: str
    task_id: str
    state: str
    requester: str
    approvers: tuple[str, ...]
    updated_at: datetime


@dataclass
class ListFeed:
    """The run-feed protocol over a list, as the runs store will provide it."""

    runs: list[Run] = field(default_factory=list)

    def runs_since(self, since: datetime | None, limit: int) -> list[Run]:
        found = [r for r in self.runs if since is None or r.updated_at > since]
        return sorted(found, key=lambda r: r.updated_at, reverse=True)[:limit]

    def pending(self) -> list[Run]:
        return [r for r in self.runs if r.state == "requested"]
