"""Post a digest now: measure, render, post to the channel, record what it showed (the digest mark), then
upload the burn-up chart into its thread (`bot.publish.chart`).

Shared by the scheduled job and `/carbon digest`. The mark is written only after Slack took the
message, so "since the last digest" always means since one the channel really saw; an on-demand digest is
marked as such and is no baseline (`bot.progress.marks`). The chart comes last: its failure never undoes
the digest.
"""

from __future__ import annotations

from datetime import datetime

from bot.digest.build import build_digest
from bot.ports import Chat, RunFeed
from bot.progress.marks import last_digest, record_digest
from bot.progress.meter import ProgressMeter
from bot.publish.chart import post_chart
from bot.render.blocks import fallback_text
from bot.render.digest import render_digest


def post_digest(meter: ProgressMeter, feed: RunFeed, chat: Chat, channel: str, now: datetime,
                actor: str = "carbon", on_demand: bool = False) -> str:
    """Measure, render, post, record the mark, add the chart; returns the message ts. Raises SlackFailed (the
    digest message only: a chart that fails is logged and audited, never raised)."""
    progress, risks = meter.measure_with_risks()
    runnable = {t.id for t in meter.plan.tasks() if t.action is not None}
    view = build_digest(progress, last_digest(meter.store), risks, feed, runnable)
    blocks = render_digest(view)
    ts = chat.post(channel, blocks, fallback_text(blocks))
    record_digest(meter.store, view.mark(channel, ts, now), on_demand=on_demand)
    meter.store.audit(actor, "digest_posted", channel, {"ts": ts, "risks": len(risks), "on_demand": on_demand})
    post_chart(meter, chat, channel, ts, now, actor)
    return ts
