"""The App Home tab: on `app_home_opened`, publish the dashboard (phases, open risks, pending approvals,
recent runs) to the user who opened it with `views.publish`.

The event is acknowledged at once; measuring and publishing run after the ack.
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import new_ref
from bot.render.home import render_home
from bot.runs.feed_port import run_feed
from bot.services import Services
from commands.request_log import log_request

log = structlog.get_logger(__name__)
RECENT_RUNS = 10


def home_view(services: Services) -> dict[str, Any]:
    progress, risks = services.measure_with_risks()
    feed = run_feed(services.extras)
    pending = list(feed.pending()) if feed else None
    recent = list(feed.runs_since(None, RECENT_RUNS)) if feed else None
    return {"type": "home", "blocks": render_home(progress, risks, pending, recent)}


def register(app: App, services: Services) -> None:
    def ack(ack: Ack) -> None:
        ack()

    def publish(body: dict[str, Any], event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        user_id = str(event.get("user", ""))
        try:
            client.views_publish(user_id=user_id, view=home_view(services))
        except SlackApiError as exc:
            log.warning("home_publish_failed", user=user_id, error=exc.response.get("error", "error"))
            log_request("app_home_opened", body, user_id, "home", "error")
            return
        except Exception:
            log_request("app_home_opened", body, user_id, "home", "error", ref=new_ref(), exc_info=True)
            return
        log_request("app_home_opened", body, user_id, "home", "ok")

    app.event("app_home_opened")(ack=ack, lazy=[publish])
