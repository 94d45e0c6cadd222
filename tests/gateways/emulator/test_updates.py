"""PUT semantics: optimistic concurrency, generation, dry-run, and a leader-election Lease flow."""

from __future__ import annotations

import datetime as dt

import pytest
from kubernetes import client
from kubernetes.client.exceptions import ApiException

from bot.local.emulator import KubeEmulator
from tests.gateways.emulator.builders import deployment_manifest, pod


def test_replace_bumps_resource_version_and_generation(emu: KubeEmulator, apps: client.AppsV1Api) -> None:
    emu.add(deployment_manifest("trino"))
    dep = apps.read_namespaced_deployment("trino", "data")
    assert dep.metadata.generation == 1
    dep.spec.template.spec.containers[0].image = "trino:2"
    updated = apps.replace_namespaced_deployment("trino", "data", dep)
    assert updated.metadata.generation == 2
    assert int(updated.metadata.resource_version) > int(dep.metadata.resource_version)
    assert updated.metadata.uid == dep.metadata.uid

    updated.metadata.labels["extra"] = "yes"
    relabeled = apps.replace_namespaced_deployment("trino", "data", updated)
    assert relabeled.metadata.generation == 2  # metadata-only change: no new generation


def test_noop_replace_keeps_resource_version(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    cm = core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="c"), data={"a": "1"}))
    again = core.replace_namespaced_config_map("c", "default", cm)
    assert again.metadata.resource_version == cm.metadata.resource_version


def test_stale_resource_version_is_409_conflict(core: client.CoreV1Api) -> None:
    cm = core.create_namespaced_config_map("default", client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name="c"), data={"a": "1"}))
    cm.data = {"a": "2"}
    core.replace_namespaced_config_map("c", "default", cm)
    cm.data = {"a": "3"}
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_config_map("c", "default", cm)  # still carries the old resourceVersion
    assert err.value.status == 409
    assert "the object has been modified" in err.value.body
    with pytest.raises(ApiException) as err:
        core.patch_namespaced_config_map("c", "default", {"metadata": {"resourceVersion": "1"}, "data": {"a": "4"}})
    assert err.value.status == 409
    assert core.read_namespaced_config_map("c", "default").data == {"a": "2"}


def test_replace_missing_and_renamed_objects(core: client.CoreV1Api) -> None:
    cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="c"))
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_config_map("c", "default", cm)
    assert err.value.status == 404
    core.create_namespaced_config_map("default", cm)
    with pytest.raises(ApiException) as err:
        core.replace_namespaced_config_map("c", "default", client.V1ConfigMap(metadata=client.V1ObjectMeta(name="d")))
    assert err.value.status == 400


def test_dry_run_stores_nothing_and_bumps_nothing(emu: KubeEmulator, core: client.CoreV1Api) -> None:
    before = core.list_namespaced_pod("default").metadata.resource_version
    would_be = core.create_namespaced_pod("default", pod("ghost"), dry_run="All")
    assert would_be.metadata.name == "ghost" and would_be.metadata.uid
    assert emu.get("pods", "ghost", "default") is None
    assert core.list_namespaced_pod("default").metadata.resource_version == before

    real = core.create_namespaced_pod("default", pod("real"))
    real.metadata.labels = {"changed": "yes"}
    replaced = core.replace_namespaced_pod("real", "default", real, dry_run="All")
    assert replaced.metadata.labels == {"changed": "yes"}
    patched = core.patch_namespaced_pod("real", "default", {"metadata": {"labels": {"p": "1"}}}, dry_run="All")
    assert patched.metadata.labels == {"p": "1"}
    core.delete_namespaced_pod("real", "default", dry_run="All")
    stored = emu.get("pods", "real", "default")
    assert stored is not None and "labels" not in stored["metadata"]
    assert stored["metadata"]["resourceVersion"] == real.metadata.resource_version
    assert core.list_namespaced_pod("default").metadata.resource_version == real.metadata.resource_version


def test_lease_leader_election_cycle(emu: KubeEmulator, api: client.ApiClient) -> None:
    coord = client.CoordinationV1Api(api)
    now = dt.datetime.now(dt.UTC)
    lease = client.V1Lease(
        metadata=client.V1ObjectMeta(name="carbon-leader"),
        spec=client.V1LeaseSpec(holder_identity="bot-a", lease_duration_seconds=15, acquire_time=now,
                                renew_time=now, lease_transitions=0),
    )
    created = coord.create_namespaced_lease("default", lease)
    with pytest.raises(ApiException) as err:  # a second candidate loses the create race
        coord.create_namespaced_lease("default", lease)
    assert err.value.status == 409

    mine = coord.read_namespaced_lease("carbon-leader", "default")
    theirs = coord.read_namespaced_lease("carbon-leader", "default")
    mine.spec.renew_time = now + dt.timedelta(seconds=5)
    renewed = coord.replace_namespaced_lease("carbon-leader", "default", mine)
    assert renewed.spec.renew_time == now + dt.timedelta(seconds=5)
    assert int(renewed.metadata.resource_version) > int(created.metadata.resource_version)

    theirs.spec.holder_identity = "bot-b"
    theirs.spec.lease_transitions = 1
    with pytest.raises(ApiException) as err:  # the stale takeover must fail
        coord.replace_namespaced_lease("carbon-leader", "default", theirs)
    assert err.value.status == 409
    assert coord.read_namespaced_lease("carbon-leader", "default").spec.holder_identity == "bot-a"
