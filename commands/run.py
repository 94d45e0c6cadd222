"""Compute a task's plan by a dry run, record a run, and post an approval request to CARBON_CHANNEL.

The request shows who asked, the plan (objects to create, patch or delete; ConfigMap keys and their
Vault paths, never values), the approvals required, the expiry, and Approve / Reject buttons."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from bot import messages
from bot.errors import UserError
from bot.runs.flow import request_run
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> str:
    if not args:
        raise COMMAND.usage_error(messages.which_task())
    at_most(COMMAND, args, 1)
    task_id = args[0].lower()
    task = services.plan.task(task_id)
    if task is None:
        close = difflib.get_close_matches(task_id, [t.id for t in services.plan.tasks()], n=1, cutoff=0.6)
        raise UserError(messages.unknown_task(task_id, close))
    if task.action is None:
        raise UserError(messages.task_has_no_action(task_id))
    return task_id


def handle(ctx: Context, task_id: str) -> Reply:
    task = ctx.services.plan.task(task_id)
    assert task is not None
    _, answer = request_run(ctx.services.runs, task, ctx.user_id)
    return Reply.note(answer)


COMMAND = Command("run", "run <task-id>", doc_summary(__doc__), handle, parse,
                  ("/carbon run secrets-migration",), ack_text=messages.computing_plan())
