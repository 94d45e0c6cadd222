"""`configure_vault_kubernetes_auth`: enable Vault's Kubernetes auth method and point it at the cluster.

Plan: enable `auth/<path>` when it is not mounted; write `auth/<path>/config` when its kubernetes_host
(or CA) differs. Workloads then log in with their ServiceAccount token against the roles
`migrate_secrets` creates. No rollback: disabling an auth method would cut off every workload using it.

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


def _config(params: VaultKubernetesAuthParams) -> dict[str, Any]:
    config: dict[str, Any] = {"kubernetes_host": params.kubernetes_host}
    if params.kubernetes_ca_cert:
        config["kubernetes_ca_cert"] = params.kubernetes_ca_cert
    return config


def _configured(params: VaultKubernetesAuthParams, ctx: ActionContext) -> bool:
    current = ctx.secrets().read(f"auth/{params.path}/config") or {}
    return all(current.get(k) == v for k, v in _config(params).items())


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
            vault.write(f"auth/{params.path}/config", _config(params))
        ctx.step(change)


def verify(params: VaultKubernetesAuthParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    if params.path not in ctx.secrets().auth_methods():
        return [f"auth/{params.path} is not enabled"]
    return [] if _configured(params, ctx) else [f"auth/{params.path}/config does not name {params.kubernetes_host}"]


CONFIGURE_VAULT_KUBERNETES_AUTH = ActionKind("configure_vault_kubernetes_auth", VaultKubernetesAuthParams, plan, apply,
                                             verify, None, __doc__ or "")
