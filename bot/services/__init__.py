"""Everything a command or job needs, built once from settings and passed in (never imported globals).

Clients are built here and handed to the gateways, so tests hand in clients pointed at loopback
servers. An unreachable or unconfigured cluster or Vault is not fatal: the gateway is None or answers
Unavailable, and the tasks that need it show `unknown`.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import hvac
from kubernetes import client as k8s
from kubernetes import config as k8s_config

from bot import risks
from bot.actions import ActionRegistry
from bot.actions import default_registry as default_actions
from bot.checks import CheckRegistry, default_registry
from bot.cluster.gateway import ClusterGateway
from bot.plan.loader import load_plan
from bot.plan.model import Plan
from bot.progress import attestations, history
from bot.progress.cache import SharedResult
from bot.progress.measure import Attestation, PlanProgress, measure
from bot.risks.base import RiskFinding
from bot.services.metrics import Metrics
from bot.settings import Settings
from bot.snapshot.snapshot import Snapshot
from bot.store.store import Store, utcnow
from bot.vault.gateway import VaultGateway


@dataclass
class Services:
    settings: Settings
    store: Store
    plan: Plan
    checks: CheckRegistry
    cluster: ClusterGateway | None
    vault: VaultGateway | None
    clock: Callable[[], datetime] = utcnow
    extras: dict[str, Any] = field(default_factory=dict)
    metrics: Metrics = field(default_factory=Metrics)
    # Work after the ack runs here, not in Bolt's listener pool, so slow measurements never delay an ack.
    # Eight: a `/carbon approve` executes its run here (a scale waits up to minutes for readiness) while statuses,
    # which share one measurement anyway, keep being answered.
    workers: Executor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=8, thread_name_prefix="work"))
    actions: ActionRegistry = field(default_factory=default_actions)
    _shared: SharedResult[PlanProgress] | None = field(default=None, repr=False)
    fingerprint_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.cluster, self.vault, self.clock().astimezone(self.settings.zone))

    def attestations(self) -> dict[str, Attestation]:
        return attestations.current(self.store, self.plan, self.clock())

    def measure(self, snapshot: Snapshot | None = None) -> PlanProgress:
        """The plan measured now, or within the last CARBON_STATUS_CACHE_S seconds; concurrent callers share one
        measurement. With a snapshot, that snapshot is measured."""
        if snapshot is not None:
            return self.measure_with_risks(snapshot)[0]
        if self._shared is None:
            self._shared = SharedResult(lambda: self.measure_with_risks()[0], self.settings.status_cache_s)
        return self._shared.get()

    def measurement_changed(self) -> None:
        """Carbon itself changed what a check reads (an attestation, a run): the next status measures again."""
        if self._shared is not None:
            self._shared.invalidate()

    def measure_with_risks(self, snapshot: Snapshot | None = None) -> tuple[PlanProgress, list[RiskFinding]]:
        """Measure the plan and scan the risk rules over one snapshot; record what changed in the task history.

        The dashboard's "open risks" comes from the same reads, so it is never older than the percentages."""
        snapshot = snapshot or self.snapshot()
        view = measure(self.plan, self.checks, snapshot, self.attestations())
        history.record(self.store, view, self.clock(), self.settings.history_days)
        findings = risks.scan(snapshot, self.clock(), self.extras.get("risk_rules"))
        self.extras["open_risks"] = len(findings)
        return view, findings


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
    try:
        if settings.kubeconfig is not None or settings.kube_context:
            return k8s_config.new_client_from_config(
                config_file=str(settings.kubeconfig) if settings.kubeconfig else None, context=settings.kube_context
            )
        try:
            return k8s_config.new_client_from_config()
        except k8s_config.ConfigException:
            configuration = k8s.Configuration()
            k8s_config.load_incluster_config(client_configuration=configuration)
            return k8s.ApiClient(configuration)
    except (k8s_config.ConfigException, OSError):
        return None


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


def build_services(settings: Settings, *, api_client: k8s.ApiClient | None = None,
                   vault: hvac.Client | None = None, clock: Callable[[], datetime] = utcnow,
                   checks: CheckRegistry | None = None, actions: ActionRegistry | None = None) -> Services:
    """Raises PlanError for a bad plan file: serving a wrong plan is worse than not starting."""
    checks = checks or default_registry()
    actions = actions or default_actions()
    plan = load_plan(settings.plan_path, checks, actions)
    api_client = api_client if api_client is not None else kube_api_client(settings)
    vault = vault if vault is not None else vault_client(settings)
    return Services(
        settings=settings,
        fingerprint_key=install_key(settings.db_path),
        store=Store(settings.db_path),
        plan=plan,
        checks=checks,
        cluster=ClusterGateway(api_client) if api_client is not None else None,
        vault=VaultGateway(vault) if vault is not None else None,
        clock=clock,
        actions=actions,
    )
