"""The kubelet stand-in's rules through the real client: config, pull secrets, declared needs, re-evaluation."""

from __future__ import annotations

import base64
import json

from kubernetes import client

from tests.gateways.emulator.builders import app_deployment, waiting
from tests.gateways.emulator.conftest import PRIVATE_REGISTRY

SECRET_VALUE = "hunter2-do-not-leak"


def pods(core: client.CoreV1Api) -> list[client.V1Pod]:
    return core.list_namespaced_pod("data", label_selector="app=web").items


def only_state(core: client.CoreV1Api) -> tuple[str, str] | None:
    states = {waiting(p) for p in pods(core)}
    assert len(states) == 1, states
    return states.pop()


def secret(name: str, **data: str) -> dict[str, object]:
    return {"metadata": {"name": name}, "stringData": data}


def test_env_from_a_deleted_key_is_a_create_container_config_error(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    core.create_namespaced_secret("data", secret("db", password=SECRET_VALUE, user="app"))
    env = [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]
    apps.create_namespaced_deployment("data", app_deployment("web", env=env))
    assert only_state(core) is None

    core.patch_namespaced_secret("db", "data", [{"op": "remove", "path": "/data/password"}])
    assert only_state(core) is None  # running containers keep the env they started with

    apps.patch_namespaced_deployment("web", "data", {"spec": {"template": {"metadata": {"annotations": {
        "kubectl.kubernetes.io/restartedAt": "2025-01-01T00:00:00Z"}}}}})
    new = [p for p in pods(core) if waiting(p)]
    assert {waiting(p) for p in new} == {("CreateContainerConfigError", "couldn't find key password in Secret data/db")}
    assert all(p.status.phase == "Pending" for p in new)


def test_config_errors_name_what_is_missing_and_optional_refs_pass(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", env_from=[
        {"configMapRef": {"name": "settings"}}]))
    assert only_state(core) == ("CreateContainerConfigError", 'configmap "settings" not found')

    apps.delete_namespaced_deployment("web", "data")
    apps.create_namespaced_deployment("data", app_deployment("web", env_from=[
        {"configMapRef": {"name": "settings", "optional": True}}], env=[
        {"name": "X", "valueFrom": {"configMapKeyRef": {"name": "other", "key": "x", "optional": True}}}]))
    assert only_state(core) is None


def test_a_missing_declared_need_crash_loops_without_leaking_values(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    core.create_namespaced_secret("data", secret("db", DB_USER=SECRET_VALUE))
    apps.create_namespaced_deployment("data", app_deployment(
        "web", env_from=[{"secretRef": {"name": "db"}}], needs="env:DB_USER,env:DB_PASSWORD,file:/etc/tls/ca.crt"))

    reason, message = only_state(core)  # type: ignore[misc]
    assert reason == "CrashLoopBackOff"
    assert "env DB_PASSWORD" in message and "file /etc/tls/ca.crt" in message and "DB_USER" not in message
    pod = pods(core)[0]
    assert pod.status.phase == "Running" and pod.status.container_statuses[0].restart_count == 1
    assert pod.status.container_statuses[0].last_state.terminated.exit_code == 1
    deploy = apps.read_namespaced_deployment("web", "data")
    assert deploy.status.ready_replicas is None and deploy.status.unavailable_replicas == 2
    assert SECRET_VALUE not in json.dumps(kapi.sanitize_for_serialization(pods(core)))


def test_missing_volume_source_leaves_the_pod_container_creating(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    volumes = [{"name": "tls", "secret": {"secretName": "web-tls", "items": [{"key": "ca.crt", "path": "ca.crt"}]}}]
    apps.create_namespaced_deployment("data", app_deployment("web", volumes=volumes, mounts=[
        {"name": "tls", "mountPath": "/etc/tls"}], needs="file:/etc/tls/ca.crt"))
    assert only_state(core) == ("ContainerCreating", "")
    assert pods(core)[0].status.phase == "Pending"

    core.create_namespaced_secret("data", secret("web-tls", other="x"))  # the item's key is still missing
    assert only_state(core) == ("ContainerCreating", "")
    core.patch_namespaced_secret("web-tls", "data", {"stringData": {"ca.crt": "pem"}})
    assert only_state(core) is None


def test_file_need_follows_its_config_map(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    core.create_namespaced_config_map("data", {"metadata": {"name": "creds"}, "data": {"token": "t", "other": "o"}})
    volumes = [{"name": "creds", "projected": {"sources": [{"configMap": {"name": "creds"}}]}}]
    apps.create_namespaced_deployment("data", app_deployment("web", volumes=volumes, mounts=[
        {"name": "creds", "mountPath": "/var/run/creds"}], needs="file:/var/run/creds/token"))
    assert only_state(core) is None

    core.replace_namespaced_config_map("creds", "data", {"metadata": {"name": "creds"}, "data": {"other": "o"}})
    reason, message = only_state(core)  # type: ignore[misc]
    assert reason == "CrashLoopBackOff" and "file /var/run/creds/token" in message
    assert apps.read_namespaced_deployment("web", "data").status.ready_replicas is None

    core.patch_namespaced_config_map("creds", "data", {"data": {"token": "t2"}})
    assert only_state(core) is None


def dockerconfig(name: str, host: str) -> dict[str, object]:
    config = json.dumps({"auths": {host: {"auth": base64.b64encode(b"robot:pw").decode()}}})
    return {"metadata": {"name": name}, "type": "kubernetes.io/dockerconfigjson",
            "data": {".dockerconfigjson": base64.b64encode(config.encode()).decode()}}


def test_private_image_needs_a_pull_secret_from_the_pod_or_its_service_account(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    image = f"{PRIVATE_REGISTRY}/carbon/web:1"
    apps.create_namespaced_deployment("data", app_deployment("web", image=image))
    assert only_state(core) == ("ImagePullBackOff", f'Back-off pulling image "{image}"')

    core.create_namespaced_secret("data", dockerconfig("elsewhere", "ghcr.io"))
    core.create_namespaced_service_account("data", {"metadata": {"name": "web"},
                                                    "imagePullSecrets": [{"name": "elsewhere"}]})
    apps.delete_namespaced_deployment("web", "data")
    apps.create_namespaced_deployment("data", app_deployment("web", image=image, service_account="web"))
    assert only_state(core) == ("ImagePullBackOff", f'Back-off pulling image "{image}"')  # wrong registry

    core.create_namespaced_secret("data", dockerconfig("harbor", f"https://{PRIVATE_REGISTRY}"))
    core.patch_namespaced_service_account("web", "data", {"imagePullSecrets": [{"name": "harbor"}]})
    apps.delete_namespaced_deployment("web", "data")
    apps.create_namespaced_deployment("data", app_deployment("web", image=image, service_account="web"))
    assert only_state(core) is None
    # Admission copied the account's secrets (the strategic merge kept both) onto the pod.
    assert [s.name for s in pods(core)[0].spec.image_pull_secrets] == ["elsewhere", "harbor"]


def test_public_images_need_no_pull_secret(kapi: client.ApiClient) -> None:
    apps, core = client.AppsV1Api(kapi), client.CoreV1Api(kapi)
    apps.create_namespaced_deployment("data", app_deployment("web", image="docker.io/library/nginx:1"))
    assert only_state(core) is None
