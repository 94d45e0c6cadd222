"""Run messages in Slack: the approval request, updated in place as the run moves, and its thread.

Implements the run domain's `RunNotifier` port over the chat port; the run's state in SQLite is the
record, Slack is the view.
"""

from __future__ import annotations

from datetime import tzinfo

from bot.actions import ActionRegistry
from bot.plan.model import Plan
from bot.ports import Chat
from bot.render.blocks import escape, fallback_text
from bot.render.runs import RunView, render_run
from bot.runs.approvals import decisions
from bot.runs.model import Run
from bot.runs.planning import can_roll_back
from bot.store.store import Store


class RunMessages:
    def __init__(self, chat: Chat, store: Store, plan: Plan, actions: ActionRegistry, zone: tzinfo) -> None:
        self.chat, self.store, self.plan, self.actions, self.zone = chat, store, plan, actions, zone

    def view(self, run: Run) -> RunView:
        task = self.plan.task(run.task_id)
        return RunView(run, task.title if task else run.task_id, decisions(self.store, run.id),
                       can_roll_back(self.actions, run), self.zone)

    def post_request(self, run: Run, channel: str) -> str:
        blocks = render_run(self.view(run))
        return self.chat.post(channel, blocks, fallback_text(blocks))

    def show(self, run: Run) -> None:
        if run.channel and run.ts:
            blocks = render_run(self.view(run))
            self.chat.update(run.channel, run.ts, blocks, fallback_text(blocks))

    def say(self, run: Run, text: str) -> None:
        """A step or an outcome in the thread; the text carries names and errors from the cluster: escaped."""
        if run.channel and run.ts:
            self.chat.post(run.channel, [], escape(text), thread_ts=run.ts)
