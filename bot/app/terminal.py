"""`carbon status`, `carbon check` and `carbon chart`: the dashboard, a health check and the digest's burn-up chart
in a terminal, no Slack needed."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.actions import default_registry as default_actions
from bot.app import logs
from bot.app.build import build_services, kube_api_client, vault_client
from bot.app.readiness import probe
from bot.checks import default_registry
from bot.cluster.gateway import ClusterGateway
from bot.errors import StartupError
from bot.plan.loader import PlanError, load_plan
from bot.progress.burnup import DAYS
from bot.publish.chart import chart_of
from bot.render.chart import render_burnup
from bot.render.status import render_phase, render_status, render_tasks
from bot.render.text import render_text
from bot.settings import Settings
from bot.store.store import Store, utcnow
from bot.vault.gateway import VaultGateway


def terminal_status(settings: Settings, phase_id: str | None, out: TextIO = sys.stdout) -> int:
    logs.configure(json_logs=False, level=30)
    services = build_services(settings)
    view = services.meter.measure()
    if phase_id:
        phase = view.phase(phase_id)
        if phase is None:
            raise StartupError(f"no phase {phase_id!r}; phases: {', '.join(p.phase.id for p in view.phases)}")
        print(render_text(render_phase(view, phase)), file=out)
    else:
        print(render_text(render_status(view, services.meter.open_risks)), file=out)
        print(render_text(render_tasks(view, view.phases, set())[1:]), file=out)
    return 0


def terminal_chart(settings: Settings, path: Path, out: TextIO = sys.stdout) -> int:
    """Write the digest's burn-up chart as a PNG from the store (CARBON_DB) and the plan; reads no cluster or Vault."""
    logs.configure(json_logs=False, level=30)
    plan = load_plan(settings.plan_path, default_registry(), default_actions())
    if not settings.db_path.exists():
        raise StartupError(messages.no_store(str(settings.db_path)))
    store = Store(settings.db_path)
    try:
        png = render_burnup(chart_of(plan, store, settings.zone, utcnow()))
    finally:
        store.close()
    try:
        path.write_bytes(png)
    except OSError as exc:
        raise StartupError(messages.chart_not_written(str(path), exc.strerror or type(exc).__name__)) from None
    print(messages.chart_written(str(path), DAYS), file=out)
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
