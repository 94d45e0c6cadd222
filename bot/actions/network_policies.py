"""`apply_network_policies`: default-deny ingress per namespace, the plan's allow rules, and DNS egress.

Objects: `default-deny-ingress` (all pods, Ingress, no rules) in each listed namespace; one policy per
allow rule (pods matching `to` accept traffic from `from_namespaces`, `from_pods` and/or
`from_same_namespace`, on `ports`; a rule without a source is refused at load, as it would allow all); with
`dns_egress` (default on), `allow-dns-egress` per namespace: egress to kube-system on port 53. Note that
an Egress policy restricts the selected pods' egress to what policies allow: add allow rules for other
egress before enabling it on namespaces that call out. Created when missing (create), updated by
server-side apply when different; rollback deletes the policies this run created.

Needs RBAC: networkpolicies get/list/create/patch/delete.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Params
from bot.actions.objects import apply_object, desired, label, matches, plan_object

PLURAL = "networkpolicies"


class AllowRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,62}$")
    namespace: str
    to: dict[str, str] = {}
    from_namespaces: tuple[str, ...] = ()
    from_pods: dict[str, str] = {}
    from_same_namespace: bool = False
    ports: tuple[int, ...] = ()

    @model_validator(mode="after")
    def _has_a_source(self) -> AllowRule:
        if not (self.from_namespaces or self.from_pods or self.from_same_namespace):
            raise ValueError("an allow rule needs from_namespaces, from_pods or from_same_namespace (else it allows all)")
        return self


class NetworkPoliciesParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    allow: tuple[AllowRule, ...] = ()
    dns_egress: bool = True


def policies(params: NetworkPoliciesParams) -> list[dict[str, Any]]:
    found = [desired(PLURAL, ns, "default-deny-ingress", spec={"podSelector": {}, "policyTypes": ["Ingress"]})
             for ns in params.namespaces]
    for rule in params.allow:
        peers: list[dict[str, Any]] = [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}
                                       for ns in rule.from_namespaces]
        if rule.from_pods:
            peers.append({"podSelector": {"matchLabels": dict(rule.from_pods)}})
        if rule.from_same_namespace:
            peers.append({"podSelector": {}})
        ingress: dict[str, Any] = {"from": peers}
        if rule.ports:
            ingress["ports"] = [{"protocol": "TCP", "port": port} for port in rule.ports]
        found.append(desired(PLURAL, rule.namespace, rule.name, spec={
            "podSelector": {"matchLabels": dict(rule.to)} if rule.to else {}, "policyTypes": ["Ingress"],
            "ingress": [ingress]}))
    if params.dns_egress:
        dns = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]
        found += [desired(PLURAL, ns, "allow-dns-egress", spec={
            "podSelector": {}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
                        "ports": dns}]}) for ns in params.namespaces]
    return found


def plan(params: NetworkPoliciesParams, ctx: ActionContext) -> ActionPlan:
    kube = ctx.kube()
    changes: list[Change] = []
    ops = []
    for want in policies(params):
        op = plan_object(kube, PLURAL, want, changes)
        if op:
            ops.append({"namespace": want["metadata"]["namespace"], "name": want["metadata"]["name"], "op": op})
    return ActionPlan(tuple(changes), {"policies": ops})


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
    return [f"networkpolicy {ns}/{name} is missing or differs" for (ns, name), want in _wanted(params).items()
            if not matches(kube.get(PLURAL, name, ns) or {}, want)]


def rollback(params: NetworkPoliciesParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube = ctx.kube()
    for item in planned.data["policies"]:
        if item["op"] == "create" and kube.get(PLURAL, item["name"], item["namespace"]) is not None:
            kube.delete(PLURAL, item["name"], item["namespace"])
            ctx.report(f":leftwards_arrow_with_hook: deleted networkpolicy {item['namespace']}/{item['name']}")


APPLY_NETWORK_POLICIES = ActionKind("apply_network_policies", NetworkPoliciesParams, plan, apply, verify, rollback,
                                    __doc__ or "")
