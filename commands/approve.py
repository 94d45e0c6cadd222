"""Approve or reject a pending run, the same as its buttons: `approve <run-id>`, `reject <run-id> [reason]`.

Only approvers may decide, never on their own run; the approval that completes the count executes the run."""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot import messages
from bot.errors import UserError
from bot.runs.flow import decide_run
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary

RUN_ID = re.compile(r"^r-[0-9a-f]{4,8}$")


def run_id_arg(command: Command, args: Sequence[str]) -> str:
    if not args:
        raise command.usage_error(messages.which_run())
    run_id = args[0].lower()
    if not RUN_ID.match(run_id):
        raise UserError(messages.bad_run_id(args[0]))
    return run_id


def parse_approve(services: Services, args: Sequence[str]) -> str:
    at_most(APPROVE, args, 1)
    return run_id_arg(APPROVE, args)


def parse_reject(services: Services, args: Sequence[str]) -> tuple[str, str]:
    return run_id_arg(REJECT, args), " ".join(args[1:])[:300]


def handle_approve(ctx: Context, run_id: str) -> Reply:
    return Reply.note(decide_run(ctx.services.runs, run_id, ctx.user_id, True))


def handle_reject(ctx: Context, args: tuple[str, str]) -> Reply:
    return Reply.note(decide_run(ctx.services.runs, args[0], ctx.user_id, False, args[1]))


APPROVE = Command("approve", "approve <run-id>", doc_summary(__doc__), handle_approve, parse_approve,
                  ("/carbon approve r-7f3a",), ack_text=messages.recording_approval())
REJECT = Command("reject", "reject <run-id> [reason]", "Reject a pending run, with an optional reason (as its Reject button).",
                 handle_reject, parse_reject, ("/carbon reject r-7f3a not during business hours",),
                 ack_text=messages.recording_rejection())
