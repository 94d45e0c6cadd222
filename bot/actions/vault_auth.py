"""`configure_vault_kubernetes_auth`: enable Vault's Kubernetes auth method and point it at the cluster.

Plan: enable `auth/<path>` when it is not mounted; write `auth/<path>/config` when its kubernetes_host
(or CA) differs. Workloads then log in with their ServiceAccount token against the roles
`migrate_secrets` creates. No rollback: disabling an auth method would cut off every workload using it.

Needs RBAC: `get` configmaps (the published cluster CA).
Needs Vault policy: `sys/auth` read (sudo), `sys/auth/<path>` create/update (sudo),
`auth/<path>/config` read/create/update.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params


class VaultKubernetesAuthParams(Params):
    path: str = Field("kubernetes", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    kubernetes_host: str = "https://kubernetes.default.svc"
    kubernetes_ca_cert: str | None = None
    # Where the cluster's CA is published (every namespace has kube-root-ca.crt); used when kubernetes_ca_cert is
    # not given, so Vault running outside the cluster can verify it. Not found: Vault uses its pod's own CA.
    ca_configmap: str = Field("default/kube-root-ca.crt", pattern=r"^[a-z0-9-]+/[a-z0-9.-]+$")


def _config(params: VaultKubernetesAuthParams, ctx: ActionContext) -> dict[str, Any]:
    config: dict[str, Any] = {"kubernetes_host": params.kubernetes_host}
    ca = params.kubernetes_ca_cert or _published_ca(params, ctx)
    if ca:
        config["kubernetes_ca_cert"] = ca
    return config


def _published_ca(params: VaultKubernetesAuthParams, ctx: ActionContext) -> str | None:
    namespace, name = params.ca_configmap.split("/", 1)
    found = ctx.kube().get("configmaps", name, namespace) if ctx.cluster is not None else None
    return str(((found or {}).get("data") or {}).get("ca.crt") or "") or None


def _configured(params: VaultKubernetesAuthParams, ctx: ActionContext) -> bool:
    current = ctx.secrets().read(f"auth/{params.path}/config") or {}
    return all(str(current.get(k, "")).strip() == str(v).strip() for k, v in _config(params, ctx).items())


def plan(params: VaultKubernetesAuthParams, ctx: ActionContext) -> ActionPlan:
    vault = ctx.secrets()
    changes = []
    mounted = params.path in vault.auth_methods()
    if not mounted:
        changes.append(Change("enable", f"vault auth {params.path}/", "Kubernetes auth method"))
    if not mounted or not _configured(params, ctx):
        changes.append(Change("configure", f"vault auth/{params.path}/config", f"kubernetes_host {params.kubernetes_host}"))
    return ActionPlan(tuple(changes), {"mounted": mounted})


def apply(params: VaultKubernetesAuthParams, planned: ActionPlan, ctx: ActionContext) -> None:
    vault = ctx.secrets()
    for change in planned.changes:
        if change.op == "enable" and params.path not in vault.auth_methods():
            vault.enable_auth("kubernetes", params.path)
        elif change.op == "configure":
            vault.write(f"auth/{params.path}/config", _config(params, ctx))
        ctx.step(change)


def verify(params: VaultKubernetesAuthParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    if params.path not in ctx.secrets().auth_methods():
        return [f"auth/{params.path} is not enabled"]
    return [] if _configured(params, ctx) else [f"auth/{params.path}/config does not name {params.kubernetes_host}"]


CONFIGURE_VAULT_KUBERNETES_AUTH = ActionKind("configure_vault_kubernetes_auth", VaultKubernetesAuthParams, plan, apply,
                                             verify, None, __doc__ or "")
