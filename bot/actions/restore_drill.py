"""`restore_drill`: restore the latest Completed Velero backup into a scratch namespace and compare it with the source.

Dry run: Velero installed; the newest Completed Backup (of `schedule`, when named) that holds every namespace in
`namespaces`, else the plan is refused naming the task that makes one; a scratch namespace per source namespace,
`carbon-drill-<id>` (the id is derived from the backup and the attempt, so the plan is stable), which must not
exist — a drill never restores into a namespace it did not create, least of all a source. A Completed drill of
the same backup that passed makes the plan empty (nothing to change).

Apply: creates the scratch namespace (labelled as Carbon's drill), a Velero Restore `carbon-drill-<id>` in
Velero's namespace with `namespaceMapping` source → scratch, waits for it (bounded by `wait_s`), then compares
the restored objects with the source by kind and name (`kinds`; objects created after the backup started are not
expected), reports each kind's count in the run's thread, records the verdict on the Restore (annotation
`carbon.254carbon.com/drill-result`) and deletes the scratch namespace — also when the restore or the comparison
failed. A missing object fails the run. The Completed Restore stays in Velero's namespace: it is the drill's
record, which `restore-tested` (crd_objects on restores) measures. No rollback: nothing is left to undo.

Needs RBAC: velero.io schedules/backups list, restores list/get/create/patch; namespaces list/create/delete (only
namespaces labelled as a Carbon drill are ever deleted); `list` on each compared kind (deployments, statefulsets,
services, configmaps by default; `secrets` in `kinds` needs `list` secrets, which the shipped RBAC does not grant).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from pydantic import Field

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact, Params
from bot.actions.objects import MANAGED_BY
from bot.actions.velero import FINISHED, SCHEDULE_LABEL, finish, phase, require_velero, wait_until
from bot.errors import UserError
from bot.snapshot.objects import parse_time

Kind = Literal["deployments", "statefulsets", "services", "configmaps", "secrets", "serviceaccounts"]
DRILL_LABEL = "carbon.254carbon.com/drill"
RESULT = "carbon.254carbon.com/drill-result"
PREFIX = "carbon-drill"


class RestoreDrillParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1, max_length=10)  # source namespaces, each into its own scratch
    schedule: str | None = None  # restore the latest backup of this schedule; None: of any that holds the namespaces
    kinds: tuple[Kind, ...] = ("deployments", "statefulsets", "services", "configmaps")
    velero_namespace: str = "velero"
    wait_s: float = Field(600.0, ge=0, le=3600)


def _holds(backup: dict[str, Any], namespaces: tuple[str, ...]) -> bool:
    spec = backup.get("spec") or {}
    included, excluded = spec.get("includedNamespaces") or ["*"], spec.get("excludedNamespaces") or []
    return all(("*" in included or ns in included) and ns not in excluded for ns in namespaces)


def latest_backup(ctx: ActionContext, params: RestoreDrillParams) -> dict[str, Any]:
    kube, ns = ctx.kube(), params.velero_namespace
    selector = f"{SCHEDULE_LABEL}={params.schedule}" if params.schedule else ""
    found = [b for b in kube.list_in("backups", ns, selector) if phase(b) == "Completed" and _holds(b, params.namespaces)]
    if not found:
        raise UserError(messages.no_completed_backup(ns, params.schedule, list(params.namespaces)))
    return max(found, key=lambda b: str((b.get("status") or {}).get("completionTimestamp") or ""))


def plan(params: RestoreDrillParams, ctx: ActionContext) -> ActionPlan:
    kube, ns = ctx.kube(), params.velero_namespace
    require_velero(kube, ns)
    backup = latest_backup(ctx, params)
    name = backup["metadata"]["name"]
    drills = [r for r in kube.list_in("restores", ns, DRILL_LABEL) if (r.get("spec") or {}).get("backupName") == name]
    if any(phase(r) == "Completed" and ((r["metadata"].get("annotations") or {}).get(RESULT) or "").startswith("passed")
           for r in drills):
        return ActionPlan((), {})
    drill = f"{PREFIX}-{hashlib.sha256(f'{name}/{len(drills)}'.encode()).hexdigest()[:6]}"
    scratch = {src: drill if len(params.namespaces) == 1 else f"{drill}-{i}" for i, src in enumerate(params.namespaces)}
    existing = {n["metadata"]["name"] for n in kube.list_all("namespaces")}
    for target in scratch.values():
        if target in existing or target in params.namespaces:
            raise UserError(messages.scratch_namespace_taken(target))
    changes = [Change("create", f"namespace {target}", f"scratch namespace for {src}") for src, target in scratch.items()]
    mapping = ", ".join(f"{src} → {target}" for src, target in scratch.items())
    changes.append(Change("restore", f"backup {ns}/{name}", f"{mapping}, as restore {ns}/{drill}"))
    changes += [Change("compare", f"namespace {src}", f"with {target}: {', '.join(params.kinds)} by name")
                for src, target in scratch.items()]
    changes += [Change("delete", f"namespace {target}", "after the comparison") for target in scratch.values()]
    impact = Impact(warnings=tuple(messages.drill_runs_workloads(t) for t in scratch.values()
                                   if {"deployments", "statefulsets"} & set(params.kinds)),
                    irreversible=(messages.drill_record_kept(ns, drill),))
    return ActionPlan(tuple(changes), {"backup": name, "restore": drill, "scratch": scratch}, impact)


def apply(params: RestoreDrillParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube, data = ctx.kube(), planned.data
    changes = {c.key: c for c in planned.changes}
    restoring = f"restore backup {params.velero_namespace}/{data['backup']}"
    try:
        for target in data["scratch"].values():
            kube.create("namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {
                "name": target, "labels": {**MANAGED_BY, DRILL_LABEL: data["restore"]}}})
            ctx.step(changes[f"create namespace {target}"])
        _restore(params, data, ctx)
        ctx.step(changes[restoring])
        finish(ctx, kube, "restores", data["restore"], params.velero_namespace, params.wait_s)
        missing, restored, expected = _compare(params, data, ctx)
        verdict = messages.drill_result(not missing, restored, expected)
        kube.patch("restores", data["restore"], params.velero_namespace, {"metadata": {"annotations": {RESULT: verdict}}})
        for src in data["scratch"]:
            ctx.step(changes[f"compare namespace {src}"], f"compared {src} with its restore: drill {verdict}")
        if missing:
            raise UserError(messages.drill_mismatch(missing))
    finally:
        _delete_scratch(data, changes, ctx)
        if restoring in ctx.done and phase(kube.get("restores", data["restore"], params.velero_namespace)) not in FINISHED:
            ctx.report(messages.drill_restore_still_running(params.velero_namespace, data["restore"]))


def _restore(params: RestoreDrillParams, data: dict[str, Any], ctx: ActionContext) -> None:
    body = {"apiVersion": "velero.io/v1", "kind": "Restore",
            "metadata": {"name": data["restore"], "namespace": params.velero_namespace,
                         "labels": {**MANAGED_BY, DRILL_LABEL: "true"}},
            "spec": {"backupName": data["backup"], "includedNamespaces": list(data["scratch"]),
                     "namespaceMapping": dict(data["scratch"]), "restorePVs": False}}
    ctx.kube().create("restores", body)


def _compare(params: RestoreDrillParams, data: dict[str, Any], ctx: ActionContext) -> tuple[list[str], int, int]:
    """(missing objects, restored, expected): the source's objects of each kind that existed when the backup
    started (not those a controller owns: their owners recreate them) against the scratch namespace's."""
    kube = ctx.kube()
    backup = kube.get("backups", data["backup"], params.velero_namespace) or {}
    started = parse_time((backup.get("status") or {}).get("startTimestamp"))
    missing: list[str] = []
    restored = expected = 0
    for kind in params.kinds:
        for src, target in data["scratch"].items():
            wanted = {o["metadata"]["name"] for o in kube.list_in(kind, src)
                      if not _owned(o) and (started is None or (parse_time(o["metadata"].get("creationTimestamp"))
                                                                or started) <= started)}
            there = {o["metadata"]["name"] for o in kube.list_in(kind, target)}
            gone = sorted(wanted - there)
            expected, restored = expected + len(wanted), restored + len(wanted & there)
            missing += [f"{kind.removesuffix('s')} {src}/{n}" for n in gone]
            ctx.report(messages.drill_compared(f"{kind} of {src}", len(wanted & there), len(wanted), gone))
    return missing, restored, expected


