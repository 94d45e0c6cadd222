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
