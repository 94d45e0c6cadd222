"""Kubernetes NetworkPolicy semantics on plain dicts: does the policy set admit one pod talking to another?

Kept apart from the flow model so the rules can be read against the API reference line by line:
- a pod is isolated for a direction when some policy in its namespace selects it (`podSelector`, `{}` = all)
  and lists that direction in `policyTypes` (absent: Ingress, plus Egress when `egress` rules are given);
- an isolated pod admits only what some rule of those policies allows (policies are additive);
- a rule's peers: `from`/`to` missing or empty = everyone; a peer with `namespaceSelector` (`{}` = every
  namespace) and/or `podSelector` matches both; `podSelector` alone means the policy's own namespace;
  `ipBlock` peers are ignored (Carbon does not know pod IPs), so they never admit a pod;
- a rule's `ports` missing or empty = all ports; an entry without `port` = all ports of its protocol
  (default TCP); `endPort` makes a range; a named port is resolved on the destination pod's containers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.snapshot.objects import meta, ref, selects

NS_LABEL = "kubernetes.io/metadata.name"
INGRESS, EGRESS = "Ingress", "Egress"


@dataclass(frozen=True)
class PodView:
    """A pod, or a workload's pod template (so scaled-down workloads count): where it runs and its labels."""

    namespace: str
    labels: dict[str, str]
    namespace_labels: dict[str, str]
    name: str = ""
    ports: dict[str, tuple[int, str]] = field(default_factory=dict)  # named containerPorts -> (number, protocol)


def policy_types(policy: dict[str, Any]) -> list[str]:
    spec = policy.get("spec") or {}
    types = spec.get("policyTypes")
    if types:
        return list(types)
    return [INGRESS, EGRESS] if spec.get("egress") else [INGRESS]


def isolating(policies: list[dict[str, Any]], pod: PodView, direction: str) -> list[dict[str, Any]]:
    """The policies that select `pod` for `direction`; empty means the pod is not isolated that way."""
    return [p for p in policies if meta(p).get("namespace") == pod.namespace and direction in policy_types(p)
            and selects((p.get("spec") or {}).get("podSelector"), pod.labels)]


def peer_matches(peer: dict[str, Any], other: PodView, policy_namespace: str) -> bool:
    if "namespaceSelector" not in peer and "podSelector" not in peer:
        return False  # an ipBlock peer (or an empty one, which the API server refuses)
    if "namespaceSelector" in peer:
        ns_ok = selects(peer["namespaceSelector"], other.namespace_labels)
    else:
        ns_ok = other.namespace == policy_namespace
    return ns_ok and selects(peer.get("podSelector"), other.labels)


def resolve_port(port: int | str, target: PodView) -> int | str:
    """A named port as the target pod's number, or the name when the pod does not declare it."""
    if isinstance(port, int):
        return port
    found = target.ports.get(port)
    return found[0] if found else port


def port_matches(entries: list[dict[str, Any]] | None, port: int | str, protocol: str, target: PodView) -> bool:
    if not entries:
        return True
    wanted = resolve_port(port, target)
    for entry in entries:
        if (entry.get("protocol") or "TCP") != protocol:
            continue
        if "port" not in entry or entry["port"] is None:
            return True
        given = resolve_port(entry["port"], target)
        if given == wanted:
            return True
        if isinstance(given, int) and isinstance(wanted, int) and entry.get("endPort") is not None \
                and given <= wanted <= int(entry["endPort"]):
            return True
    return False


def rule_admits(rule: dict[str, Any], peers_key: str, other: PodView, port: int | str, protocol: str,
                target: PodView, policy_namespace: str) -> bool:
    peers = rule.get(peers_key)
    peer_ok = not peers or any(peer_matches(peer, other, policy_namespace) for peer in peers)
    return peer_ok and port_matches(rule.get("ports"), port, protocol, target)


@dataclass(frozen=True)
class Side:
    """One direction's answer: allowed, the policies that admit it, and those that isolate without admitting."""

    allowed: bool
    admitted_by: tuple[str, ...] = ()
    isolated_by: tuple[str, ...] = ()


def ingress(policies: list[dict[str, Any]], source: PodView, dest: PodView, port: int | str,
            protocol: str = "TCP") -> Side:
    """May `dest` receive from `source` on `port`? Only `dest`'s namespace's policies matter."""
    return _side(isolating(policies, dest, INGRESS), "ingress", "from", source, port, protocol, dest)


def egress(policies: list[dict[str, Any]], source: PodView, dest: PodView, port: int | str,
           protocol: str = "TCP") -> Side:
    """May `source` send to `dest` on `port`? Only `source`'s namespace's policies matter."""
    return _side(isolating(policies, source, EGRESS), "egress", "to", dest, port, protocol, dest)


def _side(selecting: list[dict[str, Any]], rules_key: str, peers_key: str, other: PodView, port: int | str,
          protocol: str, target: PodView) -> Side:
    if not selecting:
        return Side(True)
    admitting = tuple(ref(p) for p in selecting
                      if any(rule_admits(rule, peers_key, other, port, protocol, target, str(meta(p).get("namespace")))
                             for rule in (p.get("spec") or {}).get(rules_key) or []))
    return Side(bool(admitting), admitting, () if admitting else tuple(ref(p) for p in selecting))
