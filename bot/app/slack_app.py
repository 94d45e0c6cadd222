"""Build the Bolt app from settings and services: the thin, explicit entry (STYLE.md).

Nothing registers itself on import: `commands.register` wires the slash command; later features wire
their buttons and events here too.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

import commands
from bot.runs.execute import is_leader, recover_interrupted
from bot.runs.feed import StoreRunFeed
from bot.services import Services
from bot.slack.client import CountingWebClient
from bot.slack.notifier import SlackDirectory, SlackRunNotifier
from bot.slack.poster import SlackPoster
from commands import home, risk_buttons


def slack_client(services: Services) -> WebClient:
    settings = services.settings
    return CountingWebClient(token=settings.secret("slack_bot_token"), base_url=settings.slack_api_url, timeout=10,
                             on_error=services.metrics.slack_error)


def build_app(services: Services, *, listener_executor: Executor | None = None) -> App:
    """Signature verification is always on: the signing secret is required (Socket Mode has its own)."""
    settings = services.settings
    app = App(
        signing_secret=settings.secret("slack_signing_secret") or "",
        client=slack_client(services),
        listener_executor=listener_executor or ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt"),
        # Every listener here is an ack that only parses (no I/O) plus lazy work: running the ack in the request
        # thread answers Slack at once instead of polling a pool for it every 10 ms (bench/ack.py: p99 halved).
        process_before_response=True,
        logger=logging.getLogger("carbon.bolt"),
    )
    services.extras["dispatcher"] = commands.register(app, services)
    services.extras.setdefault("poster", SlackPoster(app.client))
    risk_buttons.register(app, services)
    home.register(app, services)
    wire_runs(services, app.client)
    wire_metrics(services)
    return app


def wire_metrics(services: Services) -> None:
    """Point the gateways' and checks' hooks at the metrics; runs, risks and leadership are read at scrape time."""
    metrics = services.metrics
    if services.cluster is not None:
        services.cluster.on_error = metrics.kube_error
    services.checks.observer = metrics.check_done
    metrics.track(services.store, lambda: is_leader(services))


def wire_runs(services: Services, client: WebClient) -> None:
    """Runs post through this client; user groups resolve through it; runs a stopped bot left are marked interrupted."""
    services.extras["run_notifier"] = SlackRunNotifier(client)
    services.extras["directory"] = SlackDirectory(client, services.clock)
    services.extras.setdefault("run_feed", StoreRunFeed(services.store))
    if "leader" not in services.extras:  # with an elector, the new leader recovers (jobs/runner.py)
        recover_interrupted(services)
