"""The parameters of `apply_network_policies`, and the NetworkPolicy objects they stand for.

Egress is isolated only when asked (`egress.isolate`), and then only together with what keeps working: DNS,
the egress of each declared flow from an isolated namespace, and `egress.allow`. A namespace that would be
left reaching DNS alone is refused at load; that was the old `dns_egress` default, which is refused too.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot import messages
from bot.actions.base import Params
from bot.actions.objects import desired
from bot.snapshot.flows import Flow

PLURAL = "networkpolicies"
NAME = r"^[a-z0-9][a-z0-9-]{0,62}$"
DNS_PORTS = [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]


def _by_name(ns: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}


class AllowRule(BaseModel):
    """Ingress: pods matching `to` in `namespace` accept traffic from the named sources on `ports`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=NAME)
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


class EgressRule(BaseModel):
    """Egress: pods matching `pods` in `namespace` may connect to the named destinations on `ports`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=NAME)
    namespace: str
    pods: dict[str, str] = {}
    to_namespaces: tuple[str, ...] = ()
    to_pods: dict[str, str] = {}
    ports: tuple[int, ...] = ()

    @model_validator(mode="after")
    def _has_a_destination(self) -> EgressRule:
        if not (self.to_namespaces or self.to_pods):
            raise ValueError("an egress rule needs to_namespaces or to_pods")
        return self


class Egress(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    isolate: bool = False
    namespaces: tuple[str, ...] = ()  # default: every namespace the action lists
    dns: bool = True  # with isolate: DNS to kube-system stays open
    allow: tuple[EgressRule, ...] = ()


class Infer(BaseModel):
    """Where Carbon looks for flows nobody declared (warnings only)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    ingress_namespace: str = "ingress-nginx"
    monitoring_namespace: str = "monitoring"


class NetworkPoliciesParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    allow: tuple[AllowRule, ...] = ()
    egress: Egress = Egress()
    flows: tuple[Flow, ...] = ()
    infer: Infer = Infer()

    @model_validator(mode="before")
    @classmethod
    def _no_dns_egress(cls, data: Any) -> Any:
        if isinstance(data, dict) and "dns_egress" in data:
            if data["dns_egress"]:
                raise ValueError(messages.dns_egress_removed())
            data = {k: v for k, v in data.items() if k != "dns_egress"}  # false: what now happens anyway
        return data

    @model_validator(mode="after")
    def _egress_has_allow_rules(self) -> NetworkPoliciesParams:
        if self.egress.isolate:
            kept = {r.namespace for r in self.egress.allow} | {f.source.namespace for f in self.flows}
            bare = [ns for ns in self.isolated() if ns not in kept]
            if bare:
                raise ValueError(messages.egress_needs_allow(bare))
        return self

    def isolated(self) -> tuple[str, ...]:
        return (self.egress.namespaces or self.namespaces) if self.egress.isolate else ()


def slug(name: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", name.lower())).strip("-")[:50] or "flow"


def _ports(ports: tuple[int | str, ...] | tuple[int, ...], protocol: str = "TCP") -> list[dict[str, Any]]:
    return [{"protocol": protocol, "port": port} for port in ports]


def _ingress(rule: AllowRule) -> dict[str, Any]:
    peers = [_by_name(ns) for ns in rule.from_namespaces]
    if rule.from_pods:
        peers.append({"podSelector": {"matchLabels": dict(rule.from_pods)}})
    if rule.from_same_namespace:
        peers.append({"podSelector": {}})
    ingress: dict[str, Any] = {"from": peers}
    if rule.ports:
        ingress["ports"] = _ports(rule.ports)
    return desired(PLURAL, rule.namespace, rule.name, spec={
        "podSelector": {"matchLabels": dict(rule.to)} if rule.to else {}, "policyTypes": ["Ingress"],
        "ingress": [ingress]})


def _egress(namespace: str, name: str, pods: dict[str, str], to: list[dict[str, Any]],
            ports: list[dict[str, Any]]) -> dict[str, Any]:
    rule: dict[str, Any] = {"to": to}
    if ports:
        rule["ports"] = ports
    return desired(PLURAL, namespace, name, spec={
        "podSelector": {"matchLabels": dict(pods)} if pods else {}, "policyTypes": ["Egress"], "egress": [rule]})


def egress_allows(params: NetworkPoliciesParams) -> list[dict[str, Any]]:
    isolated, found = params.isolated(), list[dict[str, Any]]()
    if params.egress.dns:
        found += [_egress(ns, "allow-dns-egress", {}, [_by_name("kube-system")], DNS_PORTS) for ns in isolated]
    for rule in params.egress.allow:
        to = [_by_name(ns) for ns in rule.to_namespaces] or [{}]
        to = [{**peer, "podSelector": {"matchLabels": dict(rule.to_pods)}} if rule.to_pods else peer for peer in to]
        found.append(_egress(rule.namespace, rule.name, rule.pods, to, _ports(rule.ports)))
    for flow in params.flows:
        if flow.source.namespace in isolated:
            peer = {"namespaceSelector": flow.to.namespace_selector(), "podSelector": {"matchLabels": dict(flow.to.pods)}}
            found.append(_egress(str(flow.source.namespace), f"egress-{slug(flow.name)}", flow.source.pods, [peer],
                                 _ports(flow.ports, flow.protocol)))
    return found


def policies(params: NetworkPoliciesParams) -> list[dict[str, Any]]:
    """Every object the parameters ask for, in the order they are applied: the allow rules first and the
    default-deny policies last, so traffic a rule admits is not cut while the run is half-way."""
    deny_in = [desired(PLURAL, ns, "default-deny-ingress", spec={"podSelector": {}, "policyTypes": ["Ingress"]})
               for ns in params.namespaces]
    deny_out = [desired(PLURAL, ns, "default-deny-egress", spec={"podSelector": {}, "policyTypes": ["Egress"]})
                for ns in params.isolated()]
    return [_ingress(rule) for rule in params.allow] + egress_allows(params) + deny_in + deny_out
