"""Create/get/list/delete through CoreV1Api, and the errors the real API server gives."""

from __future__ import annotations

import json

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import namespace, pod, raw


def test_namespace_then_pod_create_get_list(core: client.CoreV1Api) -> None:
    created_ns = core.create_namespace(namespace("data"))
    assert created_ns.status.phase == "Active"
    created = core.create_namespaced_pod("data", pod("web-1", {"app": "web"}))
    assert created.metadata.uid and created.metadata.resource_version.isdigit()
    assert created.metadata.creation_timestamp is not None
    assert created.status.phase == "Pending"

    got = core.read_namespaced_pod("web-1", "data")
    assert got.metadata.uid == created.metadata.uid
    assert got.spec.containers[0].image == "nginx:1"
    core.create_namespaced_pod("default", pod("other"))

    in_ns = core.list_namespaced_pod("data")
    assert [p.metadata.name for p in in_ns.items] == ["web-1"]
    everywhere = core.list_pod_for_all_namespaces()
    assert [(p.metadata.namespace, p.metadata.name) for p in everywhere.items] == [
        ("data", "web-1"), ("default", "other")]
    assert int(everywhere.metadata.resource_version) >= int(created.metadata.resource_version)


def test_list_items_carry_kind_and_api_version(emu: KubeEmulator, api: client.ApiClient) -> None:
    emu.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "data"}})
    _, doc = raw(api, "GET", f"{emu.url}/api/v1/namespaces/data/configmaps")
    assert doc["kind"] == "ConfigMapList" and doc["apiVersion"] == "v1"
    assert doc["items"][0]["kind"] == "ConfigMap" and doc["items"][0]["apiVersion"] == "v1"


def test_pod_in_missing_namespace_is_404(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod("nope", pod("x"))
    assert err.value.status == 404
    assert json.loads(err.value.body)["message"] == 'namespaces "nope" not found'


def test_get_missing_object_is_404_with_status_body(core: client.CoreV1Api) -> None:
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("ghost", "default")
    status = json.loads(err.value.body)
    assert err.value.status == 404
    assert status["kind"] == "Status" and status["reason"] == "NotFound"
    assert status["message"] == 'pods "ghost" not found'
    assert status["details"] == {"name": "ghost", "kind": "pods"}


def test_create_twice_is_409_already_exists(core: client.CoreV1Api) -> None:
    core.create_namespaced_pod("default", pod("dup"))
    with pytest.raises(ApiException) as err:
        core.create_namespaced_pod("default", pod("dup"))
    assert err.value.status == 409
    assert json.loads(err.value.body)["reason"] == "AlreadyExists"


def test_missing_name_and_bad_names_are_422(core: client.CoreV1Api, api: client.ApiClient, emu: KubeEmulator) -> None:
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", client.V1ConfigMap(data={"a": "b"}))
    assert err.value.status == 422
    assert json.loads(err.value.body)["reason"] == "Invalid"
    with pytest.raises(ApiException) as err:
        core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="Bad_Name")))
    assert err.value.status == 422
    generated = core.create_namespaced_config_map(
        "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(generate_name="cfg-")))
    assert generated.metadata.name.startswith("cfg-") and len(generated.metadata.name) == 9


def test_body_kind_mismatch_is_422(emu: KubeEmulator, api: client.ApiClient) -> None:
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}}
    status, doc = raw(api, "POST", f"{emu.url}/api/v1/namespaces/default/configmaps", body)
    assert (status, doc["reason"]) == (422, "Invalid")
    assert emu.get("configmaps", "x") is None and emu.get("secrets", "x") is None


def test_unknown_paths_404_and_verbs_405(emu: KubeEmulator, api: client.ApiClient) -> None:
    for path in ("/api/v1/widgets", "/apis/nope.io/v1/things", "/api/v1/namespaces/default/pods/x/logs2",
                 "/api/v1/namespaces/default/nodes", "/api/v1/pods/x"):
        status, doc = raw(api, "GET", emu.url + path)
        assert (status, doc["reason"]) == (404, "NotFound"), path
    status, doc = raw(api, "POST", f"{emu.url}/api/v1/namespaces/default/pods/x", {})
    assert (status, doc["reason"]) == (405, "MethodNotAllowed")
    status, _ = raw(api, "POST", f"{emu.url}/api/v1/pods", {})
    assert status == 405


