"""The digest's burn-up chart: computed from the task history, drawn as a PNG, uploaded into the digest's thread.

It goes in the thread, not the channel, so a digest stays one message in the channel and its chart is attached
to the very digest it illustrates; it is uploaded after the digest was posted and marked, so a chart that cannot
be drawn or uploaded never costs the digest. Such a failure is logged, audited (`digest_chart_failed`) and said
in the thread when Slack still takes a message there.

It is drawn in a short-lived child process (`draw_apart`): matplotlib, once imported, stays in a process for
good (measured with bench/serve.py: about 35 MiB more for the rest of a `carbon serve`'s life after its first
digest), so the long-running bot never imports it and its memory after a digest is what it was before.
"""

from __future__ import annotations

import pickle
import subprocess
import sys
from datetime import datetime, tzinfo

import structlog

from bot import messages
from bot.errors import SlackFailed, new_ref
from bot.plan.model import Plan
from bot.ports import Chat
from bot.progress import history
from bot.progress.burnup import DAYS, Burnup, burnup
from bot.progress.meter import ProgressMeter
from bot.store.store import Store

log = structlog.get_logger(__name__)
FILENAME = "carbon-burnup.png"


CHILD = ("import pickle, sys; from bot.render.chart import render_burnup; "
         "sys.stdout.buffer.write(render_burnup(pickle.loads(sys.stdin.buffer.read())))")
CHILD_TIMEOUT_S = 120


def chart_of(plan: Plan, store: Store, zone: tzinfo, now: datetime) -> Burnup:
    """The burn-up of the last DAYS days as of `now`, from the store's history and the plan's weights: what the digest
    and `carbon chart` draw."""
    return burnup(plan, history.rows(store), now, zone, DAYS)


def draw_apart(chart: Burnup) -> bytes:
    """`render_burnup` in a child process (this interpreter, this environment), so this process never loads matplotlib.
    Raises RuntimeError (with the child's last stderr line) when it fails, TimeoutExpired past CHILD_TIMEOUT_S."""
    done = subprocess.run([sys.executable, "-c", CHILD], input=pickle.dumps(chart), capture_output=True,
                          timeout=CHILD_TIMEOUT_S, check=False)
    if done.returncode != 0:
        last = (done.stderr.decode(errors="replace").strip().splitlines() or ["no output"])[-1]
        raise RuntimeError(f"the chart process exited with {done.returncode}: {last}")
    return done.stdout


def post_chart(meter: ProgressMeter, chat: Chat, channel: str, thread_ts: str, now: datetime, actor: str) -> bool:
    """Upload the chart into the digest's thread; False (logged, audited, said in the thread) when it failed."""
    try:
        png = draw_apart(chart_of(meter.plan, meter.store, meter.zone, now))
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
