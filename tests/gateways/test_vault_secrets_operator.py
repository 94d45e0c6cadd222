"""The Vault Secrets Operator stand-in, through the real Kubernetes client: VaultStaticSecrets synced from a real
OpenBao, authenticated by the Vault role its VaultAuth names and limited to that role's policies."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import hvac
import pytest
from kubernetes import client

from bot.local.demo.seed import DEMO_CLUSTER_CA
from bot.local.demo.vault_secrets_operator import GROUP, VERSION, VaultSecretsOperatorStandIn
from bot.local.emulator import KubeEmulator

PASSWORD = "vso-canary-value-never-shown"
READ_APP = 'path "secret/data/app/*" { capabilities = ["read"] }\n'


@pytest.fixture
def vso(vault_client: hvac.Client) -> Iterator[tuple[KubeEmulator, VaultSecretsOperatorStandIn]]:
    """The stand-in on an emulated cluster; Vault's Kubernetes auth with a role `app` bound to data/app-reader."""
    with KubeEmulator() as emu:
        emu.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
        emu.add({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "app-reader", "namespace": "data"}})
        operator = VaultSecretsOperatorStandIn(emu, vault_client).install()
        vault_client.sys.enable_auth_method("kubernetes", path="kubernetes")
        vault_client.write_data("auth/kubernetes/config", data={"kubernetes_host": emu.url,
                                                               "kubernetes_ca_cert": DEMO_CLUSTER_CA,
                                                               "disable_local_ca_jwt": True})
        vault_client.sys.create_or_update_acl_policy(name="read-app", policy=READ_APP)
        vault_client.write_data("auth/kubernetes/role/app", data={
            "bound_service_account_names": ["app-reader"], "bound_service_account_namespaces": ["data"],
            "token_policies": ["read-app"]})
        vault_client.secrets.kv.v2.create_or_update_secret("app/db", {"username": "app", "password": PASSWORD},
                                                           mount_point="secret")
        vault_client.secrets.kv.v2.create_or_update_secret("other/db", {"password": PASSWORD}, mount_point="secret")
        yield emu, operator


def auth_objects(address: str, role: str = "app") -> list[dict[str, Any]]:
    return [{"apiVersion": f"{GROUP}/{VERSION}", "kind": "VaultConnection", "metadata": {"name": "bao"},
             "spec": {"address": address}},
            {"apiVersion": f"{GROUP}/{VERSION}", "kind": "VaultAuth", "metadata": {"name": "app"},
             "spec": {"vaultConnectionRef": "bao", "method": "kubernetes", "mount": "kubernetes",
                      "kubernetes": {"role": role, "serviceAccount": "app-reader"}}}]


def static_secret(path: str = "app/db", transformation: dict[str, Any] | None = None) -> dict[str, Any]:
    destination: dict[str, Any] = {"name": "db-creds", "create": True}
    if transformation is not None:
        destination["transformation"] = transformation
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "VaultStaticSecret", "metadata": {"name": "db"},
            "spec": {"vaultAuthRef": "app", "type": "kv-v2", "mount": "secret", "path": path, "refreshAfter": "1h",
                     "destination": destination}}


def create(api: client.ApiClient, *objs: dict[str, Any]) -> None:
    custom = client.CustomObjectsApi(api)
    plurals = {"VaultConnection": "vaultconnections", "VaultAuth": "vaultauths", "VaultStaticSecret": "vaultstaticsecrets"}
    for obj in objs:
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", plurals[obj["kind"]], obj)


def decoded(secret: client.V1Secret) -> dict[str, str]:
    return {k: base64.b64decode(v).decode() for k, v in (secret.data or {}).items()}


def test_a_static_secret_is_synced_with_its_transformation_and_reports_as_vso_does(
        vso: tuple[KubeEmulator, VaultSecretsOperatorStandIn], vault_client: hvac.Client) -> None:
    emu, operator = vso
    with emu.api_client() as api:
        create(api, *auth_objects(vault_client.url),
               static_secret(transformation={"excludeRaw": True, "includes": ["^password$"]}))
        core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
        assert decoded(core.read_namespaced_secret("db-creds", "data")) == {"password": PASSWORD}
        vss = custom.get_namespaced_custom_object(GROUP, VERSION, "data", "vaultstaticsecrets", "db")
        assert vss["status"]["lastGeneration"] == vss["metadata"]["generation"] == 1
        assert vss["status"]["secretMAC"] and PASSWORD not in str(vss)
        assert custom.get_namespaced_custom_object(GROUP, VERSION, "data", "vaultauths", "app")["status"]["valid"]

        vault_client.secrets.kv.v2.create_or_update_secret("app/db", {"username": "app", "password": "rotated"},
                                                           mount_point="secret")
        mac = vss["status"]["secretMAC"]
        operator.resync()  # what refreshAfter would do
        assert decoded(core.read_namespaced_secret("db-creds", "data")) == {"password": "rotated"}
        vss = custom.get_namespaced_custom_object(GROUP, VERSION, "data", "vaultstaticsecrets", "db")
        assert vss["status"]["secretMAC"] != mac

        custom.delete_namespaced_custom_object(GROUP, VERSION, "data", "vaultstaticsecrets", "db")
        assert [s.metadata.name for s in core.list_namespaced_secret("data").items] == []  # owned: collected


def test_without_a_transformation_every_key_and_raw_are_written(vso: tuple[KubeEmulator, VaultSecretsOperatorStandIn],
                                                               vault_client: hvac.Client) -> None:
    with vso[0].api_client() as api:
        create(api, *auth_objects(vault_client.url), static_secret())
        data = decoded(client.CoreV1Api(api).read_namespaced_secret("db-creds", "data"))
        assert set(data) == {"username", "password", "_raw"}


@pytest.mark.parametrize("path, role, address, reason", [
    ("other/db", "app", None, "failed to read Vault secret secret/other/db: permission denied"),
    ("app/db", "nobody", None, "login failed: role 'nobody' not found at auth/kubernetes"),
    ("app/db", "app", "http://elsewhere:8200", "cannot reach Vault at http://elsewhere:8200"),
], ids=["policy-denies-the-path", "no-such-role", "another-vault"])
def test_a_sync_that_cannot_log_in_or_read_writes_nothing_and_says_why_in_an_event(
        vso: tuple[KubeEmulator, VaultSecretsOperatorStandIn], vault_client: hvac.Client, path: str, role: str,
        address: str | None, reason: str) -> None:
    with vso[0].api_client() as api:
        create(api, *auth_objects(address or vault_client.url, role), static_secret(path))
        core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
        assert core.list_namespaced_secret("data").items == []
        vss = custom.get_namespaced_custom_object(GROUP, VERSION, "data", "vaultstaticsecrets", "db")
        assert "lastGeneration" not in (vss.get("status") or {})
        [event] = core.list_namespaced_event("data").items
        assert (event.type, event.reason, event.involved_object.name) == ("Warning", "VaultClientError", "db")
        assert event.message == reason and PASSWORD not in event.message
