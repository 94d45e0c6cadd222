"""`apply_disruption_budgets`: a PodDisruptionBudget per listed workload, so node drains keep enough pods running.

Each budget selects the workload's pods with the workload's own `spec.selector` and carries the target's one rule
(`minAvailable` or `maxUnavailable`). The dry run refuses, naming the workload and the way out, a budget that would
allow no eviction at the replicas the workload will run with (minAvailable ≥ replicas, maxUnavailable 0, …):
such a budget makes every drain hang. It also refuses a second budget on pods another one already covers
(evictions of a pod under two budgets fail). A target's `replicas` raises the workload first, through its scale
subresource and the rollout health gate (bot/actions/rollout.py); only then are the budgets written. A budget that
exists and is equal is left alone; one that differs has its spec replaced.

Verify reads what the disruption controller reports: each budget observed at its current generation and allowing
at least one disruption with its pods healthy (bounded by `wait_s`). Rollback deletes the budgets this run
created, puts back the spec of the ones it replaced, and scales back what it raised; it refuses, changing nothing,
when any of those was changed since.

Needs RBAC: poddisruptionbudgets get/list/create/patch/delete; deployments and statefulsets get; deployments/scale
and statefulsets/scale patch (a replica raise); pods list (the health gate).
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact
from bot.actions.budget_params import BudgetsParams, BudgetTarget, evictions_allowed
from bot.actions.objects import desired
from bot.actions.rollout import Workload, unhealthy, wait_healthy
from bot.cluster.gateway import ClusterGateway
from bot.errors import RollbackRefused, Unavailable, UserError
from bot.snapshot.objects import selects

Obj = dict[str, Any]
PLURAL = "poddisruptionbudgets"


def _budget_label(namespace: str, name: str) -> str:
    return f"poddisruptionbudget {namespace}/{name}"


def _selector_text(selector: Obj) -> str:
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    terms += [f"{e.get('key')} {e.get('operator')} {e.get('values') or ''}".rstrip() for e in
              selector.get("matchExpressions") or []]
    return ",".join(terms) or "every pod"


def _plan_target(kube: ClusterGateway, target: BudgetTarget, changes: list[Change], rolls: list[str],
                 refusals: list[str]) -> Obj:
    live = kube.get(target.plural, target.name, target.namespace)
    if live is None:
        raise Unavailable(messages.budget_workload_missing(target.workload))
    spec = live.get("spec") or {}
    selector = spec.get("selector") or {}
    current = int(spec.get("replicas", 1))
    replicas = max(current, target.replicas or 0)
    rule = target.rule()
    if evictions_allowed(rule, max(replicas, 1)) < 1:
        refusals.append(messages.budget_blocks_evictions(target.workload, messages.budget_rule(rule), max(replicas, 1)))
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    for other in kube.list_in(PLURAL, target.namespace):
        name = other["metadata"]["name"]
        if name != target.budget_name and selects((other.get("spec") or {}).get("selector"), labels):
            refusals.append(messages.budget_already_covers(target.workload, f"{target.namespace}/{name}"))
    if replicas != current:
        kube.patch(target.plural, target.name, target.namespace, {"spec": {"replicas": replicas}},
                   subresource="scale", dry_run=True)
        changes.append(Change("scale", target.workload, f"{current} → {replicas} replicas (health-gated)"))
        rolls.append(f"{target.workload} ({current} → {replicas} replicas)")
    want = {"selector": selector, **rule}
    found = kube.get(PLURAL, target.budget_name, target.namespace)
    where = _budget_label(target.namespace, target.budget_name)
    what = f"{messages.budget_rule(want)}, selector {_selector_text(selector)}"
    op, previous = None, None
    if found is None:
        kube.create(PLURAL, _budget(target, want), dry_run=True)
        op = "create"
    elif (found.get("spec") or {}) != want:
        previous = found.get("spec") or {}
        kube.patch(PLURAL, target.budget_name, target.namespace, _replace(want), patch="json", dry_run=True)
        op, what = "update", f"{what} (was {messages.budget_rule(previous)})"
    if op:
        changes.append(Change(op, where, what))
    return {"namespace": target.namespace, "name": target.name, "plural": target.plural, "workload": target.workload,
            "budget": target.budget_name, "spec": want, "op": op, "previous": previous, "from": current, "to": replicas}


def _budget(target: BudgetTarget, spec: Obj) -> Obj:
    return desired(PLURAL, target.namespace, target.budget_name, spec=spec)


def _replace(spec: Obj) -> list[Obj]:
    """A JSON patch replacing the whole spec: minAvailable and maxUnavailable exclude each other, so a merge would
    leave the old rule beside the new one."""
    return [{"op": "replace", "path": "/spec", "value": spec}]


def plan(params: BudgetsParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    changes: list[Change] = []
    rolls: list[str] = []
    refusals: list[str] = []
    items = [_plan_target(kube, target, changes, rolls, refusals) for target in params.targets]
    if refusals:
        raise UserError(" ".join(refusals))
    ordered = sorted(changes, key=lambda c: c.op != "scale")  # in the order apply makes them: raises, then budgets
    return ActionPlan(tuple(ordered), {"targets": items}, Impact(rolls=tuple(rolls)))


def apply(params: BudgetsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Replica raises first, health-gated; the budgets only once every raised workload is healthy."""
    kube = ctx.kube()
    by_key = {c.key: c for c in planned.changes}
    items = planned.data["targets"]
    raised = [i for i in items if i["to"] != i["from"]]
    workloads = [Workload(i["plural"], i["namespace"], i["name"]) for i in raised]
    broken = unhealthy(ctx, workloads)
    for item in raised:
        kube.patch(item["plural"], item["name"], item["namespace"], {"spec": {"replicas": item["to"]}},
                   subresource="scale")
        ctx.step(by_key[f"scale {item['workload']}"])
    wait_healthy(ctx, workloads, params.rollout_timeout_s, broken)
    for item in (i for i in items if i["op"]):
        target = next(t for t in params.targets if (t.namespace, t.budget_name) == (item["namespace"], item["budget"]))
        if item["op"] == "create" and kube.get(PLURAL, item["budget"], item["namespace"]) is None:
            kube.create(PLURAL, _budget(target, item["spec"]))
        else:
            kube.patch(PLURAL, item["budget"], item["namespace"], _replace(item["spec"]), patch="json")
        ctx.step(by_key[f"{item['op']} {_budget_label(item['namespace'], item['budget'])}"])


