"""Roll back a failed, interrupted or succeeded run whose action can be undone (as its Roll back button)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.runs.flow import rollback
from bot.services import Services
from commands.approve import run_id_arg
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> str:
    at_most(COMMAND, args, 1)
    return run_id_arg(COMMAND, args)


def handle(ctx: Context, run_id: str) -> Reply:
    return Reply.note(rollback(ctx.services.runs, run_id, ctx.user_id))


COMMAND = Command("rollback", "rollback <run-id>", doc_summary(__doc__), handle, parse, ("/carbon rollback r-7f3a",),
                  ack_text=messages.rolling_back())
