"""Posts the digest to the team channel now: each phase and what moved since the last digest, tasks that
changed state, runs, open risks and the next runnable tasks."""

from __future__ import annotations

from collections.abc import Sequence

from bot import messages
from bot.errors import UserError
from bot.ports import PostFailed
from bot.publish.digest import post_digest
from bot.services import Services
from bot.slack.poster import SlackPoster
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> None:
    at_most(COMMAND, args, 0)
    if not services.settings.channel:
        raise UserError(messages.no_channel())


def handle(ctx: Context, _: None) -> Reply:
    channel = ctx.services.settings.channel
    assert channel is not None
    poster = ctx.services.extras.get("poster") or SlackPoster(ctx.client)
    try:
        post_digest(ctx.services, poster, channel, ctx.services.clock(), actor=ctx.user_id)
    except PostFailed as exc:
        raise UserError(messages.post_failed("digest", str(exc))) from None
    return Reply.note(messages.digest_posted(channel))


COMMAND = Command("digest", "digest", doc_summary(__doc__), handle, parse, ("/carbon digest",),
                  ack_text=messages.digesting())
