"""`configure_vault_kubernetes_auth`: enable Vault's Kubernetes auth method and point it at the cluster.

Plan: enable `auth/<path>` when it is not mounted; write `auth/<path>/config` when its kubernetes_host
(or CA) differs; a login-probe role bound to one ServiceAccount (no policies, one-minute tokens). Verify proves
it works the way a workload uses it: a ServiceAccount token from the cluster (TokenRequest) logs in to Vault
(which asks the cluster to review it), and the token it got is revoked at once. No rollback: disabling an auth
method would cut off every workload using it.

`kubernetes_host` defaults to the API server Carbon itself talks to (in a pod: the cluster's service address).

Needs RBAC: `get` configmaps (the published cluster CA); `create` serviceaccounts/token (the login probe).
Needs Vault policy: `sys/auth` read (sudo), `sys/auth/<path>` create/update (sudo),
`auth/<path>/config` read/create/update, `auth/<path>/role/carbon-login-probe` read/create/update.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params
from bot.errors import Unavailable


class VaultKubernetesAuthParams(Params):
    path: str = Field("kubernetes", pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    kubernetes_host: str | None = None  # None: the API server Carbon talks to
    # The ServiceAccount whose token proves a login works (it gets a role with no policies).
    probe_service_account: str = Field("default/default", pattern=r"^[a-z0-9-]+/[a-z0-9-]+$")
    # Vault reviews each login with the token being logged in with (`disable_local_ca_jwt`): for a Vault outside
    # the cluster, with no ServiceAccount of its own. None: so when the CA is read from the cluster's ConfigMap.
    review_with_client_token: bool | None = None
    kubernetes_ca_cert: str | None = None
    # Where the cluster's CA is published (every namespace has kube-root-ca.crt); used when kubernetes_ca_cert is
    # not given, so Vault running outside the cluster can verify it. Not found: Vault uses its pod's own CA.
    ca_configmap: str = Field("default/kube-root-ca.crt", pattern=r"^[a-z0-9-]+/[a-z0-9.-]+$")


PROBE_ROLE = "carbon-login-probe"


def kubernetes_host(params: VaultKubernetesAuthParams, ctx: ActionContext) -> str:
    return params.kubernetes_host or ctx.kube().host


def _config(params: VaultKubernetesAuthParams, ctx: ActionContext) -> dict[str, Any]:
    config: dict[str, Any] = {"kubernetes_host": kubernetes_host(params, ctx)}
    ca = params.kubernetes_ca_cert or _published_ca(params, ctx)
    if ca:
        config["kubernetes_ca_cert"] = ca
    client_review = params.review_with_client_token
    if client_review or (client_review is None and not params.kubernetes_ca_cert and ca):
        config["disable_local_ca_jwt"] = True
    return config


def _probe_role(params: VaultKubernetesAuthParams) -> dict[str, Any]:
    namespace, account = params.probe_service_account.split("/", 1)
    return {"bound_service_account_names": [account], "bound_service_account_namespaces": [namespace],
            "token_policies": [], "token_ttl": 60}


def _probe_ok(params: VaultKubernetesAuthParams, ctx: ActionContext) -> bool:
    role = ctx.secrets().read(f"auth/{params.path}/role/{PROBE_ROLE}") or {}
    want = _probe_role(params)
    return all(list(role.get(k) or []) == want[k] for k in ("bound_service_account_names",
                                                             "bound_service_account_namespaces"))


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
        changes.append(Change("configure", f"vault auth/{params.path}/config",
                              f"kubernetes_host {kubernetes_host(params, ctx)}"))
    if not mounted or not _probe_ok(params, ctx):
        changes.append(Change("put-role", f"vault auth/{params.path}/role/{PROBE_ROLE}",
                              f"login probe for serviceaccount {params.probe_service_account}, no policies"))
    return ActionPlan(tuple(changes), {"mounted": mounted})


def apply(params: VaultKubernetesAuthParams, planned: ActionPlan, ctx: ActionContext) -> None:
    vault = ctx.secrets()
    for change in planned.changes:
        if change.op == "enable" and params.path not in vault.auth_methods():
            vault.enable_auth("kubernetes", params.path)
        elif change.op == "configure":
            vault.write(f"auth/{params.path}/config", _config(params, ctx))
        elif change.op == "put-role":
            vault.write(f"auth/{params.path}/role/{PROBE_ROLE}", _probe_role(params))
        ctx.step(change)


def verify(params: VaultKubernetesAuthParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """Enabled and configured, and a ServiceAccount token really logs in (Vault reviews it with the cluster)."""
    if params.path not in ctx.secrets().auth_methods():
        return [f"auth/{params.path} is not enabled"]
    if not _configured(params, ctx):
        return [f"auth/{params.path}/config does not name {kubernetes_host(params, ctx)}"]
    namespace, account = params.probe_service_account.split("/", 1)
    token = ctx.kube().request_token(namespace, account)
    try:
        ctx.secrets().login_works(params.path, PROBE_ROLE, token)
    except Unavailable as exc:
        return [str(exc)]
    ctx.report(f":mag: serviceaccount {params.probe_service_account} logged in to Vault at auth/{params.path}")
    return []


CONFIGURE_VAULT_KUBERNETES_AUTH = ActionKind("configure_vault_kubernetes_auth", VaultKubernetesAuthParams, plan, apply,
                                             verify, None, __doc__ or "")
