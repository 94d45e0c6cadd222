"""The App Home tab: on `app_home_opened`, publish the dashboard (phases, open risks, pending approvals,
recent runs) to the user who opened it.

The event is acknowledged at once; measuring and publishing run after the ack.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.render.home import render_home
from bot.services import Services
from commands.failures import answer_failure
from commands.request_log import log_request

RECENT_RUNS = 10


def home_view(services: Services) -> dict[str, Any]:
    progress, risks = services.meter.measure_with_risks()
    feed = services.run_feed
    blocks = render_home(progress, risks, list(feed.pending()), list(feed.runs_since(None, RECENT_RUNS)))
    return {"type": "home", "blocks": blocks}


def register(app: App, services: Services) -> None:
    def ack(ack: Ack) -> None:
        ack()

    def publish(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home" or services.chat is None:
            return
        user_id = str(event.get("user", ""))

        def done(outcome: str, **extra: Any) -> None:
            log_request("app_home_opened", body, user_id, "home", outcome, **extra)

        try:
            services.chat.publish_home(user_id, home_view(services))
            done("ok")
        except Exception as exc:
            answer_failure(exc, done)  # nobody to answer: the log line is the record

    app.event("app_home_opened")(ack=ack, lazy=[publish])