def _problems(kube: ClusterGateway, items: list[Obj]) -> list[str]:
    problems = []
    for item in items:
        live = kube.get(PLURAL, item["budget"], item["namespace"])
        where = f"{item['namespace']}/{item['budget']}"
        if live is None or (live.get("spec") or {}) != item["spec"]:
            problems.append(f"{_budget_label(item['namespace'], item['budget'])} is missing or differs")
            continue
        status = live.get("status") or {}
        if int(status.get("observedGeneration") or 0) < int(live["metadata"].get("generation") or 1):
            problems.append(messages.budget_not_observed(where))
        elif int(status.get("disruptionsAllowed") or 0) < 1:
            problems.append(messages.budget_not_protecting(where, status))
    return problems


def verify(params: BudgetsParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """Bounded wait (by `ctx.monotonic`/`ctx.sleep`) for the disruption controller to report each budget allowing a
    disruption; then names each one that does not."""
    kube = ctx.kube()
    deadline = ctx.monotonic() + params.wait_s
    while True:
        problems = _problems(kube, planned.data["targets"])
        if not problems or ctx.monotonic() >= deadline:
            return problems
        ctx.sleep(min(2.0, max(0.0, deadline - ctx.monotonic())))


def rollback(params: BudgetsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Only what the run applied, and only while the cluster still holds what it left: a budget or a replica count
    someone changed since is theirs now, and the rollback refuses, naming it."""
    kube = ctx.kube()
    items = planned.data["targets"]
    budgets = [i for i in items if i["op"] and f"{i['op']} {_budget_label(i['namespace'], i['budget'])}" in ctx.applied]
    scaled = [i for i in items if i["to"] != i["from"] and f"scale {i['workload']}" in ctx.applied]
    moved = []
    for item in budgets:
        live = kube.get(PLURAL, item["budget"], item["namespace"])
        if (live is None and item["op"] == "update") or (live is not None and (live.get("spec") or {}) != item["spec"]):
            moved.append(f"{_budget_label(item['namespace'], item['budget'])} is no longer the one this run wrote")
    for item in scaled:
        replicas = int(((kube.get(item["plural"], item["name"], item["namespace"]) or {}).get("spec") or {})
                       .get("replicas", -1))
        if replicas != item["to"]:
            moved.append(f"{item['workload']} has {replicas} replicas, not the {item['to']} this run set")
    if moved:
        raise RollbackRefused(messages.cluster_changed_since(moved))
    for item in budgets:
        where = _budget_label(item["namespace"], item["budget"])
        if item["op"] == "create":
            if kube.get(PLURAL, item["budget"], item["namespace"]) is not None:
                kube.delete(PLURAL, item["budget"], item["namespace"])
            ctx.report(f":leftwards_arrow_with_hook: deleted {where}")
        else:
            kube.patch(PLURAL, item["budget"], item["namespace"], _replace(item["previous"]), patch="json")
            ctx.report(f":leftwards_arrow_with_hook: {where} back to {messages.budget_rule(item['previous'])}")
    for item in scaled:
        kube.patch(item["plural"], item["name"], item["namespace"], {"spec": {"replicas": item["from"]}},
                   subresource="scale")
        ctx.report(f":leftwards_arrow_with_hook: scaled {item['workload']} back to {item['from']}")


APPLY_DISRUPTION_BUDGETS = ActionKind("apply_disruption_budgets", BudgetsParams, plan, apply, verify, rollback,
                                      __doc__ or "")
