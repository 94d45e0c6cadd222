"""The bundled plan's network-policies run on the demo platform: after it, every declared flow is allowed."""

from __future__ import annotations

from typing import Any

from bot.local.emulator import KubeEmulator
from bot.runs.records import get_run
from bot.snapshot.flows import Topology, evaluate_all
from tests.fixtures.runs import click, request, state


def test_the_bundled_plan_leaves_every_declared_flow_allowed_on_the_demo_platform(carbon: Any,
                                                                                  platform: KubeEmulator) -> None:
    params = carbon.services.plan.action_params["network-policies"]
    before = {p["metadata"]["name"] for p in platform.list("networkpolicies")}
    run = request(carbon, "network-policies")
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "succeeded"  # verify re-evaluated the declared flows on the live policies
    after = {p["metadata"]["name"] for p in platform.list("networkpolicies")}
    assert "allow-dns-egress" not in after and "default-deny-egress" not in after
    assert after > before
    world = Topology.from_objects(platform.list("namespaces"), platform.list("pods"),
                                  platform.list("deployments") + platform.list("statefulsets"))
    verdicts = evaluate_all(params.flows, world, platform.list("networkpolicies"))
    assert len(verdicts) == 26 and [v.flow.name for v in verdicts if not v.allowed] == []
    # ingress-to-harbor was blocked by registry's seeded default-deny: the run's impact says it is now allowed
    flows = get_run(carbon.services.store, run.id).plan["impact"]["flows"]  # type: ignore[union-attr]
    assert any(line.startswith("allowed: ingress-to-harbor: ") for line in flows)
    assert verdicts[0].flow.name == "tunnel-to-ingress" and verdicts[0].admitted_by == ()  # ingress-nginx not isolated
