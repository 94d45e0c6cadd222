"""Settings → clients → gateways → services: the composition root, the one place clients are built.

Clients are built here and handed to the gateways, so tests hand in clients pointed at loopback
servers. An unreachable or unconfigured cluster or Vault is not fatal: the gateway is None or answers
Unavailable, and the tasks that need it show `unknown`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import hvac
from kubernetes import client as k8s
from kubernetes import config as k8s_config
from slack_sdk import WebClient

from bot.actions import ActionRegistry
from bot.actions import default_registry as default_actions
from bot.checks import CheckRegistry
from bot.checks import default_registry as default_checks
from bot.cluster.gateway import CONNECTIONS, ClusterGateway
from bot.cluster.view import ClusterView
from bot.plan.access import Access
from bot.plan.loader import load_plan
from bot.ports import Clock, Leadership
from bot.progress.meter import ProgressMeter
from bot.publish.runs import RunMessages
from bot.runs.desk import RunDesk
from bot.runs.feed import StoreRunFeed
from bot.services import Services
from bot.services.metrics import Metrics
from bot.services.work_pool import WorkPool
from bot.settings import Settings
from bot.slack.chat import SlackChat
from bot.slack.client import CountingWebClient
from bot.slack.directory import SlackDirectory
from bot.snapshot.trim import trimmer
from bot.store.store import Store, utcnow
from bot.vault.gateway import VaultGateway


def build_services(settings: Settings, *, api_client: k8s.ApiClient | None = None, vault: hvac.Client | None = None,
                   clock: Callable[[], datetime] = utcnow, checks: CheckRegistry | None = None,
                   actions: ActionRegistry | None = None, leadership: Leadership | None = None,
                   view: bool = False) -> Services:
    """Raises PlanError for a bad plan file: serving a wrong plan is worse than not starting.

    `view`: read the cluster for status, digests, App Home and risks through a watch-fed view (`carbon serve` and
    the console demo; the caller starts it with `services.view.start()`); without it each measurement lists."""
    checks = checks or default_checks()
    actions = actions or default_actions()
    plan = load_plan(settings.plan_path, checks, actions)
    api_client = api_client if api_client is not None else kube_api_client(settings)
    vault = vault if vault is not None else vault_client(settings)
    now = Clock(clock)
    metrics = Metrics()
    store = Store(settings.db_path)
    cluster = ClusterGateway(api_client) if api_client is not None else None
    if cluster is not None:
        cluster.on_error = metrics.kube_error
    vault_gateway = VaultGateway(vault) if vault is not None else None
    checks.observer = metrics.check_done
    key = install_key(settings.db_path)
    workers = WorkPool()
    cluster_view = (ClusterView(cluster, trim=trimmer(key), pause=workers.acks.wait)
                    if view and cluster is not None else None)
    if cluster_view is not None:
        metrics.track_view(cluster_view.state)
    meter = ProgressMeter(plan=plan, checks=checks, store=store, cluster=cluster, vault=vault_gateway, clock=now,
                          zone=settings.zone, history_days=settings.history_days, cache_s=settings.status_cache_s,
                          view=cluster_view)
    client = slack_client(settings, metrics) if settings.slack_bot_token is not None else None
    chat = SlackChat(client) if client is not None else None
    directory = SlackDirectory(client, now) if client is not None else None
    desk = RunDesk(store=store, plan=plan, actions=actions, cluster=cluster, vault=vault_gateway,
                   access=Access(settings.requesters, settings.approvers, directory),
                   fingerprint_key=key, clock=now, channel=settings.channel,
                   on_change=meter.changed, measure=meter.measure)
    if chat is not None:
        desk.notifier = RunMessages(chat, store, plan, actions, settings.zone, settings.approvers)
    if leadership is not None:
        desk.leadership = leadership
    metrics.track(store, lambda: desk.leadership.leading())
    return Services(settings=settings, store=store, plan=plan, checks=checks, actions=actions, cluster=cluster,
                    vault=vault_gateway, clock=now, meter=meter, runs=desk, run_feed=StoreRunFeed(store),
                    metrics=metrics, chat=chat, view=cluster_view, workers=workers)


def slack_client(settings: Settings, metrics: Metrics) -> WebClient:
    """Every Slack call goes through one counting client, so /metrics sees each failure once."""
    return CountingWebClient(token=settings.secret("slack_bot_token"), base_url=settings.slack_api_url, timeout=10,
                             on_error=metrics.slack_error)


def install_key(db_path: Path) -> bytes:
    """The install's HMAC key for value fingerprints: a file beside the store (`<CARBON_DB>.key`, mode 0600),
    made on first start. Never in the store, in Slack or in logs; losing it only makes pending plans stale."""
    if str(db_path) == ":memory:":
        return secrets.token_bytes(32)
    path = Path(f"{db_path}.key")
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes()
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
    return key


def kube_api_client(settings: Settings) -> k8s.ApiClient | None:
    """From KUBECONFIG/CARBON_KUBE_CONTEXT, else in-cluster config, else None (cluster not configured)."""
    configuration = k8s.Configuration()
    try:
        if settings.kubeconfig is not None or settings.kube_context:
            k8s_config.load_kube_config(config_file=str(settings.kubeconfig) if settings.kubeconfig else None,
                                        context=settings.kube_context, client_configuration=configuration)
        else:
            try:
                k8s_config.load_kube_config(client_configuration=configuration)
            except k8s_config.ConfigException:
                configuration = k8s.Configuration()
                k8s_config.load_incluster_config(client_configuration=configuration)
    except (k8s_config.ConfigException, OSError):
        return None
    configuration.connection_pool_maxsize = CONNECTIONS
    return k8s.ApiClient(configuration)


def vault_client(settings: Settings) -> hvac.Client | None:
    if not settings.vault_addr:
        return None
    client = hvac.Client(url=settings.vault_addr, token=settings.secret("vault_token"), timeout=10)
    if settings.vault_role and not settings.vault_token:
        _kubernetes_login(client, settings.vault_role)
    return client


def _kubernetes_login(client: hvac.Client, role: str) -> None:
    """Vault's Kubernetes auth from a pod: the projected ServiceAccount token is the credential."""
    token_path = "/var/run/secrets/kubernetes.io/serviceaccount/token"
    try:
        with open(token_path, encoding="utf-8") as handle:
            jwt = handle.read().strip()
        client.auth.kubernetes.login(role=role, jwt=jwt)
    except (OSError, hvac.exceptions.VaultError):
        pass  # stays unauthenticated: Vault checks report the 403 as `unknown`, /readyz names Vault