def test_delete_returns_object_or_status_and_namespace_cascades(
    core: client.CoreV1Api, apps: client.AppsV1Api, emu: KubeEmulator
) -> None:
    core.create_namespace(namespace("tmp"))
    core.create_namespaced_pod("tmp", pod("a"))
    core.create_namespaced_config_map("tmp", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c")))
    deleted = core.delete_namespaced_pod("a", "tmp")
    assert deleted.metadata.name == "a" and deleted.metadata.deletion_timestamp is not None
    status = core.delete_namespaced_config_map("c", "tmp")
    assert status["status"] == "Success" and status["details"]["name"] == "c"
    core.create_namespaced_pod("tmp", pod("b"))
    core.delete_namespace("tmp")
    assert emu.get("namespaces", "tmp") is None
    assert emu.list("pods", "tmp") == []
    with pytest.raises(ApiException) as err:
        core.read_namespaced_pod("b", "tmp")
    assert err.value.status == 404


def test_owner_references_are_garbage_collected(core: client.CoreV1Api, emu: KubeEmulator) -> None:
    owner = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="own")))
    ref = client.V1OwnerReference(api_version="v1", kind="ConfigMap", name="own", uid=owner.metadata.uid)
    child = pod("child")
    child.metadata.owner_references = [ref]
    core.create_namespaced_pod("default", child)
    core.delete_namespaced_config_map("own", "default")
    assert emu.get("pods", "child", "default") is None


def test_seeding_and_inspection_helpers(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    stored = emu.add({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": "p", "namespace": "seeded", "uid": "fixed-uid"},
                      "spec": {"containers": [{"name": "c", "image": "i"}]},
                      "status": {"phase": "Running"}})
    assert stored["metadata"]["uid"] == "fixed-uid" and stored["metadata"]["generation"] == 1
    assert emu.get("namespaces", "seeded") is not None
    assert core.read_namespaced_pod("p", "seeded").status.phase == "Running"
    assert emu.get("Pod", "p", "seeded")["kind"] == "Pod"
    emu.add_all([{"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{i}"}} for i in range(3)])
    assert [n["metadata"]["name"] for n in emu.list("nodes")] == ["n0", "n1", "n2"]
    assert [n.metadata.name for n in core.list_node().items] == ["n0", "n1", "n2"]
    with pytest.raises(KeyError):
        emu.list("widgets")


def test_server_side_rules_product_code_could_break(core: client.CoreV1Api, apps: client.AppsV1Api,
                                                   emu: KubeEmulator, api: client.ApiClient) -> None:
    with pytest.raises(ApiException) as err:
        core.delete_namespace("default")
    assert err.value.status == 403
    read_back = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c")))
    read_back.metadata.name = "copy"
    with pytest.raises(ApiException) as err:  # re-creating an object read from the API keeps its resourceVersion
        core.create_namespaced_config_map("default", read_back)
    assert err.value.status == 500
    bad = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
           "spec": {"selector": {"matchLabels": {"app": "a"}},
                    "template": {"metadata": {"labels": {"app": "b"}},
                                 "spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    with pytest.raises(ApiException) as err:
        apps.create_namespaced_deployment("default", bad)
    assert err.value.status == 422 and "selector" in err.value.body
    status, doc = raw(api, "POST", f"{emu.url}/api/v1/namespaces/default/configmaps", "{not json")
    assert (status, doc["reason"]) == (400, "BadRequest")


def test_delete_preconditions(core: client.CoreV1Api) -> None:
    cm = core.create_namespaced_config_map("default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c")))
    stale = client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version="1"))
    with pytest.raises(ApiException) as err:
        core.delete_namespaced_config_map("c", "default", body=stale)
    assert err.value.status == 409
    fresh = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=cm.metadata.uid))
    core.delete_namespaced_config_map("c", "default", body=fresh)
