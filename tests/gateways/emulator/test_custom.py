"""Custom resources (cert-manager, velero, extra CRDs) through CustomObjectsApi."""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator

GROUP, VERSION = "cert-manager.io", "v1"


def certificate(name: str, ready: str = "True") -> dict[str, Any]:
    return {
        "apiVersion": f"{GROUP}/{VERSION}", "kind": "Certificate",
        "metadata": {"name": name, "namespace": "data", "labels": {"team": "data"}},
        "spec": {"secretName": f"{name}-tls", "dnsNames": [f"{name}.example.com"],
                 "issuerRef": {"name": "letsencrypt", "kind": "ClusterIssuer"}},
        "status": {"conditions": [{"type": "Ready", "status": ready}]},
    }


def test_certificates_crud(emu: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    emu.add(certificate("seeded", ready="False"))
    created = custom.create_namespaced_custom_object(GROUP, VERSION, "data", "certificates", certificate("web"))
    assert created["metadata"]["uid"] and "status" not in created  # status is the controller's to write

    listed = custom.list_namespaced_custom_object(GROUP, VERSION, "data", "certificates", label_selector="team=data")
    assert listed["kind"] == "CertificateList"
    assert [c["metadata"]["name"] for c in listed["items"]] == ["seeded", "web"]
    everywhere = custom.list_cluster_custom_object(GROUP, VERSION, "certificates")
    assert len(everywhere["items"]) == 2

    got = custom.get_namespaced_custom_object(GROUP, VERSION, "data", "certificates", "seeded")
    assert got["status"]["conditions"][0]["status"] == "False"

    patched = custom.patch_namespaced_custom_object(GROUP, VERSION, "data", "certificates", "web",
                                                    {"spec": {"dnsNames": ["new.example.com"]}})
    assert patched["spec"]["dnsNames"] == ["new.example.com"] and patched["metadata"]["generation"] == 2

    status = custom.patch_namespaced_custom_object_status(
        GROUP, VERSION, "data", "certificates", "web", {"status": {"conditions": [{"type": "Ready", "status": "True"}]}})
    assert status["status"]["conditions"][0]["status"] == "True"

    deleted = custom.delete_namespaced_custom_object(GROUP, VERSION, "data", "certificates", "web")
    assert deleted["metadata"]["name"] == "web"
    with pytest.raises(ApiException) as err:
        custom.get_namespaced_custom_object(GROUP, VERSION, "data", "certificates", "web")
    assert err.value.status == 404
    assert '"certificates.cert-manager.io \\"web\\" not found"' in err.value.body


def test_cluster_scoped_custom_objects(custom: client.CustomObjectsApi) -> None:
    issuer = {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ClusterIssuer", "metadata": {"name": "letsencrypt"},
              "spec": {"acme": {}}}
    custom.create_cluster_custom_object(GROUP, VERSION, "clusterissuers", issuer)
    got = custom.get_cluster_custom_object(GROUP, VERSION, "clusterissuers", "letsencrypt")
    assert "namespace" not in got["metadata"]


def test_register_extra_resource(emu: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    emu.register_resource("external-secrets.io", "v1beta1", "ExternalSecret", "externalsecrets",
                          subresources=("status",))
    body = {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
            "metadata": {"name": "db"}, "spec": {"refreshInterval": "1h"}}
    custom.create_namespaced_custom_object("external-secrets.io", "v1beta1", "default", "externalsecrets", body)
    assert emu.get("ExternalSecret", "db", "default")["spec"] == {"refreshInterval": "1h"}
    assert emu.get("externalsecrets.external-secrets.io", "db", "default") is not None


def test_velero_and_servicemonitors_are_served(emu: KubeEmulator, custom: client.CustomObjectsApi) -> None:
    emu.add({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "nightly", "namespace": "velero"},
             "spec": {"schedule": "0 2 * * *"}, "status": {"phase": "Enabled"}})
    schedules = custom.list_namespaced_custom_object("velero.io", "v1", "velero", "schedules")
    assert schedules["items"][0]["status"]["phase"] == "Enabled"
    assert custom.list_cluster_custom_object("monitoring.coreos.com", "v1", "servicemonitors")["items"] == []
