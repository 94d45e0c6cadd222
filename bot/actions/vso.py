"""Delivery through Vault Secrets Operator (VSO, `secrets.hashicorp.com/v1beta1`): the objects and the sync check.

The same outcome as the External Secrets path (bot.actions.delivery): the Secret `<configmap>-vault` holding
exactly the moved keys. One VaultStaticSecret per ConfigMap reads its KV v2 path whole, so its destination keeps
only the moved keys (`transformation.includes`, one anchored pattern per key) and drops VSO's `_raw` JSON copy
(`excludeRaw`), which an `envFrom` consumer would otherwise get as an env var. It authenticates through a
VaultAuth: one the plan names (`vault_auth`), used as it is, or a `carbon-vault` VaultAuth (Kubernetes auth as
the ServiceAccount `carbon-secrets`, whose Vault role reads only that namespace's moved credentials, the same
role and policy the ESO path gives its SecretStore) over a `carbon-vault` VaultConnection to this Vault.

VSO reports a sync by `status.lastGeneration` reaching `metadata.generation` with a `status.secretMAC`; its
failures go to Events only, so a sync that does not come names the object and the generation it is stuck at.

Needs RBAC: vaultstaticsecrets get/list/create/patch/delete; vaultauths and vaultconnections get/create/delete;
serviceaccounts get/create; secrets get.
"""

from __future__ import annotations

import re

from bot import messages
from bot.actions.base import ActionContext, Change
from bot.actions.delivery import AUTH_PATH, READER, Obj, reader_account, reader_role, secret_holds
from bot.actions.objects import apply_object, desired, label, object_change, plan_object
from bot.cluster.gateway import ClusterGateway
from bot.errors import UserError
from bot.snapshot.credentials import KV_MOUNT, vault_path

AUTH = "carbon-vault"  # the VaultAuth and VaultConnection Carbon creates in a namespace
KIND = "VaultAuth"  # what a plan's `stores` entry records for this path (ESO's records say SecretStore)


def auth_ref(name: str, namespace: str) -> tuple[str, str]:
    """(namespace, name) of a `vaultAuthRef`, which may be `namespace/name`."""
    found, _, rest = name.partition("/")
    return (found, rest) if rest else (namespace, name)


def vault_connection(namespace: str, server: str) -> Obj:
    return desired("vaultconnections", namespace, AUTH, spec={"address": server, "skipTLSVerify": False})


def vault_auth(namespace: str) -> Obj:
    return desired("vaultauths", namespace, AUTH, spec={
        "vaultConnectionRef": AUTH, "method": "kubernetes", "mount": AUTH_PATH,
        "kubernetes": {"role": reader_role(namespace), "serviceAccount": READER}})


def static_secret(namespace: str, configmap: str, secret: str, keys: list[str], auth: str) -> Obj:
    return desired("vaultstaticsecrets", namespace, secret, spec={
        "vaultAuthRef": auth, "type": "kv-v2", "mount": KV_MOUNT, "path": vault_path(namespace, configmap),
        "refreshAfter": "1h", "hmacSecretData": True,
        "destination": {"name": secret, "create": True, "transformation": {
            "excludeRaw": True, "includes": [f"^{re.escape(key)}$" for key in sorted(keys)]}}})


def synced(kube: ClusterGateway, namespace: str, secret: str, hashes: dict[str, str], ctx: ActionContext) -> str | None:
    """None when VSO has reconciled the current spec and the Secret holds every key equal (by keyed hash) to the
    moved value; else what is still missing."""
    vss = kube.get("vaultstaticsecrets", secret, namespace)
    if vss is None:
        return f"vaultstaticsecret {namespace}/{secret} is missing"
    status, generation = vss.get("status") or {}, vss["metadata"].get("generation", 1)
    if status.get("lastGeneration") != generation or not status.get("secretMAC"):
        return (f"vaultstaticsecret {namespace}/{secret} not synced yet (status.lastGeneration "
                f"{status.get('lastGeneration', 'unset')}, generation {generation}; its Events say why)")
    return secret_holds(kube, namespace, secret, hashes, ctx)


def still_used(kube: ClusterGateway, namespace: str, auth: str) -> list[str]:
    """The VaultStaticSecrets that still authenticate through a VaultAuth (so a rollback keeps it)."""
    return [f"{o['metadata'].get('namespace', '')}/{o['metadata']['name']}" for o in kube.list_all("vaultstaticsecrets")
            if auth_ref((o.get("spec") or {}).get("vaultAuthRef", ""), o["metadata"].get("namespace", ""))
            == (namespace, auth)]


def plan_auth(kube: ClusterGateway, namespace: str, server: str, named: str | None, changes: list[Change]) -> Obj:
    """The VaultAuth the namespace's VaultStaticSecrets use, as a plan's `stores` entry: a named one must exist
    (`exists`: used as it is, its Vault role is its owner's); otherwise Carbon's, with its account and connection."""
    if named:
        ref_ns, name = auth_ref(named, namespace)
        if kube.get("vaultauths", name, ref_ns) is None:
            raise UserError(messages.vault_auth_missing(ref_ns, name))
        return {"name": named, "kind": KIND, "exists": True}
    for plural, want in _owned(namespace, server):
        plan_object(kube, plural, want, changes)
    return {"name": AUTH, "kind": KIND, "exists": False}


def apply_auth(kube: ClusterGateway, namespace: str, server: str, store: Obj, changes: dict[str, Change],
               ctx: ActionContext) -> None:
    if store["exists"]:
        return
    for plural, want in _owned(namespace, server):
        change = object_change(changes, plural, want)
        if change:
            apply_object(kube, plural, want, change.op)
            ctx.step(change)


def rollback_auth(kube: ClusterGateway, namespace: str, applied: frozenset[str], ctx: ActionContext) -> None:
    """Delete the VaultAuth and VaultConnection this run created, unless a VaultStaticSecret still uses them (another
    run's, or a person's, made since): those keep working and the report names them."""
    created = [plural for plural in ("vaultauths", "vaultconnections")
               if f"create {label(plural, desired(plural, namespace, AUTH))}" in applied]
    if not created:
        return
    users = still_used(kube, namespace, AUTH)
    if users:
        ctx.report(f":information_source: kept vaultauth {namespace}/{AUTH}: still used by {', '.join(users[:5])}")
        return
    for plural in created:
        kube.delete(plural, AUTH, namespace)
        ctx.report(f":leftwards_arrow_with_hook: deleted {label(plural, desired(plural, namespace, AUTH))}")


def _owned(namespace: str, server: str) -> tuple[tuple[str, Obj], ...]:
    return (("serviceaccounts", reader_account(namespace)), ("vaultconnections", vault_connection(namespace, server)),
            ("vaultauths", vault_auth(namespace)))
