"""PATCH dialects as the python client sends them, plus the patch functions on their own."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from bot.local.emulator.errors import ApiError
from bot.local.emulator.patches import json_patch, merge_patch, strategic_merge_patch
from tests.gateways.emulator.builders import deployment_manifest, raw


def _containers(dep: client.V1Deployment) -> list[client.V1Container]:
    return dep.spec.template.spec.containers


def test_dict_patch_is_strategic_merge_by_name(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("trino"))
    body = {"spec": {"template": {"spec": {"containers": [
        {"name": "trino", "env": [{"name": "B", "value": "two"}, {"name": "C", "value": "3"}]},
        {"name": "sidecar", "image": "envoy:1"},
    ]}}}}
    patched = apps.patch_namespaced_deployment("trino", "data", body)
    trino, sidecar = _containers(patched)
    assert trino.image == "trino:1"  # untouched fields survive: lists merged by name, not replaced
    assert [(e.name, e.value) for e in trino.env] == [("A", "1"), ("B", "two"), ("C", "3")]
    assert sidecar.image == "envoy:1"
    assert patched.metadata.generation == 2

    removed = apps.patch_namespaced_deployment("trino", "data", {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$patch": "delete"}]}}}})
    assert [c.name for c in _containers(removed)] == ["trino"]


def test_list_body_is_json_patch(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("trino"))
    ops = [
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/replicas", "value": 4},
        {"op": "add", "path": "/metadata/labels/team", "value": "data"},
        {"op": "remove", "path": "/spec/template/spec/containers/0/env/0"},
    ]
    patched = apps.patch_namespaced_deployment("trino", "data", ops)
    assert patched.spec.replicas == 4 and patched.metadata.labels["team"] == "data"
    assert [e.name for e in _containers(patched)[0].env] == ["B"]
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("trino", "data", [{"op": "test", "path": "/spec/replicas", "value": 9}])
    assert err.value.status == 422


def test_merge_patch_content_type_replaces_lists(emu: KubeEmulator, api: client.ApiClient) -> None:
    emu.add(deployment_manifest("trino"))
    url = f"{emu.url}/apis/apps/v1/namespaces/data/deployments/trino"
    body = {"metadata": {"labels": {"app": None, "new": "1"}},
            "spec": {"template": {"spec": {"containers": [{"name": "only", "image": "x"}]}}}}
    status, doc = raw(api, "PATCH", url, body, "application/merge-patch+json")
    assert status == 200
    assert doc["metadata"]["labels"] == {"new": "1"}
    assert doc["spec"]["template"]["spec"]["containers"] == [{"name": "only", "image": "x"}]
    status, doc = raw(api, "PATCH", url, '{"a": 1}', "text/plain")
    assert (status, doc["reason"]) == (415, "UnsupportedMediaType")


def test_server_side_apply_creates_then_merges(emu: KubeEmulator, api: client.ApiClient) -> None:
    emu.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ops"}})
    url = f"{emu.url}/api/v1/namespaces/ops/configmaps/settings"
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: '1'\n"
    status, doc = raw(api, "PATCH", url + "?fieldManager=carbon", manifest, "application/apply-patch+yaml")
    assert status == 201 and doc["data"] == {"a": "1"}
    status, doc = raw(api, "PATCH", url + "?fieldManager=carbon&force=true",
                      manifest.replace("a: '1'", "b: '2'"), "application/apply-patch+yaml")
    assert status == 200 and doc["data"] == {"a": "1", "b": "2"}
    status, _ = raw(api, "PATCH", url, manifest, "application/apply-patch+yaml")
    assert status == 422  # fieldManager is required for apply, as on the real server


def test_server_side_apply_to_subresources(emu: KubeEmulator, api: client.ApiClient) -> None:
    emu.add(deployment_manifest("trino"))
    base = f"{emu.url}/apis/apps/v1/namespaces/data/deployments/trino"
    status, doc = raw(api, "PATCH", f"{base}/scale?fieldManager=hpa", "spec:\n  replicas: 7\n",
                      "application/apply-patch+yaml")
    assert status == 200 and doc["spec"]["replicas"] == 7
    status, doc = raw(api, "PATCH", f"{base}/status?fieldManager=ctl", "status:\n  readyReplicas: 1\n",
                      "application/apply-patch+yaml")
    assert status == 200 and doc["status"]["readyReplicas"] == 1 and doc["spec"]["replicas"] == 7
    status, _ = raw(api, "PATCH", f"{emu.url}/apis/apps/v1/namespaces/data/deployments/ghost/status?fieldManager=x",
                    "status: {}\n", "application/apply-patch+yaml")
    assert status == 404


def test_patch_missing_object_is_404(apps: client.AppsV1Api) -> None:
    with pytest.raises(ApiException) as err:
        apps.patch_namespaced_deployment("ghost", "default", {"spec": {"replicas": 1}})
    assert err.value.status == 404


def test_patch_functions() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "l": [1]}, {"a": {"b": None, "d": 3}, "l": [2]}) == {
        "a": {"c": 2, "d": 3}, "l": [2]}
    current = {"ports": [{"containerPort": 80, "name": "http"}], "finalizers": ["a"],
               "volumeMounts": [{"mountPath": "/x", "name": "v"}]}
    patched = strategic_merge_patch(current, {"ports": [{"containerPort": 80, "protocol": "TCP"},
                                                        {"containerPort": 443}],
                                              "finalizers": ["b"],
                                              "volumeMounts": [{"mountPath": "/x", "readOnly": True}]})
    assert patched["ports"] == [{"containerPort": 80, "name": "http", "protocol": "TCP"}, {"containerPort": 443}]
    assert patched["finalizers"] == ["a", "b"]
    assert patched["volumeMounts"] == [{"mountPath": "/x", "name": "v", "readOnly": True}]
    assert strategic_merge_patch({"m": {"x": 1}}, {"m": {"$patch": "replace", "y": 2}}) == {"m": {"y": 2}}
    doc = json_patch({"a": [1, 2]}, [{"op": "add", "path": "/a/-", "value": 3},
                                    {"op": "copy", "from": "/a", "path": "/b"},
                                    {"op": "move", "from": "/b", "path": "/c~1d"}])
    assert doc == {"a": [1, 2, 3], "c/d": [1, 2, 3]}
    for bad in ([{"op": "remove", "path": "/nope"}], [{"op": "replace", "path": "/a/9", "value": 1}], {"op": "x"}):
        with pytest.raises(ApiError):
            json_patch({"a": [1]}, bad)
