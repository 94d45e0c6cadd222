"""`apply_rbac`: a ServiceAccount per workload, a Role and RoleBinding from the plan, and the workload moved onto it.

For each listed workload: ServiceAccount `<service_account>` (default: the workload's name) carrying the
`imagePullSecrets` and `automountServiceAccountToken` of the one it replaces (else pods could no longer pull
from a private registry), a Role of the same name with the plan's rules and a RoleBinding to it (none when
`rules` is empty), then the workload's pod template patched to `serviceAccountName: <service_account>` and
its rollout health-gated. Vault Kubernetes-auth roles bound to the old ServiceAccount in that namespace are
bound to the new one too, so the workload can still log in. Rollback restores each workload's previous
ServiceAccount name (health-gated) and each Vault role's bindings (the objects stay: they grant nothing once
unused).

Needs RBAC: serviceaccounts, roles, rolebindings get/list/create/patch; deployments and statefulsets
get/list/patch; pods list; and, to create a Role, every permission the Role grants (Kubernetes forbids
escalation). Needs Vault policy (when Vault is configured): auth/kubernetes/role list/read/update.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact, Params
from bot.actions.objects import apply_object, desired, label, plan_object
from bot.actions.rollout import Workload, unhealthy, wait_healthy
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
    rollout_timeout_s: float = Field(300.0, ge=0, le=3600)
    vault_auth_path: str = "kubernetes"


def inherited(kube: Any, namespace: str, old: str) -> Obj:
    """What pods of the workload got from their old ServiceAccount and must keep getting."""
    live = kube.get("serviceaccounts", old, namespace) or {}
    found: Obj = {}
    if live.get("imagePullSecrets"):
        found["imagePullSecrets"] = live["imagePullSecrets"]
    if "automountServiceAccountToken" in live:
        found["automountServiceAccountToken"] = live["automountServiceAccountToken"]
    return found


def vault_roles(ctx: ActionContext, path: str, namespace: str, account: str) -> dict[str, Obj]:
    """Vault Kubernetes-auth roles that let `namespace/account` log in (none when Vault is not configured)."""
    if ctx.vault is None or path not in ctx.vault.auth_methods():
        return {}
    found = {}
    for name in ctx.vault.list(f"auth/{path}/role"):
        role = ctx.vault.read(f"auth/{path}/role/{name}") or {}
        names = list(role.get("bound_service_account_names") or [])
        spaces = list(role.get("bound_service_account_namespaces") or [])
        if account in names and (namespace in spaces or "*" in spaces):
            found[name] = {"bound_service_account_names": names, "bound_service_account_namespaces": spaces}
    return found


def objects(w: WorkloadRbac, inherited: Obj | None = None) -> list[tuple[str, Obj]]:
    """`inherited`: what the new ServiceAccount keeps of the old one (imagePullSecrets, automount)."""
    found: list[tuple[str, Obj]] = [("serviceaccounts", desired("serviceaccounts", w.namespace, w.account,
                                                                 **(inherited or {})))]
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
    rolls = []
    for w in params.workloads:
        live = kube.get(PLURALS[w.kind], w.name, w.namespace)
        if live is None:
            raise Unavailable(f"{w.kind.lower()} {w.namespace}/{w.name} not found")
        previous = _account_of(live)
        keep = inherited(kube, w.namespace, previous) if previous != w.account else {}
        ops = [{"plural": plural, "op": op} for plural, want in objects(w, keep)
               if (op := plan_object(kube, plural, want, changes))]
        roles = vault_roles(ctx, params.vault_auth_path, w.namespace, previous) if previous != w.account else {}
        for role in sorted(roles):
            changes.append(Change("bind", f"vault auth/{params.vault_auth_path}/role/{role}",
                                  f"serviceaccount {w.namespace}/{w.account} too"))
        if previous != w.account:
            kube.patch(PLURALS[w.kind], w.name, w.namespace, _use(w.account), patch="strategic", dry_run=True)
            changes.append(Change("patch", f"{w.kind.lower()} {w.namespace}/{w.name}",
                                  f"serviceAccountName {previous} → {w.account}"))
            rolls.append(f"{w.kind.lower()} {w.namespace}/{w.name}")
        items.append({"namespace": w.namespace, "name": w.name, "kind": w.kind, "previous": previous, "ops": ops,
                      "inherited": keep, "vault_roles": roles})
    return ActionPlan(tuple(changes), {"workloads": items}, Impact(rolls=tuple(rolls)))


def _use(account: str) -> Obj:
    return {"spec": {"template": {"spec": {"serviceAccountName": account}}}}


def apply(params: RbacParams, planned: ActionPlan, ctx: ActionContext) -> None:
    """Accounts, roles and Vault bindings first; then the workloads move, and every rollout must be healthy."""
    kube = ctx.kube()
    by_key = {c.key: c for c in planned.changes}
    moved = []
    broken = unhealthy(ctx, [Workload(PLURALS[w.kind], w.namespace, w.name) for w in params.workloads])
    for w, item in zip(params.workloads, planned.data["workloads"], strict=True):
        wanted = dict(objects(w, item.get("inherited")))
        for entry in item["ops"]:
            apply_object(kube, entry["plural"], wanted[entry["plural"]], entry["op"])
            ctx.step(Change(entry["op"], label(entry["plural"], wanted[entry["plural"]])))
        for role, bound in sorted((item.get("vault_roles") or {}).items()):
            path = f"auth/{params.vault_auth_path}/role/{role}"
            names = sorted({*bound["bound_service_account_names"], w.account})
            ctx.secrets().write(path, {**(ctx.secrets().read(path) or {}), "bound_service_account_names": names})
            ctx.step(by_key[f"bind vault {path}"])
        change = by_key.get(f"patch {w.kind.lower()} {w.namespace}/{w.name}")
        if change:
            kube.patch(PLURALS[w.kind], w.name, w.namespace, _use(w.account), patch="strategic")
            ctx.step(change)
            moved.append(Workload(PLURALS[w.kind], w.namespace, w.name))
    wait_healthy(ctx, moved, params.rollout_timeout_s, broken)


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
    """Only what the run applied: each moved workload back on its previous ServiceAccount (health-gated), each
    Vault role back to the accounts it named."""
    kube = ctx.kube()
    moved = []
    broken = unhealthy(ctx, [Workload(PLURALS[i["kind"]], i["namespace"], i["name"]) for i in planned.data["workloads"]])
    for item in planned.data["workloads"]:
        where = f"{item['kind'].lower()} {item['namespace']}/{item['name']}"
        if f"patch {where}" in ctx.applied:
            kube.patch(PLURALS[item["kind"]], item["name"], item["namespace"], _use(item["previous"]), patch="strategic")
            ctx.report(f":leftwards_arrow_with_hook: {where} back on serviceAccountName {item['previous']}")
            moved.append(Workload(PLURALS[item["kind"]], item["namespace"], item["name"]))
        for role, bound in sorted((item.get("vault_roles") or {}).items()):
            path = f"auth/{params.vault_auth_path}/role/{role}"
            if f"bind vault {path}" in ctx.applied:
                ctx.secrets().write(path, {**(ctx.secrets().read(path) or {}), **bound})
                ctx.report(f":leftwards_arrow_with_hook: vault {path} bound to its previous accounts again")
    wait_healthy(ctx, moved, params.rollout_timeout_s, broken)


APPLY_RBAC = ActionKind("apply_rbac", RbacParams, plan, apply, verify, rollback, __doc__ or "")
