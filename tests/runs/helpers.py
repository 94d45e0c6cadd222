"""Shared steps of the run scenarios: request a run, find its approval message, click on it."""

from __future__ import annotations

from typing import Any

from bot.runs.model import Run
from bot.runs.records import get_run, list_runs
from tests.fixtures.bot import CHANNEL, Carbon


def request(carbon: Carbon, task_id: str, user: str = "U0ALICE") -> Run:
    before = {r.id for r in list_runs(carbon.services.store, task_id, limit=100)}
    carbon.slash(f"run {task_id}", user=user)
    new = [r for r in list_runs(carbon.services.store, task_id, limit=100) if r.id not in before]
    assert len(new) == 1, carbon.last_answer()
    return new[0]


def message(carbon: Carbon, run: Run) -> dict[str, Any]:
    return next(m for m in carbon.slack.messages(CHANNEL) if m["ts"] == run.ts)


def buttons(msg: dict[str, Any]) -> list[tuple[str, str]]:
    return [(e["action_id"], e["value"]) for b in msg.get("blocks") or [] if b["type"] == "actions" for e in b["elements"]]


def thread(carbon: Carbon, run: Run) -> list[str]:
    return [m["text"] for m in carbon.slack.messages(CHANNEL) if m.get("thread_ts") == run.ts]


def click(carbon: Carbon, action: str, run: Run, user: str) -> str:
    carbon.click(action, run.id, user, message_ts=run.ts)
    return str(carbon.last_answer().get("text", ""))


def state(carbon: Carbon, run: Run) -> str:
    fresh = get_run(carbon.services.store, run.id)
    assert fresh is not None
    return fresh.state.value
