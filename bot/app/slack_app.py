"""Build the Bolt app from settings and services: the thin, explicit entry (STYLE.md).

Nothing registers itself on import: the slash command, the buttons and the App Home event are wired
here, each by its own `register`.
"""

from __future__ import annotations

import logging
from concurrent.futures import Executor, ThreadPoolExecutor

from slack_bolt import App

import commands
from bot.app.bolt_errors import malformed_payload
from bot.app.build import slack_client
from bot.services import Services
from commands import buttons, home, plan_view, risk_buttons


def build_app(services: Services, *, listener_executor: Executor | None = None) -> App:
    """Signature verification is always on: the signing secret is required (Socket Mode has its own)."""
    settings = services.settings
    app = App(
        signing_secret=settings.secret("slack_signing_secret") or "",
        client=slack_client(settings, services.metrics),
        listener_executor=listener_executor or ThreadPoolExecutor(max_workers=16, thread_name_prefix="bolt"),
        # Every listener here is an ack that only parses (no I/O) plus lazy work: running the ack in the request
        # thread answers Slack at once instead of polling a pool for it every 10 ms (bench/ack.py: p99 halved).
        process_before_response=True,
        logger=logging.getLogger("carbon.bolt"),
    )
    app.error(malformed_payload)  # Bolt failing on a payload's shape: 400, one log line (bot/app/bolt_errors.py)
    commands.register(app, services)
    buttons.register(app, services)
    risk_buttons.register(app, services)
    home.register(app, services)
    plan_view.register(app, services)
    return app
