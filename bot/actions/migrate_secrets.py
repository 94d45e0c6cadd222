"""`migrate_secrets`: move the credential keys of ConfigMaps into Vault KV v2, and point the workloads at them.

For each ConfigMap with credential keys (bot.credentials decides which, as the secrets check does):
write the keys to `secret/carbon/<ns>/<configmap>` with check-and-set (a concurrent writer is refused,
never overwritten), read them back and compare hashes; create a Vault policy `carbon-<ns>-<workload>`
(read on that path) and a Kubernetes-auth role `<workload>` for the workload's ServiceAccount; annotate
the workload for Vault Agent injection. Only after EVERY key's Vault copy is verified are the plaintext
keys removed from the ConfigMaps (a JSON patch that first tests the value, so a key changed meanwhile is
kept). Rollback writes the keys back from Vault (its KV versions are the backup) and removes the
annotations Carbon added. Values stay in memory for the duration of apply/rollback; the plan and the
store hold key names, paths, versions and hash prefixes.

Needs RBAC: configmaps get/list/patch, deployments and statefulsets get/list/patch.
Needs Vault policy: `secret/data/carbon/*` create/read/update, `secret/metadata/carbon/*` read,
`sys/policies/acl/carbon-*` create/read/update, `auth/kubernetes/role/*` create/read/update,
`sys/auth` read (and `sys/auth/kubernetes` sudo/create if Kubernetes auth is not enabled yet).
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params
from bot.actions.workloads import WORKLOAD_PLURALS, workloads_in
from bot.errors import Unavailable
from bot.snapshot.credentials import (
    AGENT_INJECT,
    AGENT_ROLE,
    AGENT_SECRET_PREFIX,
    DEFAULT_PATTERNS,
    KV_MOUNT,
    agent_secret_path,
    compile_patterns,
    consumes,
    credential_keys,
    references_vault,
    vault_path,
)

AUTH_PATH = "kubernetes"


class MigrateSecretsParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = DEFAULT_PATTERNS


def policy_hcl(paths: list[str]) -> str:
    return "".join(f'path "{KV_MOUNT}/data/{p}" {{\n  capabilities = ["read"]\n}}\n' for p in sorted(paths))


def plan(params: MigrateSecretsParams, ctx: ActionContext) -> ActionPlan:
    kube, vault = ctx.kube(), ctx.secrets()
    patterns = compile_patterns(params.patterns)
    changes: list[Change] = []
    configmaps: list[dict[str, Any]] = []
    consumers: dict[tuple[str, str, str], dict[str, Any]] = {}
    workloads = [w for w in workloads_in(kube, params.namespaces)]
    for cm in sorted(kube.list_all("configmaps"), key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])):
        meta = cm["metadata"]
        ns, name = meta.get("namespace", ""), meta["name"]
        keys = credential_keys(cm, patterns) if ns in params.namespaces else []
        if not keys:
            continue
        path = vault_path(ns, name)
        stored, version = vault.kv_read(path)
        values = cm.get("data") or {}
        hashes = {k.key: ctx.fingerprint(values[k.key]) for k in keys}
        for key, sha in hashes.items():
            if key not in stored or ctx.fingerprint(stored[key]) != sha:
                changes.append(Change("write", f"{KV_MOUNT}/{path}#{key}",
                                      f"from configmap {ns}/{name}, len {len(values[key])}, hmac {sha}, cas v{version}"))
        configmaps.append({"namespace": ns, "name": name, "path": path, "version": version, "keys": hashes})
        for plural, workload in workloads:
            if workload["metadata"].get("namespace") == ns and consumes(workload, name):
                entry = consumers.setdefault((plural, ns, workload["metadata"]["name"]), {"object": workload, "configmaps": []})
                entry["configmaps"].append(name)
    mounted = AUTH_PATH in vault.auth_methods() if consumers else True
    if not mounted:
        changes.append(Change("enable", f"vault auth {AUTH_PATH}/", "Kubernetes auth method"))
    planned_workloads = [_plan_workload(plural, ns, name, entry, vault, mounted, changes, kube)
                         for (plural, ns, name), entry in sorted(consumers.items())]
    for cm in configmaps:
        keys = sorted(cm["keys"])
        kube.patch("configmaps", cm["name"], cm["namespace"], {"data": dict.fromkeys(keys)}, dry_run=True)
        changes += [Change("remove-key", f"configmap {cm['namespace']}/{cm['name']}#{key}", "after its Vault copy is verified")
                    for key in keys]
    return ActionPlan(tuple(changes), {"configmaps": configmaps, "workloads": planned_workloads, "auth_mounted": mounted})


def _plan_workload(plural: str, ns: str, name: str, entry: dict[str, Any], vault: Any, mounted: bool,
                   changes: list[Change], kube: Any) -> dict[str, Any]:
    workload, cms = entry["object"], entry["configmaps"]
    service_account = ((workload["spec"].get("template") or {}).get("spec") or {}).get("serviceAccountName") or "default"
    policy = f"carbon-{ns}-{name}"
    hcl = policy_hcl([vault_path(ns, cm) for cm in cms])
    if vault.policy(policy) != hcl:
        changes.append(Change("put-policy", f"vault policy {policy}", "read " + ", ".join(vault_path(ns, cm) for cm in cms)))
    role = vault.read(f"auth/{AUTH_PATH}/role/{name}") if mounted else None
    if not _role_matches(role, service_account, ns, policy):
        changes.append(Change("put-role", f"vault auth/{AUTH_PATH}/role/{name}", f"serviceaccount {ns}/{service_account}"))
    wanted = annotations(name, ns, cms)
    if not all(references_vault(workload, ns, cm) for cm in cms) or _annotations(workload).get(AGENT_ROLE) != name:
        kube.patch(plural, name, ns, template_annotations(wanted), patch="strategic", dry_run=True)
        changes.append(Change("annotate", f"{WORKLOAD_PLURALS[plural]} {ns}/{name}", "Vault Agent injection"))
    previous = {k: _annotations(workload)[k] for k in wanted if k in _annotations(workload)}
    return {"plural": plural, "namespace": ns, "name": name, "service_account": service_account, "policy": policy,
            "configmaps": cms, "previous_annotations": previous}


def annotations(role: str, ns: str, cms: list[str]) -> dict[str, str]:
    found = {AGENT_INJECT: "true", AGENT_ROLE: role}
    found.update({AGENT_SECRET_PREFIX + cm: agent_secret_path(ns, cm) for cm in cms})
    return found


def template_annotations(values: dict[str, Any]) -> dict[str, Any]:
    return {"spec": {"template": {"metadata": {"annotations": values}}}}


def _annotations(workload: dict[str, Any]) -> dict[str, str]:
    return dict((((workload.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("annotations") or {})


def _role_matches(role: dict[str, Any] | None, service_account: str, ns: str, policy: str) -> bool:
    if not role:
        return False
    return (list(role.get("bound_service_account_names") or []) == [service_account]
            and list(role.get("bound_service_account_namespaces") or []) == [ns]
            and policy in (role.get("token_policies") or role.get("policies") or []))


def apply(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Write and verify every key, then policies, roles and annotations; only then remove plaintext keys."""
    kube, vault = ctx.kube(), ctx.secrets()
    changes = {c.key: c for c in planned.changes}
    values: dict[str, dict[str, str]] = {}  # in memory only, for this call
    for cm in planned.data["configmaps"]:
        live = kube.get("configmaps", cm["name"], cm["namespace"]) or {}
        data = live.get("data") or {}
        held = {k: data[k] for k in cm["keys"] if k in data and ctx.fingerprint(data[k]) == cm["keys"][k]}
        values[cm["name"]] = held
        stored, version = vault.kv_read(cm["path"])
        pending = {k: v for k, v in held.items() if k not in stored or ctx.fingerprint(stored[k]) != ctx.fingerprint(v)}
        if pending:
            version = vault.kv_write(cm["path"], {**stored, **pending}, cas=cm["version"])
            for key in sorted(pending):
                ctx.step(changes[f"write {KV_MOUNT}/{cm['path']}#{key}"],
                         f"wrote {KV_MOUNT}/{cm['path']}#{key} (v{version}, hmac {cm['keys'][key]})")
        stored, version = vault.kv_read(cm["path"])
        wrong = [k for k in held if ctx.fingerprint(stored.get(k, "")) != cm["keys"][k]]
        if wrong:
            raise Unavailable(f"read-back of {KV_MOUNT}/{cm['path']} v{version} does not match for {', '.join(wrong)}")
        ctx.report(f":mag: verified {KV_MOUNT}/{cm['path']} v{version}: {len(held)} key(s) match by hash")
    if not planned.data["auth_mounted"] and AUTH_PATH not in vault.auth_methods():
        vault.enable_auth("kubernetes", AUTH_PATH)
        ctx.step(changes[f"enable vault auth {AUTH_PATH}/"])
    for w in planned.data["workloads"]:
        _apply_workload(w, changes, ctx)
    for cm in planned.data["configmaps"]:
        held = values[cm["name"]]
        if not held:
            continue
        ops: list[dict[str, Any]] = []
        for key in sorted(held):
            ops += [{"op": "test", "path": f"/data/{key}", "value": held[key]}, {"op": "remove", "path": f"/data/{key}"}]
        kube.patch("configmaps", cm["name"], cm["namespace"], ops, patch="json")
        for key in sorted(held):
            ctx.step(changes[f"remove-key configmap {cm['namespace']}/{cm['name']}#{key}"])
    values.clear()


