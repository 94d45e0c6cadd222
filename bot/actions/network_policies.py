"""`apply_network_policies`: default-deny ingress per namespace, the plan's allow rules, egress isolation only
when asked, and proof that the platform's flows still work.

Objects (bot.actions.network_params): one ingress policy per allow rule (pods matching `to` accept traffic
from `from_namespaces`, `from_pods` and/or `from_same_namespace`, on `ports`), then `default-deny-ingress`
(all pods, Ingress, no rules) in each listed namespace. With `egress: {isolate: true}` only: `allow-dns-egress`,
an `egress-<flow>` policy per declared flow leaving an isolated namespace, `egress.allow` rules, then
`default-deny-egress`. Created when missing (create), updated by server-side apply when different; rollback
deletes the policies this run created.

The dry run evaluates every declared flow (`flows`) and every flow Carbon infers (ConfigMap addresses, Ingress
backends, Prometheus annotations) against the live policies with the plan applied: a declared flow that would
be blocked refuses the plan, naming the policy; a blocked inferred flow is a warning; flows whose verdict
changes are the plan's impact. Verify checks the objects and re-evaluates the declared flows on the live
policies.

Needs RBAC: networkpolicies get/list/create/patch/delete; list namespaces, pods, deployments, statefulsets,
configmaps, services, ingresses.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact
from bot.actions.flow_review import live_problems, review
from bot.actions.network_params import PLURAL, NetworkPoliciesParams, policies
from bot.actions.objects import apply_object, label, matches, plan_object
from bot.errors import UserError


def plan(params: NetworkPoliciesParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    wanted = policies(params)
    flows = review(kube, params.flows, wanted, params.infer.ingress_namespace, params.infer.monitoring_namespace)
    if flows.blocked_declared:
        raise UserError(messages.declared_flows_blocked(flows.blocked_declared))
    changes: list[Change] = []
    ops = []
    for want in wanted:
        op = plan_object(kube, PLURAL, want, changes)
        if op:
            ops.append({"namespace": want["metadata"]["namespace"], "name": want["metadata"]["name"], "op": op})
    return ActionPlan(tuple(changes), {"policies": ops},
                      Impact(flows=tuple(flows.flows), warnings=tuple(flows.warnings)))


def _wanted(params: NetworkPoliciesParams) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["metadata"]["namespace"], p["metadata"]["name"]): p for p in policies(params)}


def apply(params: NetworkPoliciesParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube, wanted = ctx.kube(), _wanted(params)
    for item in planned.data["policies"]:
        want = wanted[(item["namespace"], item["name"])]
        apply_object(kube, PLURAL, want, item["op"])
        ctx.step(Change(item["op"], label(PLURAL, want)))


def verify(params: NetworkPoliciesParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube = ctx.kube()
    problems = [f"networkpolicy {ns}/{name} is missing or differs" for (ns, name), want in _wanted(params).items()
                if not matches(kube.get(PLURAL, name, ns) or {}, want)]
    return problems + live_problems(kube, params.flows)


def rollback(params: NetworkPoliciesParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    for item in planned.data["policies"]:
        if item["op"] == "create" and kube.get(PLURAL, item["name"], item["namespace"]) is not None:
            kube.delete(PLURAL, item["name"], item["namespace"])
            ctx.report(f":leftwards_arrow_with_hook: deleted networkpolicy {item['namespace']}/{item['name']}")


APPLY_NETWORK_POLICIES = ActionKind("apply_network_policies", NetworkPoliciesParams, plan, apply, verify, rollback,
                                    __doc__ or "")
