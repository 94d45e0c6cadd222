"""Small builders for the objects tests create through the real client."""

from __future__ import annotations

import json
from typing import Any

from kubernetes import client


def namespace(name: str) -> client.V1Namespace:
    return client.V1Namespace(metadata=client.V1ObjectMeta(name=name))


def pod(name: str, labels: dict[str, str] | None = None, node: str | None = None) -> client.V1Pod:
    return client.V1Pod(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1PodSpec(node_name=node, containers=[client.V1Container(name="app", image="nginx:1")]),
    )


def deployment_manifest(name: str, namespace: str = "data", replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": namespace, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": name, "image": f"{name}:1",
                                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}]},
            },
        },
        "status": {"replicas": replicas, "readyReplicas": replicas, "observedGeneration": 1},
    }


def raw(api: client.ApiClient, method: str, url: str, body: Any = None,
        content_type: str = "application/json") -> tuple[int, Any]:
    """A request through the client's own REST layer, for shapes the typed APIs can't send."""
    response = api.call_api(method, url, header_params={"Content-Type": content_type, "Accept": "application/json"},
                            body=body)
    data = response.read()
    try:
        return response.status, json.loads(data)
    except ValueError:
        return response.status, data.decode()


def app_deployment(name: str, *, replicas: int = 2, image: str | None = None, env: list[dict[str, Any]] | None = None,
                   env_from: list[dict[str, Any]] | None = None, needs: str | None = None,
                   volumes: list[dict[str, Any]] | None = None, mounts: list[dict[str, Any]] | None = None,
                   service_account: str | None = None) -> dict[str, Any]:
    """A Deployment for the workload model (no status: the controllers write it)."""
    labels = {"app": name}
    container: dict[str, Any] = {"name": "app", "image": image or f"{name}:1", "env": env or [],
                                 "envFrom": env_from or [], "volumeMounts": mounts or []}
    pod_spec: dict[str, Any] = {"containers": [container], "volumes": volumes or []}
    if service_account:
        pod_spec["serviceAccountName"] = service_account
    annotations = {"emulator.carbon.dev/needs": needs} if needs else {}
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": "data", "labels": labels},
        "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                 "template": {"metadata": {"labels": labels, "annotations": annotations}, "spec": pod_spec}},
    }


def waiting(pod: client.V1Pod) -> tuple[str, str] | None:
    """(reason, message) of the pod's first waiting container, or None when every container runs."""
    for status in pod.status.container_statuses or []:
        if status.state.waiting is not None:
            return status.state.waiting.reason, status.state.waiting.message or ""
    return None
