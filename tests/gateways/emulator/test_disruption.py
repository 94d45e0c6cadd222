"""The disruption controller through the real client: a PodDisruptionBudget's status as kube-controller-manager
writes it (healthy pods matched by its selector, expected pods from the controllers' scale)."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import app_deployment


def budget(name: str, selector: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": "data"},
            "spec": {"selector": selector, **spec}}


def status(policy: client.PolicyV1Api, name: str) -> tuple[int, int, int, int]:
    found = policy.read_namespaced_pod_disruption_budget(name, "data").status
    return found.expected_pods, found.current_healthy, found.desired_healthy, found.disruptions_allowed


@pytest.mark.parametrize(("spec", "replicas", "want"), [
    ({"minAvailable": 1}, 2, (2, 2, 1, 1)),
    ({"minAvailable": 2}, 2, (2, 2, 2, 0)),
    ({"minAvailable": 1}, 1, (1, 1, 1, 0)),
    ({"maxUnavailable": 1}, 3, (3, 3, 2, 1)),
    ({"maxUnavailable": 0}, 3, (3, 3, 3, 0)),
    ({"minAvailable": "50%"}, 3, (3, 3, 2, 1)),  # percentages round up: ceil(1.5) = 2
    ({"maxUnavailable": "50%"}, 1, (1, 1, 0, 1)),  # ceil(0.5) = 1 may be unavailable
])
def test_status_counts_healthy_pods_against_the_spec(kapi: client.ApiClient, spec: dict[str, Any], replicas: int,
                                                      want: tuple[int, int, int, int]) -> None:
    apps, policy = client.AppsV1Api(kapi), client.PolicyV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", replicas=replicas))
    policy.create_namespaced_pod_disruption_budget("data", budget("web", {"matchLabels": {"app": "web"}}, **spec))
    assert status(policy, "web") == want
    found = policy.read_namespaced_pod_disruption_budget("web", "data")
    assert found.status.observed_generation == found.metadata.generation == 1
    allowed = next(c for c in found.status.conditions if c.type == "DisruptionAllowed")
    assert (allowed.status, allowed.reason) == (("True", "SufficientPods") if want[3] else ("False", "InsufficientPods"))


def test_status_follows_pods_scale_and_spec_changes(kapi: client.ApiClient) -> None:
    apps, policy = client.AppsV1Api(kapi), client.PolicyV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", replicas=1))
    policy.create_namespaced_pod_disruption_budget("data", budget("web", {"matchLabels": {"app": "web"}},
                                                                  maxUnavailable="0%"))
    assert status(policy, "web") == (1, 1, 1, 0)
    apps.patch_namespaced_deployment_scale("web", "data", {"spec": {"replicas": 3}})
    assert status(policy, "web") == (3, 3, 3, 0)
    policy.patch_namespaced_pod_disruption_budget("web", "data", [{"op": "replace", "path": "/spec/maxUnavailable",
                                                                   "value": 1}])
    found = policy.read_namespaced_pod_disruption_budget("web", "data")
    assert found.status.observed_generation == found.metadata.generation == 2
    assert status(policy, "web") == (3, 3, 2, 1)


def test_pods_that_cannot_start_are_not_healthy(kapi: client.ApiClient) -> None:
    """The app crashes (it lacks a credential it declares): its pods match the selector but count as unhealthy."""
    apps, policy = client.AppsV1Api(kapi), client.PolicyV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", replicas=2, needs="env:DB_PASSWORD"))
    policy.create_namespaced_pod_disruption_budget("data", budget("web", {"matchLabels": {"app": "web"}},
                                                                  minAvailable=1))
    assert status(policy, "web") == (2, 0, 1, 0)


def test_the_selector_decides_which_pods_count(kapi: client.ApiClient) -> None:
    apps, policy = client.AppsV1Api(kapi), client.PolicyV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", replicas=2))
    apps.create_namespaced_deployment("data", app_deployment("api", replicas=3))
    policy.create_namespaced_pod_disruption_budget("data", budget("all", {}, minAvailable=1))
    policy.create_namespaced_pod_disruption_budget("data", budget("api", {"matchExpressions": [
        {"key": "app", "operator": "In", "values": ["api"]}]}, minAvailable=1))
    policy.create_namespaced_pod_disruption_budget("data", budget("none", {"matchLabels": {"app": "gone"}},
                                                                  minAvailable=1))
    assert status(policy, "all") == (5, 5, 1, 4)
    assert status(policy, "api") == (3, 3, 1, 2)
    assert status(policy, "none") == (0, 0, 1, 0)


def test_pods_without_a_scaled_controller_fail_safe_for_percentages(cluster: KubeEmulator,
                                                                    kapi: client.ApiClient) -> None:
    """As the real controller: a percentage needs the controllers' scale; a bare pod has none, so nothing is allowed."""
    policy = client.PolicyV1Api(kapi)
    cluster.add({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "lone", "namespace": "data",
                 "labels": {"app": "lone"}}, "spec": {"containers": [{"name": "app", "image": "lone:1"}]}})
    policy.create_namespaced_pod_disruption_budget("data", budget("lone", {"matchLabels": {"app": "lone"}},
                                                                  minAvailable="50%"))
    found = policy.read_namespaced_pod_disruption_budget("lone", "data").status
    assert found.disruptions_allowed == 0
    failed = next(c for c in found.conditions if c.type == "DisruptionAllowed")
    assert (failed.status, failed.reason) == ("False", "SyncFailed") and "lone" in failed.message
