"""The flow evaluator on plain data: Kubernetes NetworkPolicy semantics, one rule per test, then properties."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.snapshot.flows import Endpoint, Flow, Topology, evaluate, merged


def ns(name: str, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels}}


def pod(namespace: str, name: str, ports: list[dict[str, Any]] | None = None, **labels: str) -> dict[str, Any]:
    return {"metadata": {"name": name, "namespace": namespace, "labels": labels},
            "spec": {"containers": [{"name": "c", "ports": ports or []}]}}


def policy(namespace: str, name: str, select: dict[str, str] | None = None, types: list[str] | None = None,
           ingress: list[dict[str, Any]] | None = None, egress: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    spec: dict[str, Any] = {"podSelector": {"matchLabels": select} if select else {}}
    if types is not None:
        spec["policyTypes"] = types
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


def ns_sel(name: str) -> dict[str, Any]:
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}}


def pods_sel(**labels: str) -> dict[str, Any]:
    return {"podSelector": {"matchLabels": labels}}


TOPOLOGY = Topology.from_objects(
    [ns("data-platform", team="data"), ns("ingress-nginx"), ns("monitoring", team="ops")],
    [pod("data-platform", "portal-1", [{"name": "http", "containerPort": 8080}], app="portal"),
     pod("data-platform", "minio-1", [{"name": "api", "containerPort": 9000}], app="minio"),
     pod("data-platform", "trino-1", app="trino"),
     pod("ingress-nginx", "controller-1", app="ingress-nginx"),
     pod("monitoring", "prometheus-0", app="prometheus")])
DENY = policy("data-platform", "default-deny-ingress", types=["Ingress"])


def flow(src_ns: str = "ingress-nginx", src: dict[str, str] | None = None, dst_ns: str = "data-platform",
         dst: dict[str, str] | None = None, ports: tuple[int | str, ...] = (8080,), protocol: str = "TCP") -> Flow:
    return Flow.model_validate({"name": "f", "from": {"namespace": src_ns, "pods": src or {}},
                                "to": {"namespace": dst_ns, "pods": dst if dst is not None else {"app": "portal"}},
                                "ports": list(ports), "protocol": protocol})


def allowed(f: Flow, *policies: dict[str, Any]) -> bool:
    return evaluate(f, TOPOLOGY, list(policies)).allowed


def test_no_policy_allows_everything() -> None:
    assert allowed(flow())


def test_default_deny_ingress_blocks_and_names_itself() -> None:
    verdict = evaluate(flow(), TOPOLOGY, [DENY])
    assert not verdict.allowed
    assert verdict.blocked_by == ("data-platform/default-deny-ingress",)
    assert verdict.blocks == ("ingress to data-platform/portal-1 on 8080",)


def test_policy_selecting_other_pods_does_not_isolate() -> None:
    assert allowed(flow(), policy("data-platform", "minio-only", {"app": "minio"}, ["Ingress"]))


def test_namespace_selector_admits_and_names_the_admitting_policy() -> None:
    allow = policy("data-platform", "from-ingress", {"app": "portal"}, ["Ingress"], [{"from": [ns_sel("ingress-nginx")]}])
    verdict = evaluate(flow(), TOPOLOGY, [DENY, allow])
    assert verdict.allowed and verdict.admitted_by == ("data-platform/from-ingress",)
    assert not allowed(flow(src_ns="monitoring"), DENY, allow)


def test_pod_selector_alone_means_the_policys_namespace() -> None:
    allow = policy("data-platform", "from-app", None, ["Ingress"], [{"from": [pods_sel(app="prometheus")]}])
    assert not allowed(flow(src_ns="monitoring", src={"app": "prometheus"}), allow)
    same = policy("data-platform", "from-trino", None, ["Ingress"], [{"from": [pods_sel(app="trino")]}])
    assert allowed(flow(src_ns="data-platform", src={"app": "trino"}), same)


def test_namespace_and_pod_selector_in_one_peer_must_both_match() -> None:
    peer = {**ns_sel("monitoring"), **pods_sel(app="prometheus")}
    allow = policy("data-platform", "scrape", None, ["Ingress"], [{"from": [peer]}])
    assert allowed(flow(src_ns="monitoring", src={"app": "prometheus"}), allow)
    assert not allowed(flow(src_ns="monitoring", src={"app": "grafana"}), allow)
    assert not allowed(flow(src_ns="ingress-nginx"), allow)


def test_empty_namespace_selector_selects_every_namespace() -> None:
    allow = policy("data-platform", "any-ns", None, ["Ingress"], [{"from": [{"namespaceSelector": {}}]}])
    assert allowed(flow(src_ns="monitoring"), allow) and allowed(flow(), allow)


def test_namespace_selected_by_its_own_labels() -> None:
    ops = {"namespaceSelector": {"matchLabels": {"team": "ops"}}}
    allow = policy("data-platform", "ops", None, ["Ingress"], [{"from": [ops]}])
    assert allowed(flow(src_ns="monitoring"), allow)
    assert not allowed(flow(), allow)


def test_missing_or_empty_from_allows_all_sources() -> None:
    assert allowed(flow(), policy("data-platform", "open", None, ["Ingress"], [{}]))
    assert allowed(flow(), policy("data-platform", "open", None, ["Ingress"], [{"from": []}]))


def test_ipblock_peers_are_ignored() -> None:
    allow = policy("data-platform", "cidr", None, ["Ingress"], [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}])
    assert not allowed(flow(), allow)


def test_ports_empty_means_all_and_otherwise_must_match() -> None:
    assert allowed(flow(), policy("data-platform", "p", None, ["Ingress"], [{"from": [ns_sel("ingress-nginx")], "ports": []}]))
    wrong = policy("data-platform", "p", None, ["Ingress"], [{"from": [ns_sel("ingress-nginx")], "ports": [{"port": 80}]}])
    assert not allowed(flow(), wrong)
    right = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": 8080, "protocol": "TCP"}]}])
    assert allowed(flow(), right)


def test_protocol_defaults_to_tcp_and_must_match() -> None:
    tcp = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": 8080}]}])
    assert allowed(flow(), tcp)
    assert not allowed(flow(protocol="UDP"), tcp)
    any_udp = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"protocol": "UDP"}]}])
    assert allowed(flow(protocol="UDP"), any_udp) and not allowed(flow(), any_udp)


def test_port_ranges() -> None:
    ranged = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": 8000, "endPort": 8100}]}])
    assert allowed(flow(), ranged) and not allowed(flow(ports=(9000,)), ranged)


def test_named_ports_resolve_on_the_destination_pod() -> None:
    by_name = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": "http"}]}])
    assert allowed(flow(), by_name)  # the flow says 8080, the pod names it http
    assert allowed(flow(ports=("http",)), by_name)
    by_number = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": 9000}]}])
    assert allowed(flow(dst={"app": "minio"}, ports=("api",)), by_number)
    assert not allowed(flow(ports=("api",)), by_number)  # portal has no port named api


def test_policies_are_additive() -> None:
    a = policy("data-platform", "a", None, ["Ingress"], [{"from": [ns_sel("monitoring")]}])
    b = policy("data-platform", "b", {"app": "portal"}, ["Ingress"], [{"from": [ns_sel("ingress-nginx")]}])
    assert allowed(flow(), a, b) and allowed(flow(src_ns="monitoring"), a, b)


def test_egress_isolation_blocks_unless_a_rule_admits() -> None:
    dns_only = policy("ingress-nginx", "dns", None, ["Egress"], [], [{"to": [ns_sel("kube-system")],
                                                                       "ports": [{"port": 53, "protocol": "UDP"}]}])
    verdict = evaluate(flow(), TOPOLOGY, [dns_only])
    assert not verdict.allowed
    assert verdict.blocks == ("egress from ingress-nginx/controller-1 on 8080",)
    to_portal = policy("ingress-nginx", "to-portal", None, ["Egress"], egress=[{"to": [ns_sel("data-platform")],
                                                                                 "ports": [{"port": "http"}]}])
    assert allowed(flow(), dns_only, to_portal)  # the named port resolves on the destination


def test_policy_types_default_ingress_and_egress_when_egress_rules_given() -> None:
    implicit = policy("ingress-nginx", "implicit", None, None, None, [{"to": [ns_sel("kube-system")]}])
    assert not allowed(flow(), implicit)
    ingress_only = policy("data-platform", "implicit", None, None, [])
    assert not allowed(flow(), ingress_only)


def test_both_sides_must_admit() -> None:
    out = policy("ingress-nginx", "out", None, ["Egress"], egress=[{"to": [ns_sel("data-platform")]}])
    assert not allowed(flow(), out, DENY)
    into = policy("data-platform", "in", None, ["Ingress"], [{"from": [ns_sel("ingress-nginx")]}])
    assert allowed(flow(), out, DENY, into)


def test_an_endpoint_without_pods_uses_a_stand_in_and_an_unknown_namespace_labels() -> None:
    assert not allowed(flow(dst={"app": "superset"}), DENY)
    assert evaluate(flow(dst={"app": "superset"}), TOPOLOGY, [DENY]).blocks == (
        "ingress to (no pods yet) on 8080",)
    nowhere = Flow.model_validate({"name": "x", "from": {"namespace_labels": {"team": "none"}},
                                   "to": {"namespace": "data-platform"}, "ports": [1]})
    assert evaluate(nowhere, TOPOLOGY, [DENY]).unresolved


def test_pod_templates_count_and_merged_replaces_by_name() -> None:
    deployment = {"metadata": {"name": "superset", "namespace": "data-platform"},
                  "spec": {"template": {"metadata": {"labels": {"app": "superset"}},
                                        "spec": {"containers": [{"ports": [{"name": "web", "containerPort": 8088}]}]}}}}
    topology = Topology.from_objects([ns("data-platform"), ns("ingress-nginx")], [], [deployment])
    by_name = policy("data-platform", "p", None, ["Ingress"], [{"ports": [{"port": "web"}]}])
    assert evaluate(flow(dst={"app": "superset"}, ports=(8088,)), topology, [by_name]).allowed
    open_up = policy("data-platform", "p", None, ["Ingress"], [{}])
    assert merged([by_name], [open_up]) == [open_up]


def test_endpoint_needs_exactly_one_namespace() -> None:
    import pytest
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="either namespace"):
        Endpoint.model_validate({"pods": {"app": "x"}})
    assert flow().describe() == "ingress-nginx → data-platform/portal:8080"


# Properties. Policies drawn from a small vocabulary of selectors, peers and ports.
SELECTORS = st.sampled_from([None, {"app": "portal"}, {"app": "minio"}, {"app": "prometheus"}])
PEERS = st.lists(st.sampled_from([ns_sel("ingress-nginx"), ns_sel("monitoring"), ns_sel("data-platform"),
                                  pods_sel(app="trino"), {"namespaceSelector": {}}, {"ipBlock": {"cidr": "10.0.0.0/8"}},
                                  {**ns_sel("monitoring"), **pods_sel(app="prometheus")}]), max_size=2)
PORTS = st.lists(st.sampled_from([{"port": 8080}, {"port": "http"}, {"port": 9000}, {"protocol": "UDP"}]), max_size=2)
RULES = st.lists(st.fixed_dictionaries({"from": PEERS, "ports": PORTS}), max_size=2)
NAMESPACES = st.sampled_from(["data-platform", "ingress-nginx", "monitoring"])


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    types = draw(st.sampled_from([["Ingress"], ["Egress"], ["Ingress", "Egress"]]))
    rules = draw(RULES)
    egress = [{"to": r["from"], "ports": r["ports"]} for r in rules] if "Egress" in types else None
    return policy(draw(NAMESPACES), draw(st.sampled_from(["a", "b", "c"])), draw(SELECTORS), types,
                  rules if "Ingress" in types else None, egress)


FLOWS = st.builds(lambda s, d, dst, port: flow(src_ns=s, dst_ns=d, dst=dst, ports=(port,)), NAMESPACES, NAMESPACES,
                  st.sampled_from([{}, {"app": "portal"}, {"app": "minio"}]), st.sampled_from([8080, 9000, "http"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(policies(), max_size=4), FLOWS, st.lists(RULES, min_size=1, max_size=3))
def test_adding_rules_to_existing_policies_never_blocks(existing: list[dict[str, Any]], f: Flow,
                                                       extra: list[list[dict[str, Any]]]) -> None:
    """Extra rules on policies that already select the pods only add what is admitted."""
    before = evaluate(f, TOPOLOGY, existing).allowed
    widened = []
    for p, rules in zip(existing, extra * len(existing), strict=False):
        spec = dict(p["spec"])
        if "ingress" in spec:
            spec["ingress"] = spec["ingress"] + rules
        if "egress" in spec:
            spec["egress"] = spec["egress"] + [{"to": r["from"], "ports": r["ports"]} for r in rules]
        widened.append({**p, "spec": spec})
    assert not before or evaluate(f, TOPOLOGY, widened).allowed


@settings(max_examples=300, deadline=None)
@given(st.lists(policies(), max_size=4), policies(), FLOWS)
def test_a_new_policy_blocks_only_by_newly_isolating(existing: list[dict[str, Any]], new: dict[str, Any],
                                                     f: Flow) -> None:
    """A flow allowed before a policy is added and blocked after is blocked by that policy, which isolates
    a side of the flow that no policy isolated before: policies otherwise only add."""
    before = evaluate(f, TOPOLOGY, existing)
    after = evaluate(f, TOPOLOGY, [*existing, new])
    if before.allowed and not after.allowed:
        assert ref_of(new) in after.blocked_by
    if not before.allowed and after.allowed:
        assert ref_of(new) in after.admitted_by


def ref_of(p: dict[str, Any]) -> str:
    return f"{p['metadata']['namespace']}/{p['metadata']['name']}"


@settings(max_examples=200, deadline=None)
@given(st.lists(policies(), max_size=4), FLOWS)
def test_policy_order_does_not_matter(existing: list[dict[str, Any]], f: Flow) -> None:
    assert evaluate(f, TOPOLOGY, existing).allowed == evaluate(f, TOPOLOGY, existing[::-1]).allowed
