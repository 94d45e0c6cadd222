"""`migrate_secrets`: move the credential keys of ConfigMaps into Vault KV v2, and keep every consumer working.

For each ConfigMap with credential keys (bot.snapshot.credentials decides which, as the secrets check does):
1. write the keys to `secret/carbon/<ns>/<configmap>` with check-and-set and read them back (keyed hashes);
2. deliver them back to their consumers the way each consumer reads them (bot.snapshot.consumers: the same
   env var names, the same file paths) through a secrets operator that syncs the moved keys into the Secret
   `<configmap>-vault` (bot.actions.delivery_steps: External Secrets Operator's ExternalSecret, or Vault Secrets
   Operator's VaultStaticSecret; `delivery: auto` takes ESO when both are installed), and each consumer's pod
   template reads them from that Secret (bot.actions.redirect); the ConfigMap keeps its other keys;
3. wait for each changed workload's rollout to be healthy (bot.actions.rollout) and check that its pods get
   every moved key from the new source;
4. only then remove the plaintext keys from the ConfigMaps (a JSON patch conditioned on the resourceVersion
   just checked by hash: no value ever goes into a request), and wait again for file readers.
Without a secrets operator, or for a consumer it cannot serve, the keys are copied to Vault and verified but
not removed, and the plan says why. A failed gate rolls back what the run changed (bot.runs.execute).
Values stay in memory for the duration of apply/rollback; the plan and the store hold key names, paths,
versions and keyed hashes.

Needs RBAC: configmaps get/list/patch; deployments and statefulsets get/list/patch; pods list; and what
bot.actions.delivery (or bot.actions.vso) needs. Needs Vault policy: `secret/data/carbon/*` create/read/update,
`secret/metadata/carbon/*` read, `auth/kubernetes/config` read, and what bot.actions.delivery needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot import messages
from bot.actions import delivery
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact, Params
from bot.actions.delivery_steps import deliver, plan_delivery, sync_check, undo_delivery
from bot.actions.redirect import redirect, restore
from bot.actions.rollout import Workload, progress, unhealthy, wait_healthy
from bot.actions.workloads import workloads_in
from bot.errors import RollbackRefused, Unavailable
from bot.snapshot.consumers import Use, delivers, uses
from bot.snapshot.credentials import (
    DEFAULT_PATTERNS,
    KV_MOUNT,
    compile_patterns,
    credential_keys,
    delivered_secret,
    vault_path,
)

Obj = dict[str, Any]


class MigrateSecretsParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    vault_server: str | None = None  # how pods reach Vault, when not the address Carbon uses
    rollout_timeout_s: float = Field(300.0, ge=0, le=3600)
    sync_timeout_s: float = Field(60.0, ge=0, le=600)
    # Which secrets operator delivers: `auto` is External Secrets Operator when installed, else Vault Secrets Operator.
    delivery: Literal["auto", "eso", "vso"] = "auto"
    # With Vault Secrets Operator: an existing VaultAuth (`name` in each namespace, or `namespace/name`) to use as it
    # is; None: Carbon creates `carbon-vault` in each namespace.
    vault_auth: str | None = Field(None, pattern=r"^([a-z0-9][a-z0-9-]{0,62}/)?[a-z0-9][a-z0-9.-]{0,252}$")


def _workload_label(plural: str, ns: str, name: str) -> str:
    return Workload(plural, ns, name).label


def plan(params: MigrateSecretsParams, ctx: ActionContext) -> ActionPlan:
    kube, vault = ctx.kube(), ctx.secrets()
    patterns = compile_patterns(params.patterns)
    operators = delivery.installed(kube)
    operator = delivery.choose(operators, params.delivery)
    server = params.vault_server or vault.addr
    changes: list[Change] = []
    sources: list[str] = []
    warnings: list[str] = []
    configmaps: list[Obj] = []
    edits: dict[tuple[str, str, str], Obj] = {}  # (plural, ns, name) -> the workload's live object and its edits
    workloads = workloads_in(kube, params.namespaces)
    for cm in sorted(kube.list_all("configmaps"), key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"])):
        ns, name = cm["metadata"].get("namespace", ""), cm["metadata"]["name"]
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
                                      f"from configmap {ns}/{name}, hmac {sha}, cas v{version}"))
        secret = delivered_secret(name)
        readers = [(plural, w, found) for plural, w in workloads if w["metadata"].get("namespace") == ns
                   if (found := uses(w, name, hashes))]
        remove = operator is not None or not readers
        if not remove:
            warnings += [messages.no_delivery(_workload_label(p, ns, w["metadata"]["name"]), u.line(), u.key)
                         for p, w, found in readers for u in found]
        for plural, w, found in readers if operator else []:
            entry = edits.setdefault((plural, ns, w["metadata"]["name"]), {"object": w, "configmaps": []})
            entry["configmaps"].append({"configmap": name, "secret": secret, "keys": sorted(hashes)})
            sources += [f"{_workload_label(plural, ns, w['metadata']['name'])} ({u.container}): {u.line()} ← "
                        f"secret {secret} (synced from Vault {KV_MOUNT}/{path})" for u in found]
        moved = {"namespace": ns, "name": name, "path": path, "version": version, "keys": hashes, "remove": remove,
                 "secret": secret if readers and operator else None}
        if operator:  # the synced Secret keeps delivering what earlier runs moved from this ConfigMap
            moved["delivered"] = sorted(set(stored) | set(hashes))
        configmaps.append(moved)
    if not operator and edits == {} and any(not c["remove"] for c in configmaps):
        warnings.insert(0, messages.no_secrets_operator())
    namespaces = sorted({ns for _, ns, _ in edits})
    stores = plan_delivery(namespaces, configmaps, server, operator, params.vault_auth, ctx, changes) if namespaces else {}
    planned_workloads = [_plan_workload(plural, ns, name, entry, changes, ctx)
                         for (plural, ns, name), entry in sorted(edits.items())]
    irreversible = []
    for cm in configmaps:
        if cm["remove"]:
            keys = sorted(cm["keys"])
            kube.patch("configmaps", cm["name"], cm["namespace"], {"data": dict.fromkeys(keys)}, dry_run=True)
            changes += [Change("remove-key", f"configmap {cm['namespace']}/{cm['name']}#{key}",
                               "last, after every rollout is healthy") for key in keys]
            irreversible += [messages.plaintext_removed(cm["namespace"], cm["name"], key) for key in keys]
    impact = Impact(rolls=tuple(_workload_label(w["plural"], w["namespace"], w["name"]) for w in planned_workloads
                                if w["patched"]),
                    sources=tuple(sources), irreversible=tuple(irreversible), warnings=tuple(warnings))
    data = {"configmaps": configmaps, "workloads": planned_workloads, "stores": stores}
    if operator == "vso":  # plans without it (all ESO's, and those stored before VSO) deliver through ESO
        data["delivery"] = "vso"
    return ActionPlan(tuple(changes), data, impact)


def _plan_workload(plural: str, ns: str, name: str, entry: Obj, changes: list[Change], ctx: ActionContext) -> Obj:
    spec = ((entry["object"].get("spec") or {}).get("template") or {}).get("spec") or {}
    new, converted = spec, {}
    for cm in entry["configmaps"]:
        new, turned = redirect(new, cm["configmap"], cm["keys"], cm["secret"])
        converted[cm["configmap"]] = turned
    patched = new != spec
    if patched:
        ctx.kube().patch(plural, name, ns, _template_patch(entry["object"], new), patch="json", dry_run=True)
        secrets = ", ".join(sorted({cm["secret"] for cm in entry["configmaps"]}))
        changes.append(Change("patch", _workload_label(plural, ns, name), f"pod template reads moved keys from {secrets}"))
    return {"plural": plural, "namespace": ns, "name": name, "patched": patched,
            "configmaps": [{**cm, "converted": converted[cm["configmap"]]} for cm in entry["configmaps"]]}


def _template_patch(live: Obj, spec: Obj) -> list[Obj]:
    """Replace the pod spec only if the workload is still the version read (no value in the request)."""
    return [{"op": "test", "path": "/metadata/resourceVersion", "value": live["metadata"]["resourceVersion"]},
            {"op": "replace", "path": "/spec/template/spec", "value": spec}]


def apply(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Vault first, then delivery and the health-gated rollouts; the plaintext goes last."""
    changes = {c.key: c for c in planned.changes}
    values = _write_vault(planned, changes, ctx)  # in memory only, for this call
    broken = unhealthy(ctx, [Workload(w["plural"], w["namespace"], w["name"]) for w in planned.data["workloads"]])
    try:
        deliver(planned, changes, params.vault_server or ctx.secrets().addr, params.sync_timeout_s, ctx)
        patched = _redirect_workloads(planned, changes, ctx)
        wait_healthy(ctx, patched, params.rollout_timeout_s, broken)
        problems = _delivery_problems(planned, ctx)
        if problems:
            raise Unavailable("; ".join(problems[:5]))
        _remove_plaintext(planned, changes, values, ctx)
        wait_healthy(ctx, patched, params.rollout_timeout_s, broken)
    finally:
        values.clear()


