"""apply_disruption_budgets against the emulated API with its workload model and disruption controller: the dry
run refuses budgets that would block every drain, a replica raise is health-gated before any budget is written,
verify reads the controller's status, and rollback undoes exactly what the run applied."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import messages
from bot.actions.base import ActionContext, ActionPlan
from bot.actions.budget_params import BudgetsParams
from bot.actions.disruption_budgets import apply, plan, rollback, verify
from bot.actions.rollout import RolloutFailed
from bot.cluster.gateway import ClusterGateway
from bot.errors import RollbackRefused, UserError
from bot.local.emulator import KubeEmulator
from tests.gateways.test_scale_verify import Time

CANARY = "canary-b7e1-not-for-slack"


def workload(name: str = "web", replicas: int = 1, kind: str = "Deployment", account: str | None = None) -> dict[str, Any]:
    labels = {"app": name}
    pod: dict[str, Any] = {"containers": [{"name": "app", "image": f"{name}:1",
                                           "env": [{"name": "DB_PASSWORD", "value": CANARY}]}]}
    if account:
        pod["serviceAccountName"] = account
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "apps"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": pod}}}


@pytest.fixture
def apps(live_kube: KubeEmulator) -> KubeEmulator:
    live_kube.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    return live_kube


def context(kube: KubeEmulator, reports: list[str] | None = None, clock: Time | None = None) -> ActionContext:
    clock = clock or Time()
    out = reports if reports is not None else []
    return ActionContext(ClusterGateway(kube.api_client()), None, report=out.append, monotonic=clock.monotonic,
                         sleep=clock.sleep)


def params(*targets: dict[str, Any], **extra: Any) -> BudgetsParams:
    return BudgetsParams.model_validate({"targets": [{"namespace": "apps", "name": "web", **t} for t in targets],
                                         **extra})


def replicas(kube: KubeEmulator, name: str = "web", plural: str = "deployments") -> int:
    return int(kube.get(plural, name, "apps")["spec"]["replicas"])


def ready_pods(kube: KubeEmulator, app: str = "web") -> int:
    return sum(1 for p in kube.list("pods") if p["metadata"].get("labels", {}).get("app") == app
               and any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", [])))


def run(kube: KubeEmulator, p: BudgetsParams, reports: list[str]) -> tuple[ActionPlan, ActionContext]:
    ctx = context(kube, reports)
    planned = plan(p, ctx)
    apply(p, planned, ctx)
    return planned, ctx


@pytest.mark.parametrize("rule", [{"min_available": 1}, {"max_unavailable": 0}, {"min_available": "100%"}])
def test_a_budget_that_blocks_every_eviction_of_a_single_replica_is_refused_with_the_way_out(
        apps: KubeEmulator, rule: dict[str, Any]) -> None:
    apps.add(workload())
    with pytest.raises(UserError) as refused:
        plan(params(rule), context(apps))
    shown = {"min_available": "minAvailable", "max_unavailable": "maxUnavailable"}
    key, value = next(iter(rule.items()))
    assert str(refused.value) == messages.budget_blocks_evictions("deployment apps/web", f"{shown[key]} {value}", 1)
    assert "replicas: 2" in str(refused.value)
    assert apps.list("poddisruptionbudgets") == []


def test_a_replica_raise_is_planned_as_a_dry_run_and_applied_health_gated_before_the_budget(apps: KubeEmulator) -> None:
    apps.add(workload())
    p = params({"min_available": 1, "replicas": 2})
    planned = plan(p, context(apps))
    assert [c.line() for c in planned.changes] == [
        "scale deployment apps/web: 1 → 2 replicas (health-gated)",
        "create poddisruptionbudget apps/web: minAvailable 1, selector app=web",
    ]
    assert planned.impact.rolls == ("deployment apps/web (1 → 2 replicas)",)
    assert replicas(apps) == 1 and apps.list("poddisruptionbudgets") == []  # planning changed nothing

    reports: list[str] = []
    ctx = context(apps, reports)
    apply(p, planned, ctx)
    assert ctx.done == [c.key for c in planned.changes]
    assert replicas(apps) == 2 and ready_pods(apps) == 2
    [budget] = apps.list("poddisruptionbudgets")
    assert budget["spec"] == {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 1}
    assert budget["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "carbon"}
    assert verify(p, planned, ctx) == []
    status = apps.get("poddisruptionbudgets", "web", "apps")["status"]
    assert (status["currentHealthy"], status["desiredHealthy"], status["disruptionsAllowed"]) == (2, 1, 1)
    assert plan(p, context(apps)).empty  # idempotent: the same run again changes nothing
    everything = json.dumps([planned.to_json(), reports, apps.list("poddisruptionbudgets")])
    assert CANARY not in everything


def test_rollback_deletes_the_budget_and_scales_back_what_the_run_raised(apps: KubeEmulator) -> None:
    apps.add(workload())
    p = params({"max_unavailable": 1, "replicas": 3})
    planned, done = run(apps, p, [])
    assert replicas(apps) == 3
    reports: list[str] = []
    ctx = context(apps, reports)
    ctx.applied = frozenset(done.done)
    rollback(p, planned, ctx)
    assert apps.list("poddisruptionbudgets") == [] and replicas(apps) == 1
    assert reports == [":leftwards_arrow_with_hook: deleted poddisruptionbudget apps/web",
                       ":leftwards_arrow_with_hook: scaled deployment apps/web back to 1"]


def test_rollback_refuses_and_changes_nothing_when_the_workload_was_resized_since(apps: KubeEmulator) -> None:
    apps.add(workload())
    p = params({"min_available": 1, "replicas": 2})
    planned, done = run(apps, p, [])
    ClusterGateway(apps.api_client()).patch("deployments", "web", "apps", {"spec": {"replicas": 4}}, subresource="scale")
    ctx = context(apps)
    ctx.applied = frozenset(done.done)
    with pytest.raises(RollbackRefused, match="has 4 replicas, not the 2 this run set"):
        rollback(p, planned, ctx)
    assert len(apps.list("poddisruptionbudgets")) == 1 and replicas(apps) == 4


def test_an_existing_budget_that_differs_is_replaced_and_put_back_on_rollback(apps: KubeEmulator) -> None:
    apps.add(workload(replicas=3))
    apps.add({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web", "namespace": "apps"},
              "spec": {"selector": {"matchLabels": {"app": "web"}}, "maxUnavailable": 0}})
    p = params({"min_available": "50%"})
    planned, done = run(apps, p, [])
    assert [c.line() for c in planned.changes] == [
        "update poddisruptionbudget apps/web: minAvailable 50%, selector app=web (was maxUnavailable 0)"]
    live = apps.get("poddisruptionbudgets", "web", "apps")
    assert live["spec"] == {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": "50%"}  # no maxUnavailable left
    assert live["status"]["disruptionsAllowed"] == 1  # 3 healthy, ceil(1.5) = 2 wanted
    ctx = context(apps)
    ctx.applied = frozenset(done.done)
    rollback(p, planned, ctx)
    assert apps.get("poddisruptionbudgets", "web", "apps")["spec"] == {"selector": {"matchLabels": {"app": "web"}},
                                                                        "maxUnavailable": 0}


def test_a_second_budget_on_pods_already_covered_is_refused(apps: KubeEmulator) -> None:
    apps.add(workload(replicas=2))
    apps.add({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "web-pdb", "namespace": "apps"},
              "spec": {"selector": {"matchLabels": {"app": "web"}}, "minAvailable": 1}})
    with pytest.raises(UserError) as refused:
        plan(params({"min_available": 1}), context(apps))
    assert str(refused.value) == messages.budget_already_covers("deployment apps/web", "apps/web-pdb")
    assert plan(params({"min_available": 1, "budget": "web-pdb"}), context(apps)).empty  # taken over: already so


def test_a_raise_whose_new_pods_cannot_start_fails_before_any_budget_is_written(apps: KubeEmulator) -> None:
    """The ServiceAccount is gone: the running pod keeps running, but the ReplicaSet cannot create the new one."""
    apps.add({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "web", "namespace": "apps"}})
    apps.add(workload(account="web"))
    assert ready_pods(apps) == 1
    ClusterGateway(apps.api_client()).delete("serviceaccounts", "web", "apps")
    p = params({"min_available": 1, "replicas": 2})
    planned = plan(p, context(apps))
    ctx = context(apps)
    with pytest.raises(RolloutFailed, match="deployment apps/web"):
        apply(p, planned, ctx)
    assert ctx.done == ["scale deployment apps/web"] and apps.list("poddisruptionbudgets") == []
    ctx.applied = frozenset(ctx.done)
    rollback(p, planned, ctx)
    assert replicas(apps) == 1


def test_verify_waits_bounded_and_names_a_budget_its_unhealthy_pods_leave_without_disruptions(
        apps: KubeEmulator) -> None:
    crashing = workload(replicas=2)
    crashing["spec"]["template"]["metadata"]["annotations"] = {"emulator.carbon.dev/needs": "env:API_TOKEN"}
    apps.add(crashing)
    p = params({"min_available": 1}, wait_s=5)
    planned = plan(p, context(apps))
    apply(p, planned, context(apps))
    clock = Time()
    problems = verify(p, planned, context(apps, clock=clock))
    status = apps.get("poddisruptionbudgets", "web", "apps")["status"]
    assert problems == [messages.budget_not_protecting("apps/web", status)]
    assert (status["currentHealthy"], status["expectedPods"]) == (0, 2)
    assert clock.naps == [2.0, 2.0, 1.0]  # never past the bound


def test_a_statefulset_is_raised_through_its_scale_and_gets_its_budget_from_its_own_selector(apps: KubeEmulator) -> None:
    apps.add(workload("db", replicas=1, kind="StatefulSet"))
    p = BudgetsParams.model_validate({"targets": [{"namespace": "apps", "name": "db", "kind": "StatefulSet",
                                                   "max_unavailable": "50%", "replicas": 2}]})
    planned, ctx = run(apps, p, [])
    assert ctx.done == ["scale statefulset apps/db", "create poddisruptionbudget apps/db"]
    assert replicas(apps, "db", "statefulsets") == 2 and ready_pods(apps, "db") == 2
    assert verify(p, planned, ctx) == []
    status = apps.get("poddisruptionbudgets", "db", "apps")["status"]
    assert (status["expectedPods"], status["disruptionsAllowed"]) == (2, 1)
