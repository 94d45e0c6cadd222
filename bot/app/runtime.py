"""What each `carbon` subcommand runs: wiring of settings, services, the Bolt app and the servers."""

from __future__ import annotations

import secrets
import signal
import sys
import threading
from collections.abc import Iterator
from typing import TextIO

from pydantic import SecretStr
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.actions import default_registry as default_actions
from bot.app import logs
from bot.app.http import make_server, serve_in_thread
from bot.app.readiness import Readiness, probe
from bot.app.slack_app import build_app
from bot.checks import default_registry
from bot.cluster.gateway import ClusterGateway
from bot.plan.loader import PlanError, load_plan
from bot.render.status import render_phase, render_status, render_tasks
from bot.render.text import render_text
from bot.services import build_services, kube_api_client, vault_client
from bot.settings import Settings
from bot.vault.gateway import VaultGateway


class StartupError(Exception):
    """The bot cannot start; one line that names what to fix."""


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
    services = build_services(settings)
    from jobs.runner import JobRunner  # wiring: the scheduled jobs under the Lease (commands work without them)

    runner = JobRunner(services)  # before the app: with an elector, interrupted runs are recovered by the leader
    try:
        app = build_app(services)
    except BoltError:
        raise StartupError("Slack rejected SLACK_BOT_TOKEN (auth.test failed): check the token") from None
    except OSError:
        raise StartupError(f"cannot reach the Slack API at {settings.slack_api_url}") from None
    try:
        server = make_server("0.0.0.0", settings.http_port, app=None if socket_mode else app, metrics=services.metrics,
                             readiness=Readiness(services), signing_secret=settings.secret("slack_signing_secret") or "")
    except OSError as exc:
        raise StartupError(f"cannot listen on CARBON_HTTP_PORT {settings.http_port} ({exc.strerror})") from None
    serve_in_thread(server)
    runner.start()
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
    runner.stop()
    if handler is not None:
        handler.close()
    server.shutdown()
    services.store.close()
    return 0


def console(settings: Settings, demo: bool, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    from bot.app.console import CONSOLE_CHANNEL, Console, temp_db
    from bot.local.demo.platform import DemoPlatform
    from bot.local.fakeslack import FakeSlack

    logs.configure(json_logs=False, level=30)
    platform = DemoPlatform() if demo else None
    if platform is not None:
        print("carbon: starting the demo platform (emulated Kubernetes + OpenBao dev server)…", file=out, flush=True)
        platform.start()
    slack = FakeSlack().start()
    secret = secrets.token_hex(16)
    update: dict[str, object] = {
        "slack_bot_token": SecretStr("xoxb-console"), "slack_signing_secret": SecretStr(secret),
        "slack_api_url": slack.api_url, "channel": settings.channel or CONSOLE_CHANNEL,
    }
    if demo:
        update |= {"db_path": temp_db(), "approvers": settings.approvers or ("U0BOB", "U0CAROL")}
    console_settings = settings.model_copy(update=update)
    try:
        services = build_services(console_settings, api_client=platform.api_client() if platform else None,
                                  vault=platform.vault_client() if platform else None)
        session = Console(services, slack, secret, out=out)
        print("carbon console: type /carbon help, or `exit`. You are U0ALICE; `as U0BOB` switches.", file=out, flush=True)
        for line in _lines(stdin, out):
            if not session.handle_line(line):
                break
        session.close()
    finally:
        slack.stop()
        if platform is not None:
            platform.stop()
    return 0


def terminal_status(settings: Settings, phase_id: str | None, out: TextIO = sys.stdout) -> int:
    logs.configure(json_logs=False, level=30)
    services = build_services(settings)
    view = services.measure()
    if phase_id:
        phase = view.phase(phase_id)
        if phase is None:
            raise StartupError(f"no phase {phase_id!r}; phases: {', '.join(p.phase.id for p in view.phases)}")
        print(render_text(render_phase(view, phase)), file=out)
    else:
        print(render_text(render_status(view, services.extras.get("open_risks"))), file=out)
        print(render_text(render_tasks(view, view.phases, set())[1:]), file=out)
    return 0


def check(settings: Settings, out: TextIO = sys.stdout) -> int:
    """One line per problem; exit 0 only when all is well."""
    problems: list[str] = []
    try:
        load_plan(settings.plan_path, default_registry(), default_actions())
    except PlanError as exc:
        problems += [f"plan {exc.source}: {problem}" for problem in exc.problems]
    if settings.slack_bot_token is None:
        problems.append("SLACK_BOT_TOKEN is not set: the bot cannot talk to Slack")
    else:
        client = WebClient(token=settings.secret("slack_bot_token"), base_url=settings.slack_api_url, timeout=10)
        try:
            client.auth_test()
        except SlackApiError as exc:
            problems.append(f"Slack: auth.test failed ({exc.response.get('error', 'error')}): check SLACK_BOT_TOKEN")
        except OSError:
            problems.append(f"Slack: cannot reach {settings.slack_api_url}")
    if settings.slack_app_token is None and settings.slack_signing_secret is None:
        problems.append("SLACK_SIGNING_SECRET is not set: HTTP mode needs it (or set SLACK_APP_TOKEN for Socket Mode)")
    if settings.channel is None:
        problems.append("CARBON_CHANNEL is not set: approval requests, digests and alerts have nowhere to go")
    if not settings.approvers:
        problems.append("CARBON_APPROVERS is empty: nobody can approve a run")
    api = kube_api_client(settings)
    vault = vault_client(settings)
    found = probe(None, ClusterGateway(api) if api else None, VaultGateway(vault) if vault else None)
    problems += [f"{name}: {state}" for name, state in found.items() if state != "ok"]
    for problem in problems:
        print(problem, file=out)
    if not problems:
        print("all good: settings, plan, Slack, cluster and Vault", file=out)
    return 0 if not problems else 1


def _lines(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """Input lines, with a prompt when a person is typing (a pipe gets none)."""
    interactive = stdin.isatty()
    while True:
        if interactive:
            print(f"{PROMPT}", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return
        yield line


PROMPT = "carbon> "
