"""The digest's burn-up chart: computed from the task history, drawn as a PNG, uploaded into the digest's thread.

It goes in the thread, not the channel, so a digest stays one message in the channel and its chart is attached
to the very digest it illustrates; it is uploaded after the digest was posted and marked, so a chart that cannot
be drawn or uploaded never costs the digest. Such a failure is logged, audited (`digest_chart_failed`) and said
in the thread when Slack still takes a message there.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

import structlog

from bot import messages
from bot.errors import SlackFailed, new_ref
from bot.plan.model import Plan
from bot.ports import Chat
from bot.progress import history
from bot.progress.burnup import DAYS, burnup
from bot.progress.meter import ProgressMeter
from bot.render.chart import render_burnup
from bot.store.store import Store

log = structlog.get_logger(__name__)
FILENAME = "carbon-burnup.png"


def burnup_png(plan: Plan, store: Store, zone: tzinfo, now: datetime) -> bytes:
    """The chart of the last DAYS days as of `now`, from the store's history and the plan's weights (the digest's
    and `carbon chart`'s)."""
    return render_burnup(burnup(plan, history.rows(store), now, zone, DAYS))


def post_chart(meter: ProgressMeter, chat: Chat, channel: str, thread_ts: str, now: datetime, actor: str) -> bool:
    """Upload the chart into the digest's thread; False (logged, audited, said in the thread) when it failed."""
    try:
        png = burnup_png(meter.plan, meter.store, meter.zone, now)
        title = messages.chart_title(meter.plan.name, DAYS, now.astimezone(meter.zone).date())
        chat.upload(channel, png, FILENAME, title, messages.chart_comment(DAYS), thread_ts=thread_ts)
    except SlackFailed as exc:
        reason = exc.code
        log.warning("digest_chart_failed", channel=channel, ts=thread_ts, error=reason)
    except Exception:
        reason = f"ref {new_ref()}"
        log.exception("digest_chart_failed", channel=channel, ts=thread_ts, error=reason)
    else:
        return True
    meter.store.audit(actor, "digest_chart_failed", channel, {"ts": thread_ts, "error": reason})
    try:
        chat.post(channel, [], messages.chart_failed(reason), thread_ts=thread_ts)
    except SlackFailed:
        pass  # already logged by the gateway; the digest itself is posted and marked
    return False
