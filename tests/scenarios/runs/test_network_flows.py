"""Declared flows through the whole run: a plan that would cut one is refused with the flow and the policy named;
an allowed one is the plan's impact; egress isolation keeps DNS and the declared flows' egress."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot import messages
from bot.local.emulator import KubeEmulator
from bot.runs.records import get_run
from tests.fixtures.runs import click, request, state


def plan_file(tmp_path: Path, action: dict[str, Any]) -> str:
    task = {"id": "netpol", "title": "Network policies", "weight": 1,
            "check": {"kind": "manual", "how_to_verify": "flows work"},
            "action": {"kind": "apply_network_policies", "namespaces": ["apps"], **action}}
    path = tmp_path / "flows-plan.yaml"
    path.write_text(yaml.safe_dump({"name": "flows", "phases": [{"id": "p1", "title": "P", "tasks": [task]}]}))
    return str(path)


ALLOW_INGRESS = [{"name": "allow-web-from-ingress", "namespace": "apps", "to": {"app": "web"},
                  "from_namespaces": ["ingress-nginx"], "ports": [8080]}]


def scrape(port: int = 8080) -> dict[str, Any]:
    return {"name": "prometheus-scrapes-web", "from": {"namespace": "monitoring"},
            "to": {"namespace": "apps", "pods": {"app": "web"}}, "ports": [port]}


def test_a_declared_flow_the_policies_would_block_refuses_the_run(make_carbon: Any, small: KubeEmulator,
                                                                   tmp_path: Path) -> None:
    bot = make_carbon(small, CARBON_PLAN=plan_file(tmp_path, {"allow": ALLOW_INGRESS, "flows": [scrape()]}))
    bot.slash("run netpol", user="U0ALICE")
    blocked = messages.flow_blocked("prometheus-scrapes-web", "monitoring → apps/web:8080",
                                    ("ingress to apps/web on 8080",),
                                    ("apps/allow-web-from-ingress", "apps/default-deny-ingress"))
    assert bot.last_answer()["text"] == messages.declared_flows_blocked([blocked])
    assert small.list("networkpolicies", "apps") == []


def test_allowed_declared_flows_are_the_impact_and_verified_live(make_carbon: Any, small: KubeEmulator,
                                                                  tmp_path: Path) -> None:
    allow = [*ALLOW_INGRESS, {"name": "allow-scrape", "namespace": "apps", "from_namespaces": ["monitoring"]}]
    bot = make_carbon(small, CARBON_PLAN=plan_file(tmp_path, {"allow": allow, "flows": [scrape()]}))
    run = request(bot, "netpol")
    impact = get_run(bot.services.store, run.id).plan["impact"]  # type: ignore[union-attr]
    assert impact["flows"] == [messages.flow_allowed("prometheus-scrapes-web", "monitoring → apps/web:8080",
                                                     ("apps/allow-scrape",))]
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded"


def test_egress_isolation_keeps_dns_and_the_declared_flows_egress(make_carbon: Any, small: KubeEmulator,
                                                                   tmp_path: Path) -> None:
    small.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
    to_db = {"name": "web to db", "from": {"namespace": "apps", "pods": {"app": "web"}},
             "to": {"namespace": "data", "pods": {"app": "postgres"}}, "ports": [5432]}
    action = {"allow": ALLOW_INGRESS, "flows": [to_db], "egress": {"isolate": True}}
    bot = make_carbon(small, CARBON_PLAN=plan_file(tmp_path, action))
    run = request(bot, "netpol")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded"
    names = {p["metadata"]["name"] for p in small.list("networkpolicies", "apps")}
    assert names == {"allow-web-from-ingress", "allow-dns-egress", "egress-web-to-db", "default-deny-ingress",
                     "default-deny-egress"}
    rule = small.get("networkpolicies", "egress-web-to-db", "apps")["spec"]["egress"]
    assert rule == [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "data"}},
                             "podSelector": {"matchLabels": {"app": "postgres"}}}],
                     "ports": [{"protocol": "TCP", "port": 5432}]}]


def test_a_blocked_inferred_flow_is_a_warning_not_a_refusal(make_carbon: Any, small: KubeEmulator,
                                                            tmp_path: Path) -> None:
    small.add_all([
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "apps"},
         "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "client", "namespace": "apps"},
         "data": {"WEB_URL": "http://web.apps.svc.cluster.local"}},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "client", "namespace": "apps"},
         "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "client"}},
                  "template": {"metadata": {"labels": {"app": "client"}},
                               "spec": {"containers": [{"name": "c", "image": "c:1",
                                                        "envFrom": [{"configMapRef": {"name": "client"}}]}]}}}},
    ])
    bot = make_carbon(small, CARBON_PLAN=plan_file(tmp_path, {"allow": ALLOW_INGRESS}))
    run = request(bot, "netpol")
    warnings = get_run(bot.services.store, run.id).plan["impact"]["warnings"]  # type: ignore[union-attr]
    line = messages.flow_blocked("client → web", "apps/client → apps/web:8080", ("ingress to apps/web on 8080",),
                                 ("apps/allow-web-from-ingress", "apps/default-deny-ingress"))
    assert warnings == [messages.inferred_flow_blocked(line, "configmap apps/client key WEB_URL")]

