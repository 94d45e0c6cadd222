"""Server lifecycle, discovery, kubeconfig, concurrency and (when installed) kubectl."""

from __future__ import annotations

import shutil
import socket
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kubernetes import client, config

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import raw


def test_stop_frees_the_port_and_is_idempotent() -> None:
    emu = KubeEmulator().start()
    port = int(emu.url.rsplit(":", 1)[1])
    with emu.api_client() as api:
        client.CoreV1Api(api).list_namespace()
    emu.stop()
    emu.stop()
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
    with pytest.raises(RuntimeError):
        _ = emu.url


def test_discovery_documents(emu: KubeEmulator, api: client.ApiClient) -> None:
    assert client.VersionApi(api).get_code().git_version.startswith("v1.")
    assert client.CoreApi(api).get_api_versions().versions == ["v1"]
    groups = {g.name for g in client.ApisApi(api).get_api_versions().groups}
    assert {"apps", "cert-manager.io", "velero.io", "coordination.k8s.io", "policy"} <= groups
    resources = client.AppsV1Api(api).get_api_resources().resources
    by_name = {r.name: r for r in resources}
    assert by_name["deployments"].namespaced and "patch" in by_name["deployments"].verbs
    assert by_name["deployments/scale"].kind == "Scale"
    nodes = {r.name: r for r in client.CoreV1Api(api).get_api_resources().resources}["nodes"]
    assert not nodes.namespaced
    status, doc = raw(api, "GET", f"{emu.url}/apis/cert-manager.io/v1")
    assert status == 200 and {r["name"] for r in doc["resources"]} >= {"certificates", "certificates/status"}


def test_kubeconfig_loads_into_the_real_client(emu: KubeEmulator, tmp_path: Path) -> None:
    path = emu.write_kubeconfig(tmp_path / "kubeconfig")
    cfg = client.Configuration()
    config.load_kube_config(config_file=str(path), client_configuration=cfg)
    assert cfg.host == emu.url
    with client.ApiClient(cfg) as api:
        assert [n.metadata.name for n in client.CoreV1Api(api).list_namespace().items] == ["default"]


def test_concurrent_creates_get_unique_resource_versions(emu: KubeEmulator) -> None:
    def create(i: int) -> str:
        with emu.api_client() as api:
            cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=f"cm-{i}"))
            return client.CoreV1Api(api).create_namespaced_config_map("default", cm).metadata.resource_version

    with ThreadPoolExecutor(max_workers=8) as pool:
        versions = list(pool.map(create, range(40)))
    assert len(set(versions)) == 40
    assert len(emu.list("configmaps", "default")) == 40
    assert sum(1 for r in emu.requests if r.status == 201) == 40


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")
def test_kubectl_get(emu: KubeEmulator, tmp_path: Path) -> None:
    emu.add({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-1", "namespace": "data"},
             "spec": {"containers": [{"name": "c", "image": "i"}]}, "status": {"phase": "Running"}})
    emu.add({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "tls", "namespace": "data"},
             "spec": {"secretName": "tls"}})
    kubeconfig = str(emu.write_kubeconfig(tmp_path / "kubeconfig"))
    for args, expected in ((["get", "pods", "-A"], "web-1"), (["get", "certificates", "-A", "-o", "name"], "tls")):
        out = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, *args], capture_output=True, text=True,
                             timeout=60, check=True).stdout
        assert expected in out