def _owned(obj: dict[str, Any]) -> bool:
    return any(ref.get("controller") for ref in obj["metadata"].get("ownerReferences") or [])


def _delete_scratch(data: dict[str, Any], changes: dict[str, Change], ctx: ActionContext) -> None:
    """Delete each scratch namespace this drill created — only one labelled as this drill's."""
    kube = ctx.kube()
    mine = [t for t in data["scratch"].values() if f"create namespace {t}" in ctx.done]
    labels = {n["metadata"]["name"]: n["metadata"].get("labels") or {} for n in kube.list_all("namespaces")} if mine else {}
    for target in mine:
        if target not in labels or labels[target].get(DRILL_LABEL) != data["restore"]:
            continue
        kube.delete("namespaces", target, None)
        ctx.step(changes[f"delete namespace {target}"])


def verify(params: RestoreDrillParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube, data, ns = ctx.kube(), planned.data, params.velero_namespace
    restore = kube.get("restores", data["restore"], ns)
    problems = []
    if phase(restore) != "Completed":
        problems.append(f"restore {ns}/{data['restore']} is {phase(restore) or 'missing'}, not Completed")
    targets = set(data["scratch"].values())
    left = wait_until(ctx, params.wait_s, lambda: {"names": sorted(targets & {n["metadata"]["name"] for n in
                                                                              kube.list_all("namespaces")})},
                      lambda seen: not (seen or {}).get("names"))
    problems += [f"scratch namespace {n} is still there (Terminating?)" for n in (left or {}).get("names") or []]
    return problems


RESTORE_DRILL = ActionKind("restore_drill", RestoreDrillParams, plan, apply, verify, None, __doc__ or "")
