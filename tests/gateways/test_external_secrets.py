"""The External Secrets Operator stand-in: ExternalSecrets synced from a real OpenBao into Secrets pods consume."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import hvac
import pytest
from kubernetes import client

from bot.local.demo.external_secrets import GROUP, VERSION, ExternalSecretsStandIn
from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import app_deployment, waiting

PASSWORD = "s3cret-value-never-shown"


@pytest.fixture
def eso(vault_client: hvac.Client) -> Iterator[tuple[KubeEmulator, ExternalSecretsStandIn]]:
    with KubeEmulator(workloads=True) as emu:
        emu.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
        yield emu, ExternalSecretsStandIn(emu, vault_client).install()


def store() -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "SecretStore", "metadata": {"name": "openbao"},
            "spec": {"provider": {"vault": {"server": "http://openbao:8200", "path": "secret", "version": "v2",
                                            "auth": {"kubernetes": {"mountPath": "kubernetes", "role": "web"}}}}}}


def external_secret(prop: str = "password") -> dict[str, Any]:
    return {"apiVersion": f"{GROUP}/{VERSION}", "kind": "ExternalSecret", "metadata": {"name": "db"},
            "spec": {"refreshInterval": "1h", "secretStoreRef": {"name": "openbao", "kind": "SecretStore"},
                     "target": {"name": "db-creds", "creationPolicy": "Owner"},
                     "data": [{"secretKey": "DB_USER", "remoteRef": {"key": "carbon/db", "property": "username"}},
                              {"secretKey": "DB_PASSWORD", "remoteRef": {"key": "carbon/db", "property": prop}}]}}


def ready(custom: client.CustomObjectsApi) -> dict[str, Any]:
    es = custom.get_namespaced_custom_object(GROUP, VERSION, "data", "externalsecrets", "db")
    assert es["status"]["refreshTime"]
    return es["status"]["conditions"][0]  # type: ignore[no-any-return]


def test_synced_secret_satisfies_a_pods_env_from(eso: tuple[KubeEmulator, ExternalSecretsStandIn],
                                                 vault_client: hvac.Client) -> None:
    emu, _ = eso
    vault_client.secrets.kv.v2.create_or_update_secret("carbon/db", {"username": "app", "password": PASSWORD},
                                                       mount_point="secret")
    with emu.api_client() as api:
        apps, core, custom = client.AppsV1Api(api), client.CoreV1Api(api), client.CustomObjectsApi(api)
        apps.create_namespaced_deployment("data", app_deployment(
            "web", env_from=[{"secretRef": {"name": "db-creds"}}], needs="env:DB_USER,env:DB_PASSWORD"))
        assert {waiting(p) for p in core.list_namespaced_pod("data").items} == {
            ("CreateContainerConfigError", 'secret "db-creds" not found')}

        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "secretstores", store())
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "externalsecrets", external_secret())

        condition = ready(custom)
        assert (condition["status"], condition["reason"]) == ("True", "SecretSynced")
        secret = core.read_namespaced_secret("db-creds", "data")
        assert secret.type == "Opaque" and secret.metadata.owner_references[0].kind == "ExternalSecret"
        assert base64.b64decode(secret.data["DB_PASSWORD"]).decode() == PASSWORD
        assert {waiting(p) for p in core.list_namespaced_pod("data").items} == {None}
        assert apps.read_namespaced_deployment("web", "data").status.ready_replicas == 2


def test_sync_errors_name_the_path_and_property_and_resync_reads_vault_again(
        eso: tuple[KubeEmulator, ExternalSecretsStandIn], vault_client: hvac.Client) -> None:
    emu, stand_in = eso
    vault_client.secrets.kv.v2.create_or_update_secret("carbon/db", {"username": "app", "password": PASSWORD},
                                                       mount_point="secret")
    with emu.api_client() as api:
        core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "secretstores", store())
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "externalsecrets", external_secret("pass"))
        condition = ready(custom)
        assert (condition["status"], condition["reason"]) == ("False", "SecretSyncedError")
        assert condition["message"] == "cannot find property pass in secret secret/carbon/db"
        assert PASSWORD not in str(condition)

        vault_client.secrets.kv.v2.create_or_update_secret("carbon/db", {"username": "app", "pass": "rotated"},
                                                           mount_point="secret")
        stand_in.resync()
        assert ready(custom)["reason"] == "SecretSynced"
        assert base64.b64decode(core.read_namespaced_secret("db-creds", "data").data["DB_PASSWORD"]) == b"rotated"

        core.delete_namespaced_secret("db-creds", "data")  # the operator recreates what it owns
        assert core.read_namespaced_secret("db-creds", "data").data["DB_USER"]

        custom.delete_namespaced_custom_object(GROUP, VERSION, "data", "externalsecrets", "db")
        assert [s.metadata.name for s in core.list_namespaced_secret("data").items] == []


def test_mounted_file_from_a_synced_secret_disappears_and_the_pod_crashes(
        eso: tuple[KubeEmulator, ExternalSecretsStandIn], vault_client: hvac.Client) -> None:
    emu, stand_in = eso
    vault_client.secrets.kv.v2.create_or_update_secret("carbon/db", {"username": "app", "password": PASSWORD},
                                                       mount_point="secret")
    with emu.api_client() as api:
        core, custom = client.CoreV1Api(api), client.CustomObjectsApi(api)
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "secretstores", store())
        es = external_secret()
        es["spec"]["data"] = []
        es["spec"]["dataFrom"] = [{"extract": {"key": "carbon/db"}}]
        custom.create_namespaced_custom_object(GROUP, VERSION, "data", "externalsecrets", es)
        client.AppsV1Api(api).create_namespaced_deployment("data", app_deployment(
            "web", replicas=1, volumes=[{"name": "db", "secret": {"secretName": "db-creds"}}],
            mounts=[{"name": "db", "mountPath": "/etc/db"}], needs="file:/etc/db/password"))
        assert waiting(core.list_namespaced_pod("data").items[0]) is None

        vault_client.secrets.kv.v2.create_or_update_secret("carbon/db", {"username": "app"}, mount_point="secret")
        stand_in.resync()
        reason, message = waiting(core.list_namespaced_pod("data").items[0])  # type: ignore[misc]
        assert reason == "CrashLoopBackOff" and "file /etc/db/password" in message
