"""`carbon serve`: the bot for a real workspace — Bolt over HTTP or Socket Mode, health and metrics, the jobs."""

from __future__ import annotations

import secrets
import signal
import sys
import threading

import structlog
from pydantic import SecretStr
from slack_bolt.error import BoltError
from slack_sdk.errors import SlackApiError

from bot.app import logs
from bot.app.build import build_services
from bot.app.http import make_server, serve_in_thread
from bot.app.readiness import Readiness
from bot.app.shutdown import Shutdown
from bot.app.slack_app import build_app
from bot.app.slack_gate import InstalledApp, installed_app
from bot.errors import StartupError
from bot.runs.lifecycle import recover_interrupted
from bot.services import Services
from bot.services.work_pool import WorkPool
from bot.settings import Settings
from jobs.runner import JobRunner

log = structlog.get_logger(__name__)


def serve(settings: Settings) -> int:
    if settings.slack_bot_token is None:
        raise StartupError("SLACK_BOT_TOKEN is not set: carbon serve needs the bot token (xoxb-…)")
    socket_mode = settings.slack_app_token is not None
    if not socket_mode and settings.slack_signing_secret is None:
        raise StartupError("SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)")
    if socket_mode and settings.slack_signing_secret is None:
        # Socket Mode requests are not signed; Bolt still wants a secret for its (unused) HTTP check.
        settings = settings.model_copy(update={"slack_signing_secret": SecretStr(secrets.token_hex(16))})
    logs.configure()
    # Acks are short and latency-bound; measurements are long CPU loops in other threads. A 1 ms GIL switch
    # interval (default 5 ms) lets a waiting ack run sooner (bench/ack.py: p99 at 5,000 pods ~90 -> ~50-60 ms).
    sys.setswitchinterval(0.001)
    services = build_services(settings, view=True)
    if services.view is not None:  # lists then watches in threads of its own; statuses wait briefly for its first sync
        services.view.start()
        threading.Thread(target=_measure_once_listed, args=(services,), name="warm-up", daemon=True).start()
    runner = JobRunner(services)
    listeners = WorkPool(max_workers=16, thread_name_prefix="bolt")
    installed: InstalledApp | None = None
    try:
        app = build_app(services, listener_executor=listeners)
        if not socket_mode:  # whose requests /slack/events accepts (Socket Mode's come over Slack's own socket)
            installed = installed_app(app.client, settings.slack_app_id)
    except (BoltError, SlackApiError):
        raise StartupError("Slack rejected SLACK_BOT_TOKEN (auth.test failed): check the token") from None
    except OSError:
        raise StartupError(f"cannot reach the Slack API at {settings.slack_api_url}") from None
    try:
        server = make_server("0.0.0.0", settings.http_port, app=None if socket_mode else app, metrics=services.metrics,
                             readiness=Readiness(services), signing_secret=settings.secret("slack_signing_secret") or "",
                             installed=installed, acks=services.workers.acks)
    except OSError as exc:
        raise StartupError(f"cannot listen on CARBON_HTTP_PORT {settings.http_port} ({exc.strerror})") from None
    serve_in_thread(server)
    if not runner.start():  # no jobs, no Lease: this instance leads alone from now on
        recover_interrupted(services.runs)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    handler = None
    if socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        handler = SocketModeHandler(app, settings.secret("slack_app_token"))
        handler.connect()
    mode = "Socket Mode" if socket_mode else f"HTTP on :{settings.http_port}/slack/events"
    print(f"carbon: serving ({mode}); health on :{settings.http_port}/healthz", file=sys.stderr, flush=True)
    stop.wait()
    intake = [server.shutdown, server.server_close] + ([handler.close] if handler is not None else [])
    Shutdown(intake=intake, pools=[listeners, services.workers], jobs=runner, store=services.store).run()
    if services.view is not None:
        services.view.stop()
    return 0


def _measure_once_listed(services: Services) -> None:
    """Measure the plan once the view has listed every kind, so the first status a user asks for reuses what did
    not change since instead of running every check (bench/view.py: the first round of 20 acks 80-90 ms -> ~25)."""
    if services.view is not None and services.view.wait_listed(120):
        try:
            services.meter.measure()
        except Exception:  # logged; the next status measures anyway
            log.exception("warm_up_failed")
