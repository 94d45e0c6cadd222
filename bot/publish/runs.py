"""Run messages in Slack: the approval request, updated in place as the run moves, its thread (the full
plan, posted once, steps, the approvers' reminder) and the full plan's modal.

Implements the run domain's `RunNotifier` port over the chat port; the run's state in SQLite is the
record, Slack is the view.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo

import structlog

from bot import messages
from bot.actions import ActionRegistry
from bot.errors import SlackFailed
from bot.plan.model import Plan
from bot.ports import Chat
from bot.render.blocks import escape, fallback_text, mention
from bot.render.plan import thread_parts
from bot.render.runs import RunView, render_run
from bot.runs.approvals import approvals, decisions
from bot.runs.model import Run
from bot.runs.planning import can_roll_back
from bot.store.store import Store

log = structlog.get_logger(__name__)


class RunMessages:
    def __init__(self, chat: Chat, store: Store, plan: Plan, actions: ActionRegistry, zone: tzinfo,
                 approvers: Sequence[str] = ()) -> None:
        self.chat, self.store, self.plan, self.actions, self.zone = chat, store, plan, actions, zone
        self.approvers = tuple(approvers)  # CARBON_APPROVERS; a task's own list replaces it in the mention

    def asked(self, run: Run) -> tuple[str, ...]:
        """Who the request mentions: the task's approvers when it names them, else CARBON_APPROVERS."""
        task = self.plan.task(run.task_id)
        return tuple(task.approval.approvers) if task and task.approval.approvers else self.approvers

    def view(self, run: Run) -> RunView:
        task = self.plan.task(run.task_id)
        return RunView(run, task.title if task else run.task_id, decisions(self.store, run.id),
                       can_roll_back(self.actions, run), self.zone, self.asked(run))

    def post_request(self, run: Run, channel: str) -> str:
        blocks = render_run(self.view(run))
        ts = self.chat.post(channel, blocks, fallback_text(blocks))
        self.post_plan(run, channel, ts)
        return ts

    def post_plan(self, run: Run, channel: str, ts: str) -> None:
        """The full plan in the request's thread, once, as numbered messages; a refused part is logged, not fatal."""
        parts = thread_parts(run.plan.get("changes") or [], run.plan_hash, run.plan.get("impact"))
        for part in parts:
            try:
                self.chat.post(channel, part, fallback_text(part), thread_ts=ts)
            except SlackFailed as exc:
                log.warning("plan_thread_not_posted", run=run.id, error=exc.code)
                return

    def show(self, run: Run) -> None:
        if run.channel and run.ts:
            blocks = render_run(self.view(run))
            self.chat.update(run.channel, run.ts, blocks, fallback_text(blocks))

    def say(self, run: Run, text: str) -> None:
        """A step or an outcome in the thread; the text carries names and errors from the cluster: escaped."""
        if run.channel and run.ts:
            self.chat.post(run.channel, [], escape(text), thread_ts=run.ts)

    def remind(self, run: Run) -> None:
        """Tell the approvers, in the thread, that the run still waits for them."""
        if run.channel and run.ts:
            text = messages.approval_reminder(run.id, [mention(a) for a in self.asked(run)],
                                              approvals(self.store, run.id), run.required,
                                              messages.when(run.expires_at, self.zone))
            self.chat.post(run.channel, [], text, thread_ts=run.ts)
