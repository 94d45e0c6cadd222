"""apply_disruption_budgets through Slack: a budget that would block every drain is refused with the way out and
nothing is recorded; with a replica raise in the same target it runs, and the replicas check measures it done."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot import messages
from bot.local.emulator import KubeEmulator
from bot.runs.records import list_runs
from tests.fixtures.runs import click, request, state

PLAN = """
name: budgets
phases:
  - id: p3
    title: High Availability
    tasks:
      - id: web-budget
        title: web replicated with a disruption budget
        weight: 1
        check: {kind: replicas, min_replicas: 2, targets: [{namespace: apps, name: web}]}
        action:
          kind: apply_disruption_budgets
          targets: [{namespace: apps, name: web, min_available: 1%s}]
"""


def web() -> dict[str, Any]:
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}}


def bot(make_carbon: Any, live_kube: KubeEmulator, tmp_path: Path, raise_to: str) -> Any:
    live_kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN % raise_to)
    return make_carbon(live_kube, CARBON_PLAN=str(plan))


def test_a_budget_that_would_block_every_drain_is_refused_and_nothing_recorded(
        make_carbon: Any, live_kube: KubeEmulator, tmp_path: Path) -> None:
    carbon = bot(make_carbon, live_kube, tmp_path, "")
    carbon.slash("run web-budget")
    reason = messages.budget_blocks_evictions("deployment apps/web", "minAvailable 1", 1)
    assert carbon.last_answer()["text"] == reason
    assert list_runs(carbon.services.store, "web-budget", limit=5) == []
    assert live_kube.list("poddisruptionbudgets") == []


def test_with_a_replica_raise_the_run_succeeds_and_the_task_is_measured_done(
        make_carbon: Any, live_kube: KubeEmulator, tmp_path: Path) -> None:
    carbon = bot(make_carbon, live_kube, tmp_path, ", replicas: 2")
    assert carbon.services.meter.measure().task("web-budget").result.summary == "0/1 at ≥ 2 ready replicas with a PDB"
    run = request(carbon, "web-budget")
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "succeeded"
    result = carbon.services.meter.measure().task("web-budget").result  # a run invalidates the cached measurement
    assert (result.fraction, result.summary) == (1, "1/1 at ≥ 2 ready replicas with a PDB")
