"""The workload model through the real client: Deployment -> ReplicaSet -> Pods, rollouts, scaling, StatefulSets."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from kubernetes import client

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import app_deployment, waiting


def pods_of(core: client.CoreV1Api, selector: str = "app=web") -> list[client.V1Pod]:
    return core.list_namespaced_pod("data", label_selector=selector).items


def condition(obj: Any, kind: str) -> Any:
    return next(c for c in obj.status.conditions if c.type == kind)


def test_deployment_creates_its_replica_set_and_ready_pods(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", replicas=3))

    [rs] = apps.list_namespaced_replica_set("data").items
    deploy = apps.read_namespaced_deployment("web", "data")
    pod_hash = rs.metadata.labels["pod-template-hash"]
    assert rs.metadata.name == f"web-{pod_hash}" and rs.metadata.owner_references[0].name == "web"
    pods = pods_of(core)
    assert len(pods) == 3
    for pod in pods:
        assert pod.metadata.name.startswith(f"{rs.metadata.name}-") and len(pod.metadata.name) == len(rs.metadata.name) + 6
        assert pod.metadata.labels == {"app": "web", "pod-template-hash": pod_hash}
        assert pod.metadata.owner_references[0].kind == "ReplicaSet" and pod.spec.service_account_name == "default"
        assert pod.status.phase == "Running" and pod.status.container_statuses[0].ready
    assert (deploy.status.replicas, deploy.status.ready_replicas, deploy.status.available_replicas,
            deploy.status.updated_replicas, deploy.status.unavailable_replicas) == (3, 3, 3, 3, None)
    assert deploy.status.observed_generation == deploy.metadata.generation == 1
    assert condition(deploy, "Available").status == "True"
    assert condition(deploy, "Progressing").reason == "NewReplicaSetAvailable"


def test_rollout_replaces_pods_once_new_ones_are_ready(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web"))
    old = {p.metadata.name for p in pods_of(core)}

    apps.patch_namespaced_deployment("web", "data", {"spec": {"template": {"spec": {"containers": [
        {"name": "app", "image": "web:2"}]}}}})

    deploy = apps.read_namespaced_deployment("web", "data")
    pods = pods_of(core)
    assert deploy.metadata.generation == deploy.status.observed_generation == 2
    assert len(pods) == 2 and not old & {p.metadata.name for p in pods}
    assert {p.spec.containers[0].image for p in pods} == {"web:2"}
    assert condition(deploy, "Progressing").reason == "NewReplicaSetAvailable"
    assert deploy.metadata.annotations["deployment.kubernetes.io/revision"] == "2"
    sets = {rs.metadata.name: rs.spec.replicas for rs in apps.list_namespaced_replica_set("data").items}
    assert sorted(sets.values()) == [0, 2]


def test_failed_rollout_keeps_old_pods_running_and_shows_in_status(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web"))
    old = {p.metadata.name for p in pods_of(core)}

    broken = app_deployment("web", env=[{"name": "DB_PASSWORD",
                                         "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}])
    apps.replace_namespaced_deployment("web", "data", broken)

    deploy = apps.read_namespaced_deployment("web", "data")
    pods = pods_of(core)
    still_running = [p for p in pods if p.metadata.name in old]
    new = [p for p in pods if p.metadata.name not in old]
    assert len(still_running) == 2 and all(p.status.container_statuses[0].ready for p in still_running)
    assert len(new) == 2 and {waiting(p) for p in new} == {("CreateContainerConfigError", 'secret "db" not found')}
    assert (deploy.status.replicas, deploy.status.updated_replicas, deploy.status.ready_replicas,
            deploy.status.available_replicas, deploy.status.unavailable_replicas) == (4, 2, 2, 2, 2)
    assert condition(deploy, "Progressing").reason == "ReplicaSetUpdated"
    assert condition(deploy, "Available").status == "True"  # the old pods keep the service up

    # The kubelet retries: once the secret exists, the new pods start and the rollout completes.
    core.create_namespaced_secret("data", {"metadata": {"name": "db"}, "stringData": {"password": "s3cret"}})
    deploy = apps.read_namespaced_deployment("web", "data")
    assert {p.metadata.name for p in pods_of(core)} == {p.metadata.name for p in new}
    assert condition(deploy, "Progressing").reason == "NewReplicaSetAvailable"


def test_scaling_changes_the_pod_count_and_zero_removes_every_pod(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web"))
    apps.patch_namespaced_deployment_scale("web", "data", {"spec": {"replicas": 4}})
    assert len(pods_of(core)) == 4
    assert apps.read_namespaced_deployment("web", "data").status.ready_replicas == 4

    apps.patch_namespaced_deployment_scale("web", "data", {"spec": {"replicas": 0}})
    deploy = apps.read_namespaced_deployment("web", "data")
    assert pods_of(core) == [] and deploy.status.replicas is None and deploy.status.ready_replicas is None
    assert condition(deploy, "Available").status == "True"


def test_deleting_a_deployment_deletes_its_replica_sets_and_pods(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web"))
    apps.delete_namespaced_deployment("web", "data")
    assert apps.list_namespaced_replica_set("data").items == [] and pods_of(core) == []


def test_a_deleted_pod_is_replaced(kapi: client.ApiClient) -> None:
    core = client.CoreV1Api(kapi)
    client.AppsV1Api(kapi).create_namespaced_deployment("data", app_deployment("web"))
    victim = pods_of(core)[0].metadata.name
    core.delete_namespaced_pod(victim, "data")
    names = {p.metadata.name for p in pods_of(core)}
    assert len(names) == 2 and victim not in names


def test_missing_service_account_fails_pod_creation_until_it_exists(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", service_account="web-sa"))

    deploy = apps.read_namespaced_deployment("web", "data")
    failure = condition(deploy, "ReplicaFailure")
    assert pods_of(core) == [] and failure.status == "True" and failure.reason == "FailedCreate"
    assert failure.message.endswith('is forbidden: error looking up service account data/web-sa: '
                                    'serviceaccount "web-sa" not found')
    assert failure.message.startswith('pods "web-')

    core.create_namespaced_service_account("data", {"metadata": {"name": "web-sa"}})
    deploy = apps.read_namespaced_deployment("web", "data")
    assert len(pods_of(core)) == 2 and deploy.status.ready_replicas == 2
    assert not [c for c in deploy.status.conditions if c.type == "ReplicaFailure"]


def statefulset(image: str = "db:1", replicas: int = 3) -> dict[str, Any]:
    labels = {"app": "db"}
    return {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "data"},
            "spec": {"replicas": replicas, "serviceName": "db", "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{"name": "db", "image": image}]}}}}


def test_statefulset_pods_roll_one_by_one_and_halt_on_a_failing_pod(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_stateful_set("data", statefulset())
    sts = apps.read_namespaced_stateful_set("db", "data")
    pods = pods_of(core, "app=db")
    assert sorted(p.metadata.name for p in pods) == ["db-0", "db-1", "db-2"]
    assert {p.metadata.labels["controller-revision-hash"] for p in pods} == {sts.status.update_revision}
    assert (sts.status.ready_replicas, sts.status.current_replicas, sts.status.updated_replicas) == (3, 3, 3)
    assert sts.status.current_revision == sts.status.update_revision and sts.status.observed_generation == 1

    good = sts.status.update_revision
    apps.replace_namespaced_stateful_set("db", "data", statefulset(image="db:2"))
    sts = apps.read_namespaced_stateful_set("db", "data")
    assert sts.status.current_revision == sts.status.update_revision != good
    assert {p.spec.containers[0].image for p in pods_of(core, "app=db")} == {"db:2"}

    # A failing new pod halts the update: the highest ordinal is replaced and stays failing, the rest keep running.
    broken = statefulset(image="db:3")
    broken["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [{"secretRef": {"name": "missing"}}]
    apps.replace_namespaced_stateful_set("db", "data", broken)
    sts = apps.read_namespaced_stateful_set("db", "data")
    by_name = {p.metadata.name: p for p in pods_of(core, "app=db")}
    assert waiting(by_name["db-2"]) == ("CreateContainerConfigError", 'secret "missing" not found')
    assert [by_name[n].spec.containers[0].image for n in ("db-0", "db-1")] == ["db:2", "db:2"]
    assert (sts.status.ready_replicas, sts.status.updated_replicas, sts.status.current_replicas) == (2, 1, 2)
    assert sts.status.current_revision != sts.status.update_revision


def test_seeded_workloads_get_pods_too(cluster: KubeEmulator) -> None:
    cluster.add(app_deployment("seeded", replicas=1))
    [pod] = cluster.list("pods", "data")
    assert pod["status"]["phase"] == "Running"
    assert cluster.get("deployments", "seeded", "data")["status"]["readyReplicas"] == 1  # type: ignore[index]


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_sees_the_workload_model(cluster: KubeEmulator, tmp_path: Path) -> None:
    cluster.add(app_deployment("web"))
    kubeconfig = str(cluster.write_kubeconfig(tmp_path / "kubeconfig"))

    def kubectl(*args: str) -> str:
        return subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "-n", "data", *args], capture_output=True,
                              text=True, check=True, timeout=60).stdout

    assert kubectl("get", "pods").count("Running") == 2
    assert 'deployment "web" successfully rolled out' in kubectl("rollout", "status", "deploy/web", "--timeout=5s")
    assert kubectl("create", "token", "default").count(".") == 2
