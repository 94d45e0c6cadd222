"""Flows: the traffic the platform needs (`ingress-nginx → data-platform/portal:8080`), and whether policies allow it.

Both the `network_policies` check and the `apply_network_policies` action use this, so the model lives below
them. Evaluation is pure: namespaces, pods and pod templates, and NetworkPolicies in (existing and planned),
a `Verdict` out. A flow is allowed when, for every source pod and every destination pod and port, the source's
egress and the destination's ingress admit it (bot.snapshot.netpol). An endpoint with no pods yet (a
workload scaled to zero has its template; a namespace with nothing in it has neither) is evaluated with a
stand-in pod carrying the endpoint's labels, so a policy can be judged before the workload exists.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.snapshot import netpol
from bot.snapshot.netpol import NS_LABEL, PodView
from bot.snapshot.objects import containers, meta, selects

Port = Annotated[int, Field(ge=1, le=65535)] | Annotated[str, Field(pattern=r"^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$")]
WORKLOAD_PLURALS = ("deployments", "statefulsets")  # what the deployment RBAC lets Carbon list


class Endpoint(BaseModel):
    """Pods by namespace (its name, or its labels) and pod labels (`{}` = every pod there)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str | None = None
    namespace_labels: dict[str, str] | None = None
    pods: dict[str, str] = {}

    @model_validator(mode="after")
    def _one_namespace(self) -> Endpoint:
        if (self.namespace is None) == (self.namespace_labels is None):
            raise ValueError("give either namespace (a name) or namespace_labels")
        return self

    def namespace_selector(self) -> dict[str, Any]:
        labels = {NS_LABEL: self.namespace} if self.namespace is not None else dict(self.namespace_labels or {})
        return {"matchLabels": labels}

    def describe(self) -> str:
        where = self.namespace or ",".join(f"{k}={v}" for k, v in sorted((self.namespace_labels or {}).items()))
        if not self.pods:
            return where
        pods = next(iter(self.pods.values())) if len(self.pods) == 1 else ",".join(
            f"{k}={v}" for k, v in sorted(self.pods.items()))
        return f"{where}/{pods}"


