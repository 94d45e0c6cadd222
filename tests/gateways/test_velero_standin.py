"""The Velero stand-in, driven through the real client: Schedules validated, Backups record what existed, Restores
recreate it under a namespace mapping, and failures say why."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.cluster.gateway import ClusterGateway
from bot.local.demo.velero import SCHEDULE_LABEL, VeleroStandIn, parse_duration, schedule_problem
from bot.local.emulator import KubeEmulator

NS = "velero"


@pytest.fixture
def cluster() -> Iterator[tuple[KubeEmulator, VeleroStandIn, ClusterGateway]]:
    with KubeEmulator(workloads=True) as emu:
        emu.add_all([
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"},
             "data": {"MODE": "prod"}},
            {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}], "clusterIP": "10.0.0.7"}},
            {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
             "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                      "template": {"metadata": {"labels": {"app": "web"}},
                                   "spec": {"containers": [{"name": "web", "image": "web:1"}]}}}},
            {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "default"}, "data": {}},
        ])
        yield emu, VeleroStandIn(emu).install(), ClusterGateway(emu.api_client())


def schedule(name: str = "nightly", cron: str = "0 2 * * *", namespaces: tuple[str, ...] = ("shop",)) -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": name, "namespace": NS},
            "spec": {"schedule": cron, "template": {"includedNamespaces": list(namespaces), "ttl": "72h0m0s",
                                                    "storageLocation": "default"}}}


def test_a_schedule_is_enabled_or_fails_validation_for_a_bad_cron(cluster: Any) -> None:
    _, _, kube = cluster
    kube.create("schedules", schedule())
    kube.create("schedules", schedule("broken", cron="0 25 * * *"))
    assert kube.get("schedules", "nightly", NS)["status"]["phase"] == "Enabled"
    broken = kube.get("schedules", "broken", NS)["status"]
    assert broken["phase"] == "FailedValidation" and "invalid schedule '0 25 * * *'" in broken["validationErrors"][0]
    assert kube.list_in("backups", NS) == []  # no immediate backup: the cron is not run


def test_a_triggered_backup_records_its_namespaces_and_completes(cluster: Any) -> None:
    emu, velero, kube = cluster
    kube.create("schedules", schedule())
    backup = velero.trigger("nightly")
    assert backup["metadata"]["name"].startswith("nightly-") and backup["metadata"]["labels"][SCHEDULE_LABEL] == "nightly"
    live = kube.get("backups", backup["metadata"]["name"], NS)
    assert live["spec"]["includedNamespaces"] == ["shop"]
    status = live["status"]
    assert status["phase"] == "Completed" and status["completionTimestamp"] and status["expiration"] > status["startTimestamp"]
    # the Deployment, its Service, ConfigMap and the namespace's default ServiceAccount; not the ReplicaSet or pods
    # (their owners bring them back)
    assert status["progress"] == {"totalItems": 4, "itemsBackedUp": 4}
    assert sorted(p for p, _ in velero.contents[backup["metadata"]["name"]]) == [
        "configmaps", "deployments", "serviceaccounts", "services"]
    assert kube.get("schedules", "nightly", NS)["status"]["lastBackup"]
    assert emu.list("pods", "shop")  # the workload model ran the source's pods


def test_a_restore_with_a_namespace_mapping_recreates_the_objects_there(cluster: Any) -> None:
    emu, velero, kube = cluster
    kube.create("schedules", schedule())
    backup = velero.trigger("nightly")["metadata"]["name"]
    kube.create("restores", {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": "drill", "namespace": NS},
                             "spec": {"backupName": backup, "includedNamespaces": ["shop"],
                                      "namespaceMapping": {"shop": "shop-drill"}}})
    status = kube.get("restores", "drill", NS)["status"]
    assert status["phase"] == "Completed" and status["progress"]["itemsRestored"] == 4 and status["errors"] == 0
    assert {o["metadata"]["name"] for o in kube.list_in("configmaps", "shop-drill")} == {"settings"}
    service = kube.get("services", "web", "shop-drill")
    assert "clusterIP" not in service["spec"] and service["metadata"]["labels"]["velero.io/restore-name"] == "drill"
    assert kube.get("deployments", "web", "shop-drill") is not None and emu.list("pods", "shop-drill")
    assert kube.get("configmaps", "other", "shop-drill") is None  # only the backup's namespaces
    # restoring again over what exists leaves it alone, with warnings
    kube.create("restores", {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": "again", "namespace": NS},
                             "spec": {"backupName": backup, "namespaceMapping": {"shop": "shop-drill"}}})
    again = kube.get("restores", "again", NS)["status"]
    assert again["phase"] == "Completed" and again["warnings"] == 4 and again["progress"]["itemsRestored"] == 0


def test_a_restore_of_a_missing_backup_fails_validation(cluster: Any) -> None:
    _, _, kube = cluster
    kube.create("restores", {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": "r", "namespace": NS},
                             "spec": {"backupName": "nope"}})
    status = kube.get("restores", "r", NS)["status"]
    assert status["phase"] == "FailedValidation" and status["validationErrors"] == ["backup 'nope' not found"]


def test_a_backup_to_an_unavailable_location_fails_validation() -> None:
    with KubeEmulator() as emu:
        VeleroStandIn(emu, storage_available=False).install()
        kube = ClusterGateway(emu.api_client())
        assert kube.get("backupstoragelocations", "default", NS)["status"]["phase"] == "Unavailable"
        kube.create("backups", {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b", "namespace": NS},
                                "spec": {"includedNamespaces": ["default"]}})
        status = kube.get("backups", "b", NS)["status"]
        assert status["phase"] == "FailedValidation" and "Unavailable" in status["validationErrors"][0]


def test_held_work_stays_in_progress_until_released(cluster: Any) -> None:
    _, velero, kube = cluster
    velero.hold()
    kube.create("backups", {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b", "namespace": NS},
                            "spec": {"includedNamespaces": ["shop"]}})
    assert kube.get("backups", "b", NS)["status"]["phase"] == "InProgress"
    velero.release()
    assert kube.get("backups", "b", NS)["status"]["phase"] == "Completed"


def restore(kube: ClusterGateway, name: str, backup: str) -> None:
    kube.create("restores", {"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": name, "namespace": NS},
                             "spec": {"backupName": backup, "namespaceMapping": {"shop": f"shop-{name}"}}})


def test_a_delete_backup_request_deletes_the_backup_its_contents_and_the_restores_made_from_it(cluster: Any) -> None:
    """As Velero's backup deletion controller does: a restore's record goes with the backup it restored."""
    _, velero, kube = cluster
    kube.create("schedules", schedule())
    name = velero.trigger("nightly")["metadata"]["name"]
    kube.create("backups", {"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "kept", "namespace": NS},
                            "spec": {"includedNamespaces": ["shop"]}})
    restore(kube, "from-deleted", name)
    restore(kube, "from-kept", "kept")
    kube.create("deletebackuprequests", {"apiVersion": "velero.io/v1", "kind": "DeleteBackupRequest",
                                         "metadata": {"name": f"{name}-delete", "namespace": NS},
                                         "spec": {"backupName": name}})
    assert kube.get("backups", name, NS) is None and name not in velero.contents
    assert kube.list_in("deletebackuprequests", NS) == []
    assert [r["metadata"]["name"] for r in kube.list_in("restores", NS)] == ["from-kept"]
    assert kube.get("backups", "kept", NS)["status"]["phase"] == "Completed"


def test_cron_and_durations_parse_as_velero_reads_them() -> None:
    assert schedule_problem("@every 6h") is None and schedule_problem("@daily") is None
    assert schedule_problem("0 2 * * 1-5") is None
    assert schedule_problem("every night") is not None and schedule_problem("0 2 * *") is not None
    assert parse_duration("720h0m0s") is not None and parse_duration("720h0m0s").days == 30  # type: ignore[union-attr]
    assert parse_duration("30d") is None and parse_duration("") is None and parse_duration("12") is None
