"""What a network-policy change does to traffic: every declared and inferred flow, before and after.

The objects exist is not proof the platform still works: the dry run evaluates each flow against the live
policies and against the live ones with the plan applied (bot.snapshot.flows), so a declared flow the change
would cut refuses the plan, and an inferred one is a warning for approvers.

Reads (RBAC list): namespaces, pods, deployments, statefulsets, networkpolicies; for inferred flows also
configmaps, services and ingresses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from bot import messages
from bot.cluster.gateway import ClusterGateway
from bot.snapshot import inferred_flows
from bot.snapshot.flows import WORKLOAD_PLURALS, Flow, Topology, Verdict, evaluate_all, merged
from bot.snapshot.inferred_flows import Inferred


def topology(kube: ClusterGateway) -> tuple[Topology, list[dict[str, Any]]]:
    workloads = [w for plural in WORKLOAD_PLURALS for w in kube.list_all(plural)]
    return Topology.from_objects(kube.list_all("namespaces"), kube.list_all("pods"), workloads), workloads


def line(verdict: Verdict) -> str:
    flow = verdict.flow
    if verdict.unresolved:
        return messages.flow_unresolved(flow.name, flow.describe())
    if verdict.allowed:
        return messages.flow_allowed(flow.name, flow.describe(), verdict.admitted_by)
    return messages.flow_blocked(flow.name, flow.describe(), verdict.blocks, verdict.blocked_by)


def blocked_lines(verdicts: Iterable[Verdict]) -> list[str]:
    return [line(v) for v in verdicts if not v.allowed]


def infer(kube: ClusterGateway, workloads: list[dict[str, Any]], declared: Iterable[Flow], ingress_namespace: str,
          monitoring_namespace: str) -> list[Inferred]:
    services = kube.list_all("services")
    found = inferred_flows.from_configmaps(kube.list_all("configmaps"), services, workloads)
    found += inferred_flows.from_ingresses(kube.list_all("ingresses"), services, ingress_namespace)
    found += inferred_flows.from_scrape_annotations([*kube.list_all("pods"), *workloads], monitoring_namespace)
    return inferred_flows.distinct(found, declared)


@dataclass(frozen=True)
class FlowReview:
    blocked_declared: list[str] = field(default_factory=list)  # refusal lines
    flows: list[str] = field(default_factory=list)  # impact.flows: the evaluated flows the change affects
    warnings: list[str] = field(default_factory=list)  # impact.warnings: blocked inferred flows


def review(kube: ClusterGateway, declared: tuple[Flow, ...], planned: list[dict[str, Any]], ingress_namespace: str,
           monitoring_namespace: str) -> FlowReview:
    world, workloads = topology(kube)
    existing = kube.list_all("networkpolicies")
    after = merged(existing, planned)
    inferred = infer(kube, workloads, declared, ingress_namespace, monitoring_namespace)
    flows = [*declared, *(i.flow for i in inferred)]
    before_v, after_v = evaluate_all(flows, world, existing), evaluate_all(flows, world, after)
    affected = [line(a) for b, a in zip(before_v, after_v, strict=True) if b.key() != a.key()]
    warnings = [messages.inferred_flow_blocked(line(v), i.seen_in)
                for i, v in zip(inferred, after_v[len(declared):], strict=True) if not v.allowed]
    warnings += [line(v) for v in after_v[:len(declared)] if v.unresolved]
    return FlowReview(blocked_lines(after_v[:len(declared)]), affected, warnings)


def live_problems(kube: ClusterGateway, declared: tuple[Flow, ...]) -> list[str]:
    """The declared flows the live policies block (verify's second half)."""
    if not declared:
        return []
    world, _ = topology(kube)
    return messages.declared_flows_blocked_live(blocked_lines(evaluate_all(declared, world,
                                                                           kube.list_all("networkpolicies"))))
