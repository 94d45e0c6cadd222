"""`scale_deployments`: restore scaled-down Deployments to their target replicas, then wait for readiness.

Plan: each target whose `spec.replicas` differs, from → to (a dry-run patch of the scale subresource).
Apply patches `/scale`; verify waits, bounded by `wait_s`, until readyReplicas reaches the target, and
names the ones that did not (then the run rolls back). Rollback scales back only what the run scaled, to the
replicas the plan found, and refuses when a workload was resized since.

Needs RBAC: deployments get/list, deployments/scale patch.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params
from bot.errors import RollbackRefused, Unavailable


class Target(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str
    name: str
    replicas: int = Field(ge=0)


class ScaleParams(Params):
    targets: tuple[Target, ...] = Field(min_length=1)
    wait_s: float = Field(120.0, ge=0, le=1800)


def plan(params: ScaleParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    changes, found = [], []
    for target in params.targets:
        live = kube.get("deployments", target.name, target.namespace)
        if live is None:
            raise Unavailable(f"deployment {target.namespace}/{target.name} not found")
        current = int((live.get("spec") or {}).get("replicas", 1))
        if current != target.replicas:
            kube.patch("deployments", target.name, target.namespace, {"spec": {"replicas": target.replicas}},
                       subresource="scale", dry_run=True)
            changes.append(Change("scale", f"deployment {target.namespace}/{target.name}", f"{current} → {target.replicas}"))
            found.append({"namespace": target.namespace, "name": target.name, "from": current, "to": target.replicas})
    return ActionPlan(tuple(changes), {"targets": found})


def _scale(ctx: ActionContext, planned: ActionPlan, field: str) -> None:
    kube = ctx.kube()
    by_key = {c.key: c for c in planned.changes}
    for t in planned.data["targets"]:
        kube.patch("deployments", t["name"], t["namespace"], {"spec": {"replicas": t[field]}}, subresource="scale")
        change = by_key[f"scale deployment {t['namespace']}/{t['name']}"]
        if field == "to":
            ctx.step(change)
        else:
            ctx.report(f":leftwards_arrow_with_hook: scaled deployment {t['namespace']}/{t['name']} back to {t['from']}")


def apply(params: ScaleParams, planned: ActionPlan, ctx: ActionContext) -> None:
    _scale(ctx, planned, "to")


def verify(params: ScaleParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """Bounded wait for readiness: polls every 2 s up to `wait_s` (by `ctx.monotonic`/`ctx.sleep`), then names what
    is not ready."""
    kube = ctx.kube()
    deadline = ctx.monotonic() + params.wait_s
    while True:
        problems = []
        for t in planned.data["targets"]:
            live = kube.get("deployments", t["name"], t["namespace"]) or {}
            ready = int((live.get("status") or {}).get("readyReplicas") or 0)
            if int((live.get("spec") or {}).get("replicas", 0)) != t["to"] or ready < t["to"]:
                problems.append(f"deployment {t['namespace']}/{t['name']} {ready}/{t['to']} ready")
        if not problems or ctx.monotonic() >= deadline:
            return problems
        ctx.sleep(min(2.0, max(0.0, deadline - ctx.monotonic())))


def rollback(params: ScaleParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Scale back only the workloads this run scaled, and only while they still have the replicas it set: a
    workload someone (or another run) resized since is theirs now, and the rollback refuses, naming it."""
    kube = ctx.kube()
    mine = [t for t in planned.data["targets"] if f"scale deployment {t['namespace']}/{t['name']}" in ctx.applied]
    moved = []
    for t in mine:
        live = kube.get("deployments", t["name"], t["namespace"]) or {}
        replicas = int((live.get("spec") or {}).get("replicas", -1))
        if replicas != t["to"]:
            moved.append(f"deployment {t['namespace']}/{t['name']} has {replicas} replicas, not the {t['to']} this run set")
    if moved:
        raise RollbackRefused(messages.cluster_changed_since(moved))
    _scale(ctx, ActionPlan(planned.changes, {"targets": mine}), "from")


SCALE_DEPLOYMENTS = ActionKind("scale_deployments", ScaleParams, plan, apply, verify, rollback, __doc__ or "")
