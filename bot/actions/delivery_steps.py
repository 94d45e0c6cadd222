"""The delivery half of `migrate_secrets`, for either secrets operator: plan, apply and undo the objects that have
the operator write each ConfigMap's moved keys into `<configmap>-vault`, and Vault's reader policy and role.

External Secrets Operator (bot.actions.delivery): a SecretStore (found, or created with its ServiceAccount) and an
ExternalSecret per ConfigMap. Vault Secrets Operator (bot.actions.vso): a VaultAuth (named, or created with its
VaultConnection and ServiceAccount) and a VaultStaticSecret per ConfigMap. A plan records which in
`data["delivery"]` (absent: External Secrets, as plans stored before VSO delivery). RBAC and Vault policy: those
two modules' docstrings.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.actions import delivery, vso
from bot.actions.base import ActionContext, ActionPlan, Change
from bot.actions.objects import apply_object, desired, object_change, plan_object
from bot.errors import UserError
from bot.snapshot.credentials import KV_MOUNT

Obj = dict[str, Any]


def plan_delivery(namespaces: list[str], configmaps: list[Obj], server: str, operator: str | None,
                  vault_auth: str | None, ctx: ActionContext, changes: list[Change]) -> dict[str, Obj]:
    """The operator's objects and Vault's reader role per namespace, and an ExternalSecret (or VaultStaticSecret)
    per ConfigMap."""
    kube, vault = ctx.kube(), ctx.secrets()
    auth = vault.read(f"auth/{delivery.AUTH_PATH}/config") if delivery.AUTH_PATH in vault.auth_methods() else None
    if not auth or not auth.get("kubernetes_host"):
        raise UserError(messages.vault_kubernetes_auth_missing())
    stores: dict[str, Obj] = {}
    for ns in namespaces:
        if operator == "vso":
            stores[ns] = vso.plan_auth(kube, ns, server, vault_auth, changes)
            if stores[ns]["exists"]:
                continue  # a VaultAuth the team named: its Vault role is theirs
        else:
            store = delivery.find_store(kube, ns, server)
            if not store.exists:
                plan_object(kube, "serviceaccounts", delivery.reader_account(ns), changes)
                plan_object(kube, "secretstores", delivery.secret_store(ns, server), changes)
            stores[ns] = {"name": store.name, "kind": store.kind, "exists": store.exists}
        policy, role = delivery.reader_policy(ns), delivery.reader_role(ns)
        if vault.policy(policy) != delivery.reader_policy_hcl(ns):
            changes.append(Change("put-policy", f"vault policy {policy}", f"read what is under {KV_MOUNT}/carbon/{ns}"))
        if not _role_matches(vault.read(f"auth/{delivery.AUTH_PATH}/role/{role}"), ns, policy):
            changes.append(Change("put-role", f"vault auth/{delivery.AUTH_PATH}/role/{role}",
                                  f"serviceaccount {ns}/{delivery.READER}"))
    for cm in configmaps:
        if cm["secret"]:
            plural, want = _synced_object(cm, stores[cm["namespace"]], operator)
            if plan_object(kube, plural, want, changes) == "update":  # names and paths only: what a rollback puts back
                cm["before"] = (kube.get(plural, cm["secret"], cm["namespace"]) or {}).get("spec")
    return stores


def _synced_object(cm: Obj, store: Obj, operator: str | None) -> tuple[str, Obj]:
    """(plural, the object) that has the operator write the ConfigMap's moved keys into its `<configmap>-vault`."""
    keys = sorted(cm["keys"])
    if operator == "vso":
        return "vaultstaticsecrets", vso.static_secret(cm["namespace"], cm["name"], cm["secret"],
                                                       cm.get("delivered") or keys, store["name"])
    return "externalsecrets", delivery.external_secret(cm["namespace"], cm["name"], cm["secret"],
                                                      cm.get("delivered") or keys, delivery.StoreRef(**store))


def _role_matches(role: Obj | None, ns: str, policy: str) -> bool:
    if not role:
        return False
    return (list(role.get("bound_service_account_names") or []) == [delivery.READER]
            and list(role.get("bound_service_account_namespaces") or []) == [ns]
            and policy in (role.get("token_policies") or role.get("policies") or []))


def deliver(planned: ActionPlan, changes: dict[str, Change], server: str, timeout_s: float, ctx: ActionContext) -> None:
    """The operator's objects and Vault's reader role, then wait until every Secret holds its moved keys."""
    kube, vault = ctx.kube(), ctx.secrets()
    operator = planned.data.get("delivery", "eso")
    for ns, store in planned.data["stores"].items():
        if operator == "vso":
            vso.apply_auth(kube, ns, server, store, changes, ctx)
        wanted = (("serviceaccounts", delivery.reader_account(ns)), ("secretstores", delivery.secret_store(ns, server)))
        for plural, want in wanted if operator == "eso" else ():
            change = object_change(changes, plural, want)
            if change and not store["exists"]:
                apply_object(kube, plural, want, change.op)
                ctx.step(change)
        policy, role = delivery.reader_policy(ns), delivery.reader_role(ns)
        change = changes.get(f"put-policy vault policy {policy}")
        if change:
            vault.put_policy(policy, delivery.reader_policy_hcl(ns))
            ctx.step(change)
        change = changes.get(f"put-role vault auth/{delivery.AUTH_PATH}/role/{role}")
        if change:
            vault.write(f"auth/{delivery.AUTH_PATH}/role/{role}", {
                "bound_service_account_names": [delivery.READER], "bound_service_account_namespaces": [ns],
                "token_policies": [policy], "token_ttl": "1h"})
            ctx.step(change)
    targets = []
    for cm in planned.data["configmaps"]:
        if not cm["secret"]:
            continue
        plural, want = _synced_object(cm, planned.data["stores"][cm["namespace"]], operator)
        change = object_change(changes, plural, want)
        if change:
            apply_object(kube, plural, want, change.op)
            ctx.step(change)
        targets.append((cm["namespace"], cm["secret"], cm["keys"]))
    delivery.wait_synced(ctx, targets, timeout_s, sync_check(planned))
    if targets:
        ctx.report(f":mag: {len(targets)} secret(s) synced from Vault, every key matching by hash")


def sync_check(planned: ActionPlan) -> delivery.SyncCheck:
    return vso.synced if planned.data.get("delivery") == "vso" else delivery.synced


def undo_delivery(planned: ActionPlan, applied: frozenset[str], ctx: ActionContext) -> None:
    """Delete the ExternalSecrets or VaultStaticSecrets the run created (their Secrets go with them), and with VSO the
    VaultAuth and VaultConnection it created unless something still uses them. Vault's role and policy stay: other
    runs' deliveries in the namespace read through them."""
    kube = ctx.kube()
    plural = "vaultstaticsecrets" if planned.data.get("delivery") == "vso" else "externalsecrets"
    for cm in planned.data["configmaps"]:
        target = f"{plural.removesuffix('s')} {cm['namespace']}/{cm['secret']}"
        if cm["secret"] and f"create {target}" in applied:
            kube.delete(plural, cm["secret"], cm["namespace"])
            ctx.report(f":leftwards_arrow_with_hook: deleted {target}")
        elif cm["secret"] and f"update {target}" in applied and cm.get("before"):
            kube.apply(plural, desired(plural, cm["namespace"], cm["secret"], spec=cm["before"]))
            ctx.report(f":leftwards_arrow_with_hook: {target} as it was")
    for ns in planned.data["stores"] if planned.data.get("delivery") == "vso" else ():
        vso.rollback_auth(kube, ns, applied, ctx)