def _apply_workload(w: dict[str, Any], changes: dict[str, Change], ctx: ActionContext) -> None:
    kube, vault = ctx.kube(), ctx.secrets()
    ns, name = w["namespace"], w["name"]
    change = changes.get(f"put-policy vault policy {w['policy']}")
    if change:
        vault.put_policy(w["policy"], policy_hcl([vault_path(ns, cm) for cm in w["configmaps"]]))
        ctx.step(change)
    change = changes.get(f"put-role vault auth/{AUTH_PATH}/role/{name}")
    if change:
        vault.write(f"auth/{AUTH_PATH}/role/{name}", {
            "bound_service_account_names": [w["service_account"]], "bound_service_account_namespaces": [ns],
            "token_policies": [w["policy"]], "token_ttl": "1h"})
        ctx.step(change)
    change = changes.get(f"annotate {WORKLOAD_PLURALS[w['plural']]} {ns}/{name}")
    if change:
        kube.patch(w["plural"], name, ns, template_annotations(annotations(name, ns, w["configmaps"])), patch="strategic")
        ctx.step(change)


def verify(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube, vault = ctx.kube(), ctx.secrets()
    problems: list[str] = []
    for cm in planned.data["configmaps"]:
        live = kube.get("configmaps", cm["name"], cm["namespace"]) or {}
        stored, version = vault.kv_read(cm["path"])
        for key, sha in cm["keys"].items():
            if key in (live.get("data") or {}):
                problems.append(f"configmap {cm['namespace']}/{cm['name']} still holds {key}")
            if key not in stored or ctx.fingerprint(stored[key]) != sha:
                problems.append(f"{KV_MOUNT}/{cm['path']}#{key} (v{version}) does not match hmac {sha}")
    for w in planned.data["workloads"]:
        live = kube.get(w["plural"], w["name"], w["namespace"])
        if live is None or not all(references_vault(live, w["namespace"], cm) for cm in w["configmaps"]):
            problems.append(f"{WORKLOAD_PLURALS[w['plural']]} {w['namespace']}/{w['name']} is not annotated for Vault Agent")
    return problems


def rollback(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Write the keys back from Vault's latest version; remove the annotations Carbon added."""
    kube, vault = ctx.kube(), ctx.secrets()
    for cm in planned.data["configmaps"]:
        live = kube.get("configmaps", cm["name"], cm["namespace"])
        if live is None:
            raise Unavailable(f"configmap {cm['namespace']}/{cm['name']} is gone; its keys stay in Vault at {cm['path']}")
        stored, version = vault.kv_read(cm["path"])
        missing = [k for k in sorted(cm["keys"]) if k not in (live.get("data") or {}) and k in stored]
        if missing:
            kube.patch("configmaps", cm["name"], cm["namespace"], {"data": {k: stored[k] for k in missing}})
            ctx.report(f":leftwards_arrow_with_hook: restored {', '.join(missing)} to configmap "
                       f"{cm['namespace']}/{cm['name']} from {KV_MOUNT}/{cm['path']} v{version}")
    for w in planned.data["workloads"]:
        added = {k: None for k in annotations(w["name"], w["namespace"], w["configmaps"]) if k not in w["previous_annotations"]}
        if added:
            kube.patch(w["plural"], w["name"], w["namespace"], template_annotations(added), patch="strategic")
            ctx.report(f":leftwards_arrow_with_hook: removed Vault Agent annotations from "
                       f"{WORKLOAD_PLURALS[w['plural']]} {w['namespace']}/{w['name']}")


MIGRATE_SECRETS = ActionKind("migrate_secrets", MigrateSecretsParams, plan, apply, verify, rollback, __doc__ or "")
