"""Recent runs with their state, requester, approvers and times; with a task id, that task's runs."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.errors import UserError
from bot.render.runs import render_runs
from bot.runs.approvals import approvers
from bot.runs.lifecycle import expire_if_due
from bot.runs.records import list_runs
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> str | None:
    at_most(COMMAND, args, 1)
    task_id = args[0].lower() if args else None
    if task_id is not None and services.plan.task(task_id) is None:
        raise UserError(messages.unknown_task(task_id, []))
    return task_id


def handle(ctx: Context, task_id: str | None) -> Reply:
    runs = [expire_if_due(ctx.services.runs, run) for run in list_runs(ctx.services.store, task_id, limit=15)]
    titles = {t.id: t.title for t in ctx.services.plan.tasks()}
    approved = {r.id: approvers(ctx.services.store, r.id) for r in runs}
    return Reply.of(render_runs(runs, titles, approved, task_id, ctx.services.settings.zone))


COMMAND = Command("runs", "runs [task-id]", doc_summary(__doc__), handle, parse,
                  ("/carbon runs", "/carbon runs secrets-migration"))
