"""`apply_rbac`: a ServiceAccount per workload, a Role and RoleBinding from the plan, and the workload moved onto it.

For each listed workload: ServiceAccount `<service_account>` (default: the workload's name), a Role of
the same name with the plan's rules and a RoleBinding to it (none when `rules` is empty), then the
workload's pod template patched to `serviceAccountName: <service_account>`. Rollback restores each
workload's previous ServiceAccount name (the objects stay: they grant nothing once unused).

Needs RBAC: serviceaccounts, roles, rolebindings get/list/create/patch; deployments and statefulsets
get/list/patch; and, to create a Role, every permission the Role grants (Kubernetes forbids escalation).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params
from bot.actions.objects import apply_object, desired, label, plan_object
from bot.errors import Unavailable

Obj = dict[str, Any]
PLURALS = {"Deployment": "deployments", "StatefulSet": "statefulsets"}


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    api_groups: tuple[str, ...] = ("",)
    resources: tuple[str, ...] = Field(min_length=1)
    verbs: tuple[str, ...] = Field(min_length=1)


class WorkloadRbac(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str
    name: str
    kind: Literal["Deployment", "StatefulSet"] = "Deployment"
    service_account: str | None = None
    rules: tuple[Rule, ...] = ()

    @property
    def account(self) -> str:
        return self.service_account or self.name


class RbacParams(Params):
    workloads: tuple[WorkloadRbac, ...] = Field(min_length=1)


def objects(w: WorkloadRbac) -> list[tuple[str, Obj]]:
    found: list[tuple[str, Obj]] = [("serviceaccounts", desired("serviceaccounts", w.namespace, w.account))]
    if w.rules:
        rules = [{"apiGroups": list(r.api_groups), "resources": list(r.resources), "verbs": list(r.verbs)} for r in w.rules]
        found.append(("roles", desired("roles", w.namespace, w.account, rules=rules)))
        found.append(("rolebindings", desired(
            "rolebindings", w.namespace, w.account,
            roleRef={"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": w.account},
            subjects=[{"kind": "ServiceAccount", "name": w.account, "namespace": w.namespace}])))
    return found


def _account_of(live: Obj) -> str:
    return ((live.get("spec") or {}).get("template") or {}).get("spec", {}).get("serviceAccountName") or "default"


def plan(params: RbacParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    changes: list[Change] = []
    items = []
    for w in params.workloads:
        live = kube.get(PLURALS[w.kind], w.name, w.namespace)
        if live is None:
            raise Unavailable(f"{w.kind.lower()} {w.namespace}/{w.name} not found")
        ops = [{"plural": plural, "op": op} for plural, want in objects(w) if (op := plan_object(kube, plural, want, changes))]
        previous = _account_of(live)
        if previous != w.account:
            kube.patch(PLURALS[w.kind], w.name, w.namespace, _use(w.account), patch="strategic", dry_run=True)
            changes.append(Change("patch", f"{w.kind.lower()} {w.namespace}/{w.name}",
                                  f"serviceAccountName {previous} → {w.account}"))
        items.append({"namespace": w.namespace, "name": w.name, "kind": w.kind, "previous": previous, "ops": ops})
    return ActionPlan(tuple(changes), {"workloads": items})


def _use(account: str) -> Obj:
    return {"spec": {"template": {"spec": {"serviceAccountName": account}}}}


def apply(params: RbacParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    by_key = {c.key: c for c in planned.changes}
    for w, item in zip(params.workloads, planned.data["workloads"], strict=True):
        wanted = dict(objects(w))
        for entry in item["ops"]:
            apply_object(kube, entry["plural"], wanted[entry["plural"]], entry["op"])
            ctx.step(Change(entry["op"], label(entry["plural"], wanted[entry["plural"]])))
        change = by_key.get(f"patch {w.kind.lower()} {w.namespace}/{w.name}")
        if change:
            kube.patch(PLURALS[w.kind], w.name, w.namespace, _use(w.account), patch="strategic")
            ctx.step(change)


def verify(params: RbacParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube = ctx.kube()
    problems = []
    for w in params.workloads:
        live = kube.get(PLURALS[w.kind], w.name, w.namespace) or {}
        if _account_of(live) != w.account:
            problems.append(f"{w.kind.lower()} {w.namespace}/{w.name} runs as {_account_of(live)}, not {w.account}")
        if kube.get("serviceaccounts", w.account, w.namespace) is None:
            problems.append(f"serviceaccount {w.namespace}/{w.account} is missing")
    return problems


def rollback(params: RbacParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    for item in planned.data["workloads"]:
        kube.patch(PLURALS[item["kind"]], item["name"], item["namespace"], _use(item["previous"]), patch="strategic")
        ctx.report(f":leftwards_arrow_with_hook: {item['kind'].lower()} {item['namespace']}/{item['name']} "
                   f"back on serviceAccountName {item['previous']}")


APPLY_RBAC = ActionKind("apply_rbac", RbacParams, plan, apply, verify, rollback, __doc__ or "")
