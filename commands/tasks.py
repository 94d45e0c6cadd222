"""Tasks with their state, the check's evidence, since when they are in that state, and which ones can be run.
With a phase id, only that phase."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.progress import history
from bot.render.status import render_tasks
from bot.services import Services
from commands.base import Command, Context, Reply, doc_summary, optional_phase


def parse(services: Services, args: Sequence[str]) -> str | None:
    return optional_phase(COMMAND, services, args)


def handle(ctx: Context, phase_id: str | None) -> Reply:
    plan = ctx.services.plan
    view = ctx.services.meter.measure()
    phases = [p for p in view.phases if phase_id is None or p.phase.id == phase_id]
    runnable = {t.id for t in plan.tasks() if t.action is not None}
    changed = history.last_state_changes(ctx.services.store, [t.task.id for p in phases for t in p.tasks])
    return Reply.of(render_tasks(view, phases, runnable, changed))


COMMAND = Command("tasks", "tasks [phase]", doc_summary(__doc__), handle, parse,
                  ("/carbon tasks", "/carbon tasks p1"), ack_text=messages.working())
