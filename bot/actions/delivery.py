"""How a moved credential reaches its consumers again: through a secrets operator that syncs a Kubernetes
Secret from Vault. Which operator is installed, and which delivers (`choose`), are here, with External Secrets
Operator's objects: an `external-secrets.io/v1` ExternalSecret per ConfigMap, read through a SecretStore for this
Vault (an existing one in the namespace or a cluster store, else a namespaced `carbon-vault` store authenticating
with Vault's Kubernetes auth as the ServiceAccount `carbon-secrets`, whose Vault role reads only that namespace's
moved credentials). Vault Secrets Operator's are in bot.actions.vso; the Secret check by keyed hash serves both.

Needs RBAC: customresourcedefinitions get; secretstores and clustersecretstores list; secretstores,
externalsecrets and serviceaccounts get/create/patch; secrets get (to confirm the sync by keyed hash).
Needs Vault policy: sys/policies/acl/carbon-* and auth/kubernetes/role/carbon-* create/update.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import messages
from bot.actions.base import ActionContext
from bot.actions.objects import desired
from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable, UserError
from bot.snapshot.credentials import KV_MOUNT, PATH_PREFIX, vault_path

Obj = dict[str, Any]
ESO_CRD = "externalsecrets.external-secrets.io"
VSO_CRD = "vaultstaticsecrets.secrets.hashicorp.com"
STORE = "carbon-vault"
READER = "carbon-secrets"  # the ServiceAccount the SecretStore authenticates to Vault as
AUTH_PATH = "kubernetes"
POLL_S = 2.0
SyncCheck = Callable[[ClusterGateway, str, str, dict[str, str], ActionContext], str | None]


@dataclass(frozen=True)
class StoreRef:
    name: str
    kind: str  # SecretStore | ClusterSecretStore
    exists: bool


def installed(kube: ClusterGateway) -> dict[str, bool]:
    """Which secrets operators the cluster has (by their CRDs)."""
    return {"eso": kube.get("customresourcedefinitions", ESO_CRD) is not None,
            "vso": kube.get("customresourcedefinitions", VSO_CRD) is not None}


def choose(operators: dict[str, bool], wanted: str) -> str | None:
    """The operator that delivers: the one the plan names, or with `auto` External Secrets Operator first (the
    path Carbon has run longest; a cluster with both keeps what it had), then Vault Secrets Operator; None when
    neither is installed. Naming one that is not installed is the plan's mistake, answered without a change."""
    if wanted == "auto":
        return next((name for name in ("eso", "vso") if operators[name]), None)
    if not operators[wanted]:
        raise UserError(messages.delivery_operator_missing(wanted, ESO_CRD if wanted == "eso" else VSO_CRD))
    return wanted


def reader_role(namespace: str) -> str:
    return f"carbon-secrets-{namespace}"


def reader_policy(namespace: str) -> str:
    return f"carbon-{namespace}-secrets"


def reader_policy_hcl(namespace: str) -> str:
    return f'path "{KV_MOUNT}/data/{PATH_PREFIX}/{namespace}/*" {{\n  capabilities = ["read"]\n}}\n'


def find_store(kube: ClusterGateway, namespace: str, server: str) -> StoreRef:
    """A store in the namespace, or a cluster store, that reads this Vault's KV v2 mount; else the one to create."""
    for plural, kind in (("secretstores", "SecretStore"), ("clustersecretstores", "ClusterSecretStore")):
        for store in kube.list_all(plural):
            if kind == "SecretStore" and store["metadata"].get("namespace") != namespace:
                continue
            vault = ((store.get("spec") or {}).get("provider") or {}).get("vault") or {}
            if vault.get("server", "").rstrip("/") == server.rstrip("/") and vault.get("path") == KV_MOUNT \
                    and vault.get("version", "v2") == "v2":
                return StoreRef(store["metadata"]["name"], kind, True)
    return StoreRef(STORE, "SecretStore", False)


def reader_account(namespace: str) -> Obj:
    """The ServiceAccount a created SecretStore logs in to Vault as."""
    return desired("serviceaccounts", namespace, READER)


def secret_store(namespace: str, server: str) -> Obj:
    return desired("secretstores", namespace, STORE, spec={"provider": {"vault": {
        "server": server, "path": KV_MOUNT, "version": "v2",
        "auth": {"kubernetes": {"mountPath": AUTH_PATH, "role": reader_role(namespace),
                                "serviceAccountRef": {"name": READER}}}}}})


def external_secret(namespace: str, configmap: str, secret: str, keys: list[str], store: StoreRef) -> Obj:
    return desired("externalsecrets", namespace, secret, spec={
        "refreshInterval": "1h",
        "secretStoreRef": {"name": store.name, "kind": store.kind},
        "target": {"name": secret, "creationPolicy": "Owner"},
        "data": [{"secretKey": key, "remoteRef": {"key": vault_path(namespace, configmap), "property": key}}
                 for key in sorted(keys)]})


def synced(kube: ClusterGateway, namespace: str, secret: str, hashes: dict[str, str], ctx: ActionContext) -> str | None:
    """None when the operator has written the Secret with every key equal (by keyed hash) to the moved value;
    else what is still missing. Values are decoded only to hash them."""
    es = kube.get("externalsecrets", secret, namespace) or {}
    ready = next((c for c in (es.get("status") or {}).get("conditions") or [] if c.get("type") == "Ready"), None)
    if ready is not None and ready.get("status") == "False":
        return f"externalsecret {namespace}/{secret}: {ready.get('reason', 'not ready')}: {ready.get('message', '')}"
    return secret_holds(kube, namespace, secret, hashes, ctx)


def secret_holds(kube: ClusterGateway, namespace: str, secret: str, hashes: dict[str, str],
                 ctx: ActionContext) -> str | None:
    """None when the Secret holds every key equal (by keyed hash) to the moved value, whichever operator wrote it;
    else what it lacks. Values are decoded only to hash them."""
    live = kube.get("secrets", secret, namespace)
    if live is None:
        return f"secret {namespace}/{secret} not written yet"
    data = live.get("data") or {}
    wrong = [k for k, sha in sorted(hashes.items())
             if k not in data or ctx.fingerprint(base64.b64decode(data[k]).decode("utf-8", "replace")) != sha]
    return f"secret {namespace}/{secret} lacks {', '.join(wrong)}" if wrong else None


def wait_synced(ctx: ActionContext, targets: list[tuple[str, str, dict[str, str]]], timeout_s: float,
                check: SyncCheck = synced) -> None:
    """Wait until the operator has synced every (namespace, secret, key hashes); raise naming what is missing."""
    deadline = ctx.monotonic() + timeout_s
    while True:
        missing = [m for ns, secret, hashes in targets if (m := check(ctx.kube(), ns, secret, hashes, ctx))]
        if not missing:
            return
        # An ExternalSecret may report SecretSyncedError while its new SecretStore is still being validated:
        # only the deadline decides.
        if ctx.monotonic() >= deadline:
            raise Unavailable("secrets not synced from Vault: " + "; ".join(missing[:5]))
        ctx.sleep(min(POLL_S, max(0.0, deadline - ctx.monotonic())))
