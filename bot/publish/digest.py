"""Post a digest now: measure, render, post to the channel, then record what it showed (the digest mark).

Shared by the scheduled job and `/carbon digest`. The mark is written only after Slack took the
message, so "since the last digest" always means since one the channel really saw.
"""

from __future__ import annotations

from datetime import datetime

from bot.digest.build import build_digest
from bot.ports import ChatPoster
from bot.progress.marks import last_digest, record_digest
from bot.render.blocks import fallback_text
from bot.render.digest import render_digest
from bot.runs.feed_port import run_feed
from bot.services import Services


def post_digest(services: Services, poster: ChatPoster, channel: str, now: datetime, actor: str = "carbon") -> str:
    """Measure, render, post, record the mark; returns the message ts. Raises PostFailed."""
    progress, risks = services.measure_with_risks()
    runnable = {t.id for t in services.plan.tasks() if t.action is not None}
    view = build_digest(progress, last_digest(services.store), risks, run_feed(services.extras), runnable)
    blocks = render_digest(view)
    ts = poster.post(channel, blocks, fallback_text(blocks))
    record_digest(services.store, view.mark(channel, ts, now))
    services.store.audit(actor, "digest_posted", channel, {"ts": ts, "risks": len(risks)})
    return ts