def _write_vault(planned: ActionPlan, changes: dict[str, Change], ctx: ActionContext) -> dict[str, dict[str, str]]:
    kube, vault = ctx.kube(), ctx.secrets()
    values: dict[str, dict[str, str]] = {}
    for cm in planned.data["configmaps"]:
        live = kube.get("configmaps", cm["name"], cm["namespace"]) or {}
        data = live.get("data") or {}
        held = {k: data[k] for k in cm["keys"] if k in data and ctx.fingerprint(data[k]) == cm["keys"][k]}
        values[f"{cm['namespace']}/{cm['name']}"] = held
        stored, version = vault.kv_read(cm["path"])
        pending = {k: v for k, v in held.items() if k not in stored or ctx.fingerprint(stored[k]) != ctx.fingerprint(v)}
        if pending:
            version = vault.kv_write(cm["path"], {**stored, **pending}, cas=cm["version"])
            for key in sorted(pending):
                ctx.step(changes[f"write {KV_MOUNT}/{cm['path']}#{key}"],
                         f"wrote {KV_MOUNT}/{cm['path']}#{key} (v{version}, hmac {cm['keys'][key]})")
        stored, version = vault.kv_read(cm["path"])
        wrong = [k for k in cm["keys"] if ctx.fingerprint(stored.get(k, "")) != cm["keys"][k]]
        if wrong:
            raise Unavailable(f"{KV_MOUNT}/{cm['path']} v{version} does not hold the ConfigMap's value of {', '.join(wrong)}")
        ctx.report(f":mag: verified {KV_MOUNT}/{cm['path']} v{version}: {len(cm['keys'])} key(s) match by hash")
    return values


