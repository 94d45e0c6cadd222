"""The digest's and App Home's view of runs (the `RunFeed` port), read from the runs store."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.runs.approvals import approvers
from bot.runs.model import Run, RunState
from bot.runs.records import runs_in
from bot.store.store import Store


@dataclass(frozen=True)
class RunLine:
    id: str
    task_id: str
    state: str
    requester: str
    approvers: Sequence[str]
    updated_at: datetime


class StoreRunFeed:
    def __init__(self, store: Store) -> None:
        self.store = store

    def _line(self, run: Run) -> RunLine:
        return RunLine(run.id, run.task_id, run.state.value, run.requester, approvers(self.store, run.id), run.updated_at)

    def runs_since(self, since: datetime | None, limit: int) -> Sequence[RunLine]:
        where, params = ("WHERE updated_at > ?", (since.isoformat(),)) if since else ("", ())
        rows = self.store.query(f"SELECT * FROM runs {where} ORDER BY updated_at DESC, rowid DESC LIMIT {int(limit)}",
                                params)
        return [self._line(Run.from_row(row)) for row in rows]

    def pending(self) -> Sequence[RunLine]:
        return [self._line(run) for run in sorted(runs_in(self.store, RunState.REQUESTED), key=lambda r: r.requested_at)]