class Flow(BaseModel):
    """One named flow: `from` pods may open connections to `to` pods on `ports` (numbers or named ports)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
    name: str = Field(min_length=1)
    source: Endpoint = Field(alias="from")
    to: Endpoint
    ports: tuple[Port, ...] = Field(min_length=1)
    protocol: Literal["TCP", "UDP", "SCTP"] = "TCP"

    def describe(self) -> str:
        return f"{self.source.describe()} → {self.to.describe()}:{','.join(str(p) for p in self.ports)}"


@dataclass(frozen=True)
class Topology:
    """What flows are evaluated against: namespace labels and the pods (and pod templates) in them."""

    namespaces: dict[str, dict[str, str]]
    pods: tuple[PodView, ...]

    @classmethod
    def from_objects(cls, namespaces: Iterable[dict[str, Any]], pods: Iterable[dict[str, Any]],
                     workloads: Iterable[dict[str, Any]] = ()) -> Topology:
        labels = {str(meta(n).get("name")): {**(meta(n).get("labels") or {}), NS_LABEL: str(meta(n).get("name"))}
                  for n in namespaces}
        views = [_view(p, p, labels) for p in pods]
        views += [_view(w, (w.get("spec") or {}).get("template") or {}, labels) for w in workloads]
        return cls(labels, tuple(views))

    def namespace_labels(self, name: str) -> dict[str, str]:
        return self.namespaces.get(name) or {NS_LABEL: name}

    @cached_property
    def _by_namespace(self) -> list[tuple[dict[str, str], list[tuple[int, PodView]]]]:
        """The pods grouped by namespace labels (each group's pods with their place in `pods`), so an endpoint's
        namespace selector is tried once per namespace rather than once per pod."""
        groups: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[dict[str, str], list[tuple[int, PodView]]]] = {}
        for index, pod in enumerate(self.pods):
            key = (pod.namespace, tuple(sorted(pod.namespace_labels.items())))
            groups.setdefault(key, (pod.namespace_labels, []))[1].append((index, pod))
        return list(groups.values())

    def members(self, endpoint: Endpoint) -> list[PodView]:
        """The pods the endpoint names, or one stand-in per matching namespace when none run there yet."""
        selector = endpoint.namespace_selector()
        pod_selector = {"matchLabels": endpoint.pods}
        found = [pod for _, pod in sorted(
            (index, pod) for ns_labels, pods in self._by_namespace if selects(selector, ns_labels)
            for index, pod in pods if selects(pod_selector, pod.labels))]
        if found:
            return found
        names = [endpoint.namespace] if endpoint.namespace is not None else sorted(
            n for n, labels in self.namespaces.items() if selects(selector, labels))
        return [PodView(n, dict(endpoint.pods), self.namespace_labels(n), name="(no pods yet)") for n in names if n]


def _view(obj: dict[str, Any], template: dict[str, Any], ns_labels: dict[str, dict[str, str]]) -> PodView:
    ns = str(meta(obj).get("namespace"))
    ports = {str(p["name"]): (int(p["containerPort"]), str(p.get("protocol") or "TCP"))
             for c in containers(template) for p in c.get("ports") or [] if p.get("name") and p.get("containerPort")}
    return PodView(ns, dict(meta(template).get("labels") or {}), ns_labels.get(ns) or {NS_LABEL: ns},
                   name=f"{ns}/{meta(obj).get('name', '?')}", ports=ports)


@dataclass(frozen=True)
class Verdict:
    """The answer for one flow: allowed or not, the policies that admit it, and why it is blocked."""

    flow: Flow
    allowed: bool
    admitted_by: tuple[str, ...] = ()  # policies (ns/name) that admit it on either side
    blocked_by: tuple[str, ...] = ()  # policies that isolate a side without admitting it
    blocks: tuple[str, ...] = ()  # e.g. "ingress to data-platform/minio on 9000"
    unresolved: bool = False  # no namespace matched an endpoint: nothing to evaluate

    def key(self) -> tuple[bool, tuple[str, ...], tuple[str, ...]]:
        return self.allowed, self.admitted_by, self.blocked_by


def evaluate(flow: Flow, topology: Topology, policies: list[dict[str, Any]]) -> Verdict:
    sources, dests = topology.members(flow.source), topology.members(flow.to)
    if not sources or not dests:
        return Verdict(flow, True, unresolved=True)
    admitted: set[str] = set()
    blocked: set[str] = set()
    blocks: list[str] = []
    for port in flow.ports:
        for source in sources:
            for dest in dests:
                out = netpol.egress(policies, source, dest, port, flow.protocol)
                into = netpol.ingress(policies, source, dest, port, flow.protocol)
                admitted.update(out.admitted_by + into.admitted_by)
                blocked.update(out.isolated_by + into.isolated_by)
                if not out.allowed:
                    blocks.append(f"egress from {source.name or source.namespace} on {port}")
                if not into.allowed:
                    blocks.append(f"ingress to {dest.name or dest.namespace} on {port}")
    unique = tuple(dict.fromkeys(blocks))
    return Verdict(flow, not unique, tuple(sorted(admitted)), tuple(sorted(blocked)) if unique else (), unique)


def evaluate_all(flows: Iterable[Flow], topology: Topology, policies: list[dict[str, Any]]) -> list[Verdict]:
    return [evaluate(flow, topology, policies) for flow in flows]


def merged(existing: Iterable[dict[str, Any]], planned: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The policies as they will be once `planned` is applied: a planned policy replaces the live one of its name."""
    found = {(meta(p).get("namespace"), meta(p).get("name")): p for p in existing}
    found.update({(meta(p).get("namespace"), meta(p).get("name")): p for p in planned})
    return list(found.values())
