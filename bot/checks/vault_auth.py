"""Is Vault's Kubernetes auth method enabled and pointed at this cluster (what workloads log in with)."""

from __future__ import annotations

from pydantic import Field

from bot import messages
from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.snapshot import Snapshot


class VaultAuthParams(Params):
    path: str = Field("kubernetes", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    kubernetes_host: str | None = None  # None: the API server Carbon talks to (any host when it has no cluster)


def vault_kubernetes_auth(params: VaultAuthParams, snapshot: Snapshot) -> CheckResult:
    vault = snapshot.vault
    enabled = params.path in snapshot.memo(("vault-auth-methods",), vault.auth_methods)
    config = (vault.read(f"auth/{params.path}/config") or {}) if enabled else {}
    host = str(config.get("kubernetes_host") or "")
    expected = params.kubernetes_host or (snapshot.cluster.host if snapshot.cluster is not None else None)
    configured = bool(host) and (expected is None or host == expected)
    evidence = []
    if not enabled:
        evidence.append(messages.vault_auth_not_enabled(params.path))
    elif not configured:
        wanted = f" (expected {expected})" if expected else ""
        evidence.append(f"auth/{params.path}/config names kubernetes_host {host or 'nothing'}{wanted}")
    summary = f"auth/{params.path}: " + ("enabled, kubernetes_host " + host if configured
                                         else "enabled, not configured" if enabled else "not enabled")
    return CheckResult.measured(int(enabled) + int(configured), 2, summary, evidence)


VAULT_KUBERNETES_AUTH = CheckKind("vault_kubernetes_auth", VaultAuthParams, vault_kubernetes_auth,
                                  "Vault's Kubernetes auth method enabled and configured with the cluster's host.")
