"""The write paths the actions rely on, against real OpenBao and the emulated API server."""

from __future__ import annotations

import hvac
import pytest

from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable
from bot.local.emulator import KubeEmulator
from bot.vault.gateway import VaultGateway


def test_kv_write_is_check_and_set_so_a_concurrent_writer_is_never_overwritten(vault_client: hvac.Client) -> None:
    vault = VaultGateway(vault_client)
    assert vault.kv_read("carbon/test/cas") == ({}, 0)
    assert vault.kv_write("carbon/test/cas", {"A": "one"}, cas=0) == 1
    vault_client.secrets.kv.v2.create_or_update_secret(path="carbon/test/cas", secret={"A": "theirs"}, mount_point="secret")
    with pytest.raises(Unavailable, match="check-and-set"):
        vault.kv_write("carbon/test/cas", {"A": "ours"}, cas=1)
    assert vault.kv_read("carbon/test/cas") == ({"A": "theirs"}, 2)


def test_dry_run_writes_change_nothing(kube: KubeEmulator) -> None:
    gateway = ClusterGateway(kube.api_client())
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "apps"}, "data": {"K": "v"}}
    kube.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    gateway.create("configmaps", cm, dry_run=True)
    assert kube.get("configmaps", "c", "apps") is None
    gateway.create("configmaps", cm)
    gateway.patch("configmaps", "c", "apps", {"data": {"K": None}}, dry_run=True)
    assert kube.get("configmaps", "c", "apps")["data"] == {"K": "v"}
    gateway.patch("configmaps", "c", "apps", [{"op": "test", "path": "/data/K", "value": "v"},
                                              {"op": "remove", "path": "/data/K"}], patch="json")
    assert not kube.get("configmaps", "c", "apps").get("data")
    gateway.delete("configmaps", "c", "apps", dry_run=True)
    assert kube.get("configmaps", "c", "apps") is not None
