"""The digest job: post the digest to CARBON_CHANNEL when a scheduled one is due, and `/carbon digest`'s post.

The scheduled path asks `digest_due` first, so a tick posts once, a restart after downtime posts the
missed digest once (not once per missed day), and a second tick for the same fire time posts nothing.
A mark is recorded only after Slack took the message, and the catch-up job asks `digest_due` every few
minutes, so a failed post is tried again and a digest missed while down is posted once on return.
"""

from __future__ import annotations

from datetime import datetime

import structlog

from bot.digest.build import digest_due
from bot.ports import Leadership
from bot.progress.marks import last_digest
from bot.publish.digest import post_digest
from bot.services import Services

log = structlog.get_logger(__name__)
LAST_DIGEST = "last-digest"


def last_posted(services: Services, leader: Leadership) -> datetime | None:
    """The later of this store's last digest and the one the Lease says the previous leader posted."""
    mark = last_digest(services.store)
    shared = leader.mark(LAST_DIGEST)
    times = [t for t in (mark.posted_at if mark else None, datetime.fromisoformat(shared) if shared else None) if t]
    return max(times, default=None)


def digest_job(services: Services, now: datetime) -> str | None:
    """The scheduled digest: posts when one is due, else nothing; returns the ts posted."""
    channel, chat = services.settings.channel, services.chat
    if not channel or chat is None:
        return None
    leader = services.leadership
    due = digest_due(services.settings.digest_cron, services.settings.zone, last_posted(services, leader), now)
    if due is None:
        return None
    ts = post_digest(services.meter, services.run_feed, chat, channel, now)
    leader.remember(LAST_DIGEST, now.isoformat())
    log.info("digest_posted", channel=channel, fire_time=due.isoformat(), ts=ts)
    return ts
