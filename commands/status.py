"""The readiness dashboard: each phase measured live, with a bar, tasks done and open risks.
With a phase id, that phase's tasks with their evidence."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.progress import history
from bot.render.status import render_phase, render_status
from bot.services import Services
from commands.base import Command, Context, Reply, doc_summary, optional_phase


def parse(services: Services, args: Sequence[str]) -> str | None:
    return optional_phase(COMMAND, services, args)


def handle(ctx: Context, phase_id: str | None) -> Reply:
    services = ctx.services
    view = services.meter.measure()
    if phase_id is None:
        changes, since = history.phase_changes(services.store, services.plan, view, services.clock())
        return Reply.of(render_status(view, services.meter.open_risks, changes, since), in_channel=True)
    phase = view.phase(phase_id)
    assert phase is not None
    return Reply.of(render_phase(view, phase), in_channel=True)


COMMAND = Command("status", "status [phase]", doc_summary(__doc__), handle, parse,
                  ("/carbon status", "/carbon status p2"), ack_text=messages.working())
