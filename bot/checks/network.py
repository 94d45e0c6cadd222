"""Network policies: each listed namespace denies ingress by default, and each named allow rule exists.

Default-deny ingress = a NetworkPolicy selecting every pod (`podSelector: {}`) with policy type Ingress
and no ingress rules. An allow rule `{namespace, to, from_namespace, from_pods}` exists when a policy in
`namespace` selects the `to` pods and one of its ingress peers admits pods of `from_namespace` (by the
`kubernetes.io/metadata.name` label, or the policy's own namespace when the peer has no namespaceSelector)
matching `from_pods`.

Declared `flows` (bot.snapshot.flows) are evaluated on the live policies, pods and pod templates. A policy
that exists is no proof traffic still works: each blocked flow is evidence, adds a requirement not met (so
it lowers the fraction and the task cannot be done) and makes the check's state failing. Allowed flows add
nothing: before any policy exists every flow is allowed, and that is not progress.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot import messages
from bot.checks.base import CheckKind, CheckResult, Params, State
from bot.snapshot.flows import WORKLOAD_PLURALS, Flow, Topology, Verdict, evaluate_all
from bot.snapshot.objects import meta, ref, selects
from bot.snapshot.snapshot import Snapshot

NS_LABEL = "kubernetes.io/metadata.name"


class AllowRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, description="shown in evidence, e.g. ingress-nginx → portal")
    namespace: str
    to: dict[str, str] = Field(description="labels of the pods receiving traffic")
    from_namespace: str
    from_pods: dict[str, str] = Field(default_factory=dict, description="labels of the sending pods; {} = any")


class NetworkPoliciesParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    allow: tuple[AllowRule, ...] = ()
    flows: tuple[Flow, ...] = Field(default=(), description="the traffic the platform needs; see README `flows`")


def _spec(policy: dict[str, Any]) -> dict[str, Any]:
    return policy.get("spec") or {}


def _ingress_type(policy: dict[str, Any]) -> bool:
    types = _spec(policy).get("policyTypes")
    return "Ingress" in types if types else True  # no policyTypes: Ingress is implied


def is_default_deny(policy: dict[str, Any]) -> bool:
    spec = _spec(policy)
    return spec.get("podSelector") in ({}, None) and _ingress_type(policy) and not spec.get("ingress")


def admits(policy: dict[str, Any], rule: AllowRule) -> bool:
    spec = _spec(policy)
    if not (_ingress_type(policy) and selects(spec.get("podSelector"), rule.to)):
        return False
    for ingress in spec.get("ingress") or []:
        peers = ingress.get("from")
        if not peers:
            return True  # an ingress rule with no `from` admits everyone
        for peer in peers:
            if "ipBlock" in peer:
                continue
            if "namespaceSelector" in peer:
                ns_ok = selects(peer["namespaceSelector"], {NS_LABEL: rule.from_namespace})
            else:
                ns_ok = rule.from_namespace == meta(policy).get("namespace")
            if ns_ok and selects(peer.get("podSelector"), rule.from_pods):
                return True
    return False


def network_policies(params: NetworkPoliciesParams, snapshot: Snapshot) -> CheckResult:
    by_ns: dict[str, list[dict[str, Any]]] = {}
    for policy in snapshot.items("networkpolicies"):
        by_ns.setdefault(str(meta(policy).get("namespace")), []).append(policy)
    done, evidence = 0, []
    for ns in params.namespaces:
        deny = next((p for p in by_ns.get(ns, []) if is_default_deny(p)), None)
        if deny is None:
            evidence.append(f"{ns}: no default-deny ingress policy")
        else:
            done += 1
            evidence.append(f"{ns}: default-deny by {ref(deny)}")
    for rule in params.allow:
        policy = next((p for p in by_ns.get(rule.namespace, []) if admits(p, rule)), None)
        if policy is None:
            evidence.append(f"allow {rule.name}: missing in {rule.namespace}")
        else:
            done += 1
            evidence.append(f"allow {rule.name}: by {ref(policy)}")
    evidence.sort(key=lambda line: ("missing" not in line and "no default-deny" not in line))
    blocked = [v for v in _verdicts(params, snapshot, [p for ps in by_ns.values() for p in ps]) if not v.allowed]
    evidence[:0] = [messages.flow_blocked(v.flow.name, v.flow.describe(), v.blocks, v.blocked_by) for v in blocked]
    total = len(params.namespaces) + len(params.allow)
    summary = f"{done}/{total} required policies present"
    if not blocked:
        return CheckResult.measured(done, total, summary, evidence)
    summary += "; " + messages.blocked_flows_summary(len(blocked), len(params.flows))
    found = CheckResult.measured(done, total + len(blocked), summary, evidence)
    return CheckResult(State.FAILING, found.fraction, found.summary, found.evidence)


def _verdicts(params: NetworkPoliciesParams, snapshot: Snapshot, policies: list[dict[str, Any]]) -> list[Verdict]:
    if not params.flows:
        return []
    where = _endpoint_namespaces(params.flows)
    workloads = [w for plural in WORKLOAD_PLURALS for w in snapshot.items(plural, where)]
    topology = Topology.from_objects(snapshot.items("namespaces"), snapshot.items("pods", where), workloads)
    return evaluate_all(params.flows, topology, policies)


def _endpoint_namespaces(flows: tuple[Flow, ...]) -> set[str]:
    """The namespaces the flows name: only their pods can be an endpoint. Empty (every namespace) when an endpoint
    selects namespaces by labels, which any namespace may carry."""
    ends = [end for flow in flows for end in (flow.source, flow.to)]
    if any(end.namespace is None for end in ends):
        return set()
    return {str(end.namespace) for end in ends}


NETWORK_POLICIES = CheckKind("network_policies", NetworkPoliciesParams, network_policies,
                             "Default-deny ingress per namespace plus the named allow rules; declared flows not blocked.",
                             reads=("networkpolicies", "namespaces", "pods", *WORKLOAD_PLURALS))
