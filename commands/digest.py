"""Posts the digest to the team channel now: each phase and what moved since the last digest, tasks that
changed state, runs, open risks and the next runnable tasks; its burn-up chart follows in the thread.

Only for CARBON_REQUESTERS, a few times per person (`bot.services.pace`); it compares with the last
scheduled digest and does not become the baseline of the next one."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.errors import SlackFailed, UserError
from bot.publish.digest import post_digest
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> None:
    at_most(COMMAND, args, 0)
    if not services.settings.channel:
        raise UserError(messages.no_channel())


def handle(ctx: Context, _: None) -> Reply:
    channel = ctx.services.settings.channel
    assert channel is not None
    if ctx.services.chat is None:
        raise UserError(messages.no_channel())
    if not ctx.services.runs.access.may_request(ctx.user_id):
        raise UserError(messages.not_allowed_to_digest(ctx.user_id))
    try:
        post_digest(ctx.services.meter, ctx.services.run_feed, ctx.services.chat, channel, ctx.services.clock(),
                    actor=ctx.user_id, on_demand=True)
    except SlackFailed as exc:
        raise UserError(messages.post_failed("digest", exc.code)) from None
    return Reply.note(messages.digest_posted(channel))


COMMAND = Command("digest", "digest", doc_summary(__doc__), handle, parse, ("/carbon digest",),
                  ack_text=messages.digesting())
