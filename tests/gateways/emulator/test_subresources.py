"""The /status and /scale subresources, and main-resource writes that must not touch status."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import deployment_manifest, raw


def test_scale_read_and_patch(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("trino", replicas=2))
    scale = apps.read_namespaced_deployment_scale("trino", "data")
    assert (scale.kind, scale.api_version) == ("Scale", "autoscaling/v1")
    assert scale.spec.replicas == 2 and scale.status.replicas == 2
    assert scale.status.selector == "app=trino"

    patched = apps.patch_namespaced_deployment_scale("trino", "data", {"spec": {"replicas": 0}})
    assert patched.spec.replicas == 0
    dep = apps.read_namespaced_deployment("trino", "data")
    assert dep.spec.replicas == 0 and dep.metadata.generation == 2
    assert dep.status.replicas == 2  # the controller has not caught up; status is untouched


def test_scale_replace_and_statefulsets(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    manifest = deployment_manifest("kafka")
    manifest["kind"] = "StatefulSet"
    emu.add(manifest)
    scale = apps.read_namespaced_stateful_set_scale("kafka", "data")
    scale.spec.replicas = 5
    assert apps.replace_namespaced_stateful_set_scale("kafka", "data", scale).spec.replicas == 5
    scale.spec.replicas = 6  # stale resourceVersion now
    with pytest.raises(ApiException) as err:
        apps.replace_namespaced_stateful_set_scale("kafka", "data", scale)
    assert err.value.status == 409
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_stateful_set_scale("kafka", "data", {"spec": {"replicas": -1}})
    assert err.value.status == 422
    assert emu.get("statefulsets", "kafka", "data")["spec"]["replicas"] == 5


def test_status_subresource_only_touches_status(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("trino"))
    dep = apps.read_namespaced_deployment("trino", "data")
    dep.status.ready_replicas = 0
    dep.spec.replicas = 9  # ignored by a status write
    written = apps.replace_namespaced_deployment_status("trino", "data", dep)
    assert written.status.ready_replicas == 0 and written.spec.replicas == 2
    assert written.metadata.generation == 1

    patched = apps.patch_namespaced_deployment_status("trino", "data", {"status": {"availableReplicas": 1},
                                                                         "spec": {"replicas": 7}})
    assert patched.status.available_replicas == 1 and patched.spec.replicas == 2
    assert apps.read_namespaced_deployment_status("trino", "data").status.available_replicas == 1

    main = apps.patch_namespaced_deployment("trino", "data", {"status": {"readyReplicas": 42}})
    assert main.status.ready_replicas == 0  # main-resource writes ignore .status


def test_create_drops_status_for_status_subresource_types(apps: client.AppsV1Api, emu: KubeEmulator) -> None:
    manifest = deployment_manifest("web", namespace="default")
    created = apps.create_namespaced_deployment("default", manifest)
    assert created.status is None or created.status.ready_replicas is None


def test_subresource_not_served_is_404(emu: KubeEmulator, api: client.ApiClient) -> None:
    emu.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}})
    status, _ = raw(api, "GET", f"{emu.url}/api/v1/namespaces/default/configmaps/c/status")
    assert status == 404
    status, _ = raw(api, "GET", f"{emu.url}/apis/apps/v1/namespaces/data/daemonsets/x/scale")
    assert status == 404
