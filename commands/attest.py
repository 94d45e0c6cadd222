"""Vouch that a task no machine can check is done: `attest <task-id> [note]`; `attest <task-id> --undo`
withdraws it. Only for tasks whose check is `manual`, and only for CARBON_REQUESTERS. Shown as attested
(who, when, note), never as measured; the plan's `attestation_ttl_days` makes it expire."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from bot import messages
from bot.errors import UserError
from bot.progress import attestations
from bot.progress.measure import Attestation
from bot.services import Services
from commands.base import Command, Context, Reply, doc_summary

UNDO = "--undo"


@dataclass(frozen=True)
class AttestArgs:
    task_id: str
    note: str = ""
    undo: bool = False


def parse(services: Services, args: Sequence[str]) -> AttestArgs:
    if not args:
        raise COMMAND.usage_error(messages.which_task())
    task_id, rest = args[0].lower(), list(args[1:])
    task = services.plan.task(task_id)
    if task is None:
        close = difflib.get_close_matches(task_id, [t.id for t in services.plan.tasks()], n=1, cutoff=0.6)
        raise UserError(messages.unknown_task(task_id, close))
    if task.check.kind != "manual":
        raise UserError(messages.not_manual(task_id, task.check.kind))
    if UNDO in rest:
        if rest != [UNDO]:
            raise COMMAND.usage_error(messages.takes_no_note(UNDO))
        return AttestArgs(task_id, undo=True)
    return AttestArgs(task_id, " ".join(rest)[:300])


def handle(ctx: Context, args: AttestArgs) -> Reply:
    if not ctx.services.runs.access.may_request(ctx.user_id):
        raise UserError(messages.not_allowed_to_attest(ctx.user_id))
    store = ctx.services.store
    if args.undo:
        if not attestations.withdraw(store, args.task_id, ctx.user_id):
            raise UserError(messages.nothing_to_withdraw(args.task_id))
        ctx.services.meter.changed()
        return Reply.note(messages.attestation_withdrawn(args.task_id, ctx.user_id))
    now = ctx.services.clock()
    attestations.attest(store, args.task_id, ctx.user_id, args.note, now)
    ctx.services.meter.changed()
    ends = attestations.expires_at(ctx.services.plan, Attestation(args.task_id, ctx.user_id, now))
    shown = messages.when(ends, ctx.services.settings.zone, time=False) if ends else None
    reply = Reply.note(messages.attested(args.task_id, ctx.user_id, shown))
    return Reply(reply.blocks, reply.text, in_channel=True)


COMMAND = Command("attest", "attest <task-id> [note] | attest <task-id> --undo", doc_summary(__doc__), handle, parse,
                  ("/carbon attest dr-runbook reviewed with the on-call team", "/carbon attest dr-runbook --undo"))
