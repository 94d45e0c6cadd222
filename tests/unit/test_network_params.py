"""apply_network_policies' parameters: no egress policy unless asked, never DNS alone, old plans told what changed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot import messages
from bot.actions import default_registry as actions
from bot.actions.network_params import NetworkPoliciesParams, policies
from bot.checks import default_registry as checks
from bot.plan.loader import PlanError, parse_plan


def plan_text(action: dict[str, Any]) -> str:
    task = {"id": "netpol", "title": "t", "weight": 1, "check": {"kind": "manual", "how_to_verify": "x"},
            "action": {"kind": "apply_network_policies", "namespaces": ["apps"], **action}}
    return yaml.safe_dump({"name": "p", "phases": [{"id": "p1", "title": "P", "tasks": [task]}]})


FLOW = {"name": "web to db", "from": {"namespace": "apps", "pods": {"app": "web"}},
        "to": {"namespace": "data", "pods": {"app": "postgres"}}, "ports": [5432]}


def test_dns_egress_true_is_refused_naming_the_new_field() -> None:
    with pytest.raises(PlanError) as refused:
        parse_plan(plan_text({"dns_egress": True}), checks(), actions())
    assert refused.value.problems == [f"phases[0].tasks[0].action: {messages.dns_egress_removed()}"]
    assert "egress: {isolate: true" in refused.value.problems[0]


def test_dns_egress_false_still_loads_and_no_egress_policy_by_default() -> None:
    plan = parse_plan(plan_text({"dns_egress": False}), checks(), actions())
    params = plan.action_params["netpol"]
    assert [p["metadata"]["name"] for p in policies(params)] == ["default-deny-ingress"]


def test_egress_isolation_without_allow_rules_or_flows_is_refused() -> None:
    with pytest.raises(PlanError) as refused:
        parse_plan(plan_text({"egress": {"isolate": True}}), checks(), actions())
    assert refused.value.problems == [f"phases[0].tasks[0].action: {messages.egress_needs_allow(['apps'])}"]


def test_egress_isolation_allows_dns_and_declared_flows_before_denying() -> None:
    params = NetworkPoliciesParams.model_validate({"namespaces": ["apps"], "flows": [FLOW], "egress": {"isolate": True},
                                                   "allow": [{"name": "in", "namespace": "apps", "from_same_namespace": True}]})
    found = policies(params)
    assert [p["metadata"]["name"] for p in found] == ["in", "allow-dns-egress", "egress-web-to-db",
                                                       "default-deny-ingress", "default-deny-egress"]
    assert found[2]["spec"]["podSelector"] == {"matchLabels": {"app": "web"}}


def test_explicit_egress_rules_count_as_allow_rules() -> None:
    params = NetworkPoliciesParams.model_validate({"namespaces": ["apps"], "egress": {"isolate": True, "dns": False, "allow": [
        {"name": "to-api", "namespace": "apps", "to_namespaces": ["api"], "ports": [443]}]}})
    names = [p["metadata"]["name"] for p in policies(params)]
    assert names == ["to-api", "default-deny-ingress", "default-deny-egress"]
    assert policies(params)[0]["spec"]["egress"] == [{
        "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "api"}}}],
        "ports": [{"protocol": "TCP", "port": 443}]}]


def test_a_flow_needs_one_namespace_per_endpoint() -> None:
    bad = {**FLOW, "from": {"pods": {"app": "web"}}}
    with pytest.raises(PlanError) as refused:
        parse_plan(plan_text({"flows": [bad]}), checks(), actions())
    assert any("flows[0].from" in p and "either namespace" in p for p in refused.value.problems)