def _redirect_workloads(planned: ActionPlan, changes: dict[str, Change], ctx: ActionContext) -> list[Workload]:
    kube = ctx.kube()
    patched = []
    for w in planned.data["workloads"]:
        change = changes.get(f"patch {_workload_label(w['plural'], w['namespace'], w['name'])}")
        live = kube.get(w["plural"], w["name"], w["namespace"])
        if live is None:
            raise Unavailable(f"{_workload_label(w['plural'], w['namespace'], w['name'])} is gone")
        spec = live["spec"]["template"]["spec"]
        new = spec
        for cm in w["configmaps"]:
            new, _ = redirect(new, cm["configmap"], cm["keys"], cm["secret"])
        if new != spec:
            kube.patch(w["plural"], w["name"], w["namespace"], _template_patch(live, new), patch="json")
        if change:
            ctx.step(change)
        patched.append(Workload(w["plural"], w["namespace"], w["name"]))
    return patched


def _delivery_problems(planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """Each consumer's pods get every moved key from the Secret, the same way as before; the Secret holds it."""
    kube = ctx.kube()
    problems = []
    for w in planned.data["workloads"]:
        live = kube.get(w["plural"], w["name"], w["namespace"]) or {}
        spec = ((live.get("spec") or {}).get("template") or {}).get("spec") or {}
        done, problem = progress(kube, Workload(w["plural"], w["namespace"], w["name"]))
        where = _workload_label(w["plural"], w["namespace"], w["name"])
        if problem or not done:
            problems.append(f"{where} is not healthy" + (f": {problem}" if problem else ""))
        for cm in w["configmaps"]:
            before = restore(spec, cm["configmap"], cm["secret"], cm["converted"])
            missing: list[Use] = [u for u in uses({"spec": {"template": {"spec": before}}}, cm["configmap"], cm["keys"])
                                  if not delivers(spec, u, cm["secret"])]
            problems += [messages.not_delivered(where, u.line(), cm["secret"]) for u in missing]
    for cm in planned.data["configmaps"]:
        if cm["secret"] and (problem := sync_check(planned)(kube, cm["namespace"], cm["secret"], cm["keys"], ctx)):
            problems.append(problem)
    return problems


def _remove_plaintext(planned: ActionPlan, changes: dict[str, Change], values: dict[str, dict[str, str]],
                      ctx: ActionContext) -> None:
    kube = ctx.kube()
    for cm in planned.data["configmaps"]:
        held = values.get(f"{cm['namespace']}/{cm['name']}") or {}
        if not cm["remove"] or not held:
            continue
        live = kube.get("configmaps", cm["name"], cm["namespace"]) or {}
        data = live.get("data") or {}
        keys = sorted(k for k in held if k in data and ctx.fingerprint(data[k]) == cm["keys"][k])
        if not keys:
            continue
        ops: list[Obj] = [{"op": "test", "path": "/metadata/resourceVersion", "value": live["metadata"]["resourceVersion"]}]
        ops += [{"op": "remove", "path": f"/data/{key}"} for key in keys]
        kube.patch("configmaps", cm["name"], cm["namespace"], ops, patch="json")
        for key in keys:
            ctx.step(changes[f"remove-key configmap {cm['namespace']}/{cm['name']}#{key}"])


def verify(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """Vault holds every key; moved keys are gone from their ConfigMaps; every consumer is healthy and gets
    each moved key from the Secret, at the same env var or file path."""
    kube, vault = ctx.kube(), ctx.secrets()
    problems: list[str] = []
    for cm in planned.data["configmaps"]:
        live = kube.get("configmaps", cm["name"], cm["namespace"]) or {}
        stored, version = vault.kv_read(cm["path"])
        for key, sha in cm["keys"].items():
            if cm["remove"] and key in (live.get("data") or {}):
                problems.append(f"configmap {cm['namespace']}/{cm['name']} still holds {key}")
            if key not in stored or ctx.fingerprint(stored[key]) != sha:
                problems.append(f"{KV_MOUNT}/{cm['path']}#{key} (v{version}) does not match hmac {sha}")
    return problems + _delivery_problems(planned, ctx)


def rollback(params: MigrateSecretsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Undo what the run applied, newest first: the plaintext keys go back (from Vault), the pod templates read
    the ConfigMap again (health-gated), the ExternalSecrets this run created go. Vault keeps its copies (its
    versions are the backup)."""
    kube, vault = ctx.kube(), ctx.secrets()
    applied = ctx.applied
    stranded = _stranded(planned, applied, kube)
    if stranded:
        raise RollbackRefused(messages.cluster_changed_since(stranded))
    for cm in planned.data["configmaps"]:
        removed = [k for k in sorted(cm["keys"])
                   if f"remove-key configmap {cm['namespace']}/{cm['name']}#{k}" in applied]
        if not removed:
            continue
        live = kube.get("configmaps", cm["name"], cm["namespace"])
        if live is None:
            raise Unavailable(f"configmap {cm['namespace']}/{cm['name']} is gone; its keys stay in Vault at {cm['path']}")
        stored, version = vault.kv_read(cm["path"])
        missing = [k for k in removed if k not in (live.get("data") or {}) and k in stored]
        if missing:
            kube.patch("configmaps", cm["name"], cm["namespace"], {"data": {k: stored[k] for k in missing}})
            ctx.report(f":leftwards_arrow_with_hook: restored {', '.join(missing)} to configmap "
                       f"{cm['namespace']}/{cm['name']} from {KV_MOUNT}/{cm['path']} v{version}")
    restored = []
    broken = unhealthy(ctx, [Workload(w["plural"], w["namespace"], w["name"]) for w in planned.data["workloads"]])
    for w in planned.data["workloads"]:
        where = _workload_label(w["plural"], w["namespace"], w["name"])
        if f"patch {where}" not in applied:
            continue
        live = kube.get(w["plural"], w["name"], w["namespace"])
        if live is None:
            continue
        spec = live["spec"]["template"]["spec"]
        old = spec
        for cm in reversed(w["configmaps"]):
            old = restore(old, cm["configmap"], cm["secret"], cm["converted"])
        if old != spec:
            kube.patch(w["plural"], w["name"], w["namespace"], _template_patch(live, old), patch="json")
            ctx.report(f":leftwards_arrow_with_hook: {where} reads its ConfigMap again")
        restored.append(Workload(w["plural"], w["namespace"], w["name"]))
    wait_healthy(ctx, restored, params.rollout_timeout_s, broken)
    undo_delivery(planned, applied, ctx)


def _stranded(planned: ActionPlan, applied: frozenset[str], kube: Any) -> list[str]:
    """Consumers this rollback would point back at a ConfigMap that no longer holds their keys (another run or a
    person removed them since): undoing that would crash them, so the rollback refuses and names them."""
    found = []
    for w in planned.data["workloads"]:
        where = _workload_label(w["plural"], w["namespace"], w["name"])
        if f"patch {where}" not in applied:
            continue
        for cm in w["configmaps"]:
            restored_here = {k for k in cm["keys"]
                             if f"remove-key configmap {w['namespace']}/{cm['configmap']}#{k}" in applied}
            live = (kube.get("configmaps", cm["configmap"], w["namespace"]) or {}).get("data") or {}
            missing = sorted(set(cm["keys"]) - set(live) - restored_here)
            if missing:
                found.append(f"{where} would read {', '.join(missing)} from configmap {w['namespace']}/{cm['configmap']}, "
                             "which no longer holds them")
    return found


MIGRATE_SECRETS = ActionKind("migrate_secrets", MigrateSecretsParams, plan, apply, verify, rollback, __doc__ or "")
