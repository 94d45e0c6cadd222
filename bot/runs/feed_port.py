"""The runs the digest and App Home show, as a small protocol, so they do not depend on how runs are stored.

Wiring puts an object with these two methods in `services.extras["run_feed"]` (the runs store of the
run/approve feature); without one, the run sections say there is nothing to show.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol


class RunInfo(Protocol):
    id: str
    task_id: str
    state: str  # requested | approved | running | succeeded | failed | rolled_back | rejected | expired
    requester: str
    approvers: Sequence[str]
    updated_at: datetime


class RunFeed(Protocol):
    def runs_since(self, since: datetime | None, limit: int) -> Sequence[RunInfo]:
        """Runs that changed after `since` (all when None), newest first."""
        ...

    def pending(self) -> Sequence[RunInfo]:
        """Runs waiting for approval, oldest first."""
        ...


def run_feed(extras: dict[str, Any]) -> RunFeed | None:
    return extras.get("run_feed")


def run_line(run: RunInfo) -> str:
    approvers = ", ".join(f"<@{a}>" for a in run.approvers) or "nobody yet"
    return (f"`{run.id}` {run.task_id} · *{run.state}* · asked by <@{run.requester}>, approved by {approvers} · "
            f"{run.updated_at:%Y-%m-%d %H:%M}")
