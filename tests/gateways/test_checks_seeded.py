"""Each new check kind against the emulated 254Carbon platform as the demo seeds it (and real OpenBao)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import hvac
import pytest

from bot import messages
from bot.checks import State
from bot.local.demo.seed import CREDENTIAL_CONFIGMAPS, MIGRATED
from bot.local.demo.seed import seed_vault as seed
from bot.local.emulator import KubeEmulator
from bot.progress.measure import PlanProgress
from tests.fixtures.bot import Carbon

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.fixture
def seeded(carbon: Carbon, vault_client: hvac.Client) -> Carbon:
    seed(vault_client)
    carbon.services.clock.now = lambda: NOW
    return carbon


def measured(carbon: Carbon) -> PlanProgress:
    return carbon.services.meter.measure()


def result(view: PlanProgress, task_id: str) -> Any:
    item = view.task(task_id)
    assert item is not None
    return item.result


def test_secrets_3_of_12_migrated_with_the_9_remaining_named(seeded: Carbon) -> None:
    found = result(measured(seeded), "secrets-migration")
    assert (found.state, found.fraction, found.summary) == (State.PARTIAL, 0.25, "3/12 credential keys in Vault")
    remaining = [line for line in found.evidence if "still in the ConfigMap" in line]
    assert len(remaining) == 9
    assert "data-platform/minio-config/MINIO_ROOT_PASSWORD: still in the ConfigMap → Vault " \
           "secret/carbon/data-platform/minio-config#MINIO_ROOT_PASSWORD" in found.evidence
    migrated = sorted(line.split(" → ")[0] for line in found.evidence if line.endswith(": migrated"))
    assert migrated == sorted(f"data-platform/{cm}/{key}" for cm, keys in MIGRATED.items() for key in keys)
    values = [v for data in (*CREDENTIAL_CONFIGMAPS.values(), *MIGRATED.values()) for v in data.values()]
    assert not [v for v in values if any(v in line for line in (*found.evidence, found.summary))]


def test_secrets_without_vault_copies_is_0_and_a_copy_left_in_the_configmap_is_not_done(
        carbon: Carbon, vault_client: hvac.Client, platform: KubeEmulator) -> None:
    assert result(measured(carbon), "secrets-migration").summary == "0/9 credential keys in Vault"
    seed(vault_client)
    cm = platform.get("configmaps", "portal-config", "data-platform")
    cm["data"]["PORTAL_SESSION_SECRET"] = "still-here"
    platform.add(cm)
    found = result(measured(carbon), "secrets-migration")
    assert found.summary == "2/12 credential keys in Vault"
    assert any(line.startswith("data-platform/portal-config/PORTAL_SESSION_SECRET: in Vault but still in the ConfigMap")
               for line in found.evidence)


def test_network_policies_one_default_deny_of_five_namespaces_and_no_allow_rules(seeded: Carbon) -> None:
    found = result(measured(seeded), "network-policies")
    # registry's default-deny has no allow rule: the declared ingress-to-harbor flow is blocked, and counts
    assert (found.state, found.fraction) == (State.FAILING, 1 / 9)
    assert found.summary == "1/8 required policies present; " + messages.blocked_flows_summary(1, 26)
    assert found.evidence[0].startswith("blocked: ingress-to-harbor: ingress-nginx → registry/harbor:8080 (ingress to ")
    assert found.evidence[0].endswith("; isolated by registry/default-deny-ingress)")
    assert "registry: default-deny by registry/default-deny-ingress" in found.evidence
    assert "data-platform: no default-deny ingress policy" in found.evidence
    assert "allow ingress-nginx → portal: missing in data-platform" in found.evidence


def test_network_policies_count_what_is_added(seeded: Carbon, platform: KubeEmulator) -> None:
    platform.add({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                  "metadata": {"name": "deny", "namespace": "data-platform"},
                  "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
    platform.add({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                  "metadata": {"name": "minio-from-trino", "namespace": "data-platform"},
                  "spec": {"podSelector": {"matchLabels": {"app": "minio"}}, "policyTypes": ["Ingress"],
                           "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "trino-coordinator"}}}]}]}})
    found = result(measured(seeded), "network-policies")
    assert found.summary.startswith("3/8 required policies present; ")
    assert "allow trino-coordinator → minio: by data-platform/minio-from-trino" in found.evidence
    blocked = {line.split(":")[1].strip() for line in found.evidence if line.startswith("blocked: ")}
    assert "trino-coordinator-to-minio" not in blocked  # the policy admits it
    assert {"ingress-to-portal", "superset-to-trino", "trino-workers-to-minio", "ingress-to-harbor"} <= blocked


def test_rbac_names_default_service_accounts_and_the_cluster_admin_binding(seeded: Carbon) -> None:
    found = result(measured(seeded), "rbac-least-privilege")
    assert (found.fraction, found.summary) == (0.2, "3/15 RBAC requirements met")
    assert "Deployment data-platform/minio runs as the default ServiceAccount" in found.evidence
    assert not any("lakefs runs" in line or "portal runs" in line for line in found.evidence)
    assert ("ServiceAccount data-platform/dolphinscheduler is bound to cluster-admin by ClusterRoleBinding "
            "dolphinscheduler-admin") in found.evidence


def test_rbac_wildcard_role_is_an_offender(seeded: Carbon, platform: KubeEmulator) -> None:
    role = platform.get("roles", "portal-reader", "data-platform")
    role["rules"] = [{"apiGroups": [""], "resources": ["*"], "verbs": ["*"]}]
    platform.add(role)
    found = result(measured(seeded), "rbac-least-privilege")
    assert "Role data-platform/portal-reader: wildcard resources and verbs" in found.evidence


def test_one_node_of_three_and_no_replicas_or_pdbs(seeded: Carbon) -> None:
    view = measured(seeded)
    nodes = result(view, "multi-node")
    assert (nodes.fraction, nodes.evidence) == (1 / 3, ("1 Ready node(s) (carbon-node-1); 3 wanted",))
    replicas = result(view, "critical-replicas")
    assert (replicas.fraction, replicas.summary) == (0.0, "0/3 at ≥ 2 ready replicas with a PDB")
    assert "Deployment data-platform/minio: 1/2 ready replicas, no PodDisruptionBudget" in replicas.evidence


def test_replicas_count_a_scaled_deployment_with_a_pdb(seeded: Carbon, platform: KubeEmulator) -> None:
    minio = platform.get("deployments", "minio", "data-platform")
    minio["spec"]["replicas"], minio["status"]["readyReplicas"] = 2, 2
    platform.add(minio)
    platform.add({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                  "metadata": {"name": "minio", "namespace": "data-platform"},
                  "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "minio"}}}})
    assert result(measured(seeded), "critical-replicas").summary == "1/3 at ≥ 2 ready replicas with a PDB"


def test_velero_served_but_empty_is_0_with_evidence(seeded: Carbon) -> None:
    view = measured(seeded)
    assert result(view, "velero-schedules").evidence == ("0 Schedule object(s), 0 matching with status.phase=Enabled",)
    assert result(view, "recent-backup").state == State.FAILING


def test_velero_not_installed_is_a_measured_0_not_unknown(seeded: Carbon, platform: KubeEmulator) -> None:
    for plural in ("schedules", "backups", "restores"):
        platform.fail(plural, status=404)
    view = measured(seeded)
    for task_id in ("velero-schedules", "recent-backup", "restore-tested"):
        found = result(view, task_id)
        assert (found.state, found.fraction, found.evidence) == (State.FAILING, 0.0, ("Velero is not installed",))


def test_velero_forbidden_is_unknown(seeded: Carbon, platform: KubeEmulator) -> None:
    platform.fail("backups", status=403)
    found = result(measured(seeded), "recent-backup")
    assert found.state == State.UNKNOWN and "403" in found.summary


def backup(name: str, phase: str, completed: datetime, plural_kind: str = "Backup") -> dict[str, Any]:
    return {"apiVersion": "velero.io/v1", "kind": plural_kind, "metadata": {"name": name, "namespace": "velero"},
            "spec": {}, "status": {"phase": phase, "completionTimestamp": completed.strftime("%Y-%m-%dT%H:%M:%SZ")}}


def test_backup_within_24h_and_restore_within_30_days(seeded: Carbon, platform: KubeEmulator) -> None:
    platform.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "velero"}})
    platform.add(backup("nightly-old", "Completed", NOW - timedelta(hours=30)))
    platform.add(backup("nightly-failed", "Failed", NOW - timedelta(hours=2)))
    found = result(measured(seeded), "recent-backup")
    assert found.fraction == 0.0
    assert found.evidence[0] == "2 Backup object(s), 0 matching with status.phase=Completed, " \
                                "status.completionTimestamp within 24 h"
    platform.add(backup("nightly-new", "Completed", NOW - timedelta(hours=3)))
    platform.add(backup("drill", "Completed", NOW - timedelta(days=12), "Restore"))
    view = measured(seeded)
    assert result(view, "recent-backup").state == State.DONE
    assert "velero/nightly-new: matches" in result(view, "recent-backup").evidence
    assert result(view, "restore-tested").state == State.DONE


def test_every_bundled_task_is_measured_attested_pending_or_unknown_with_a_reason(seeded: Carbon) -> None:
    view = measured(seeded)
    for phase in view.phases:
        for item in phase.tasks:
            assert item.result.summary, item.task.id
            if item.result.state == State.UNKNOWN:
                assert item.task.id == "api-latency" and "Prometheus" in item.result.summary
            elif item.result.state == State.PENDING:
                assert item.task.check.kind == "manual"
            else:
                assert item.result.fraction is not None
