"""Risk rules over the seeded 254Carbon platform and over objects that make each rule fire or pass."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import hvac

from bot.cluster.gateway import ClusterGateway
from bot.local.emulator import KubeEmulator
from bot.risks import Severity, default_rules, scan
from bot.risks.cluster_rules import from_docker_hub
from bot.snapshot.snapshot import Snapshot
from bot.vault.gateway import VaultGateway

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def snapshot(kube: KubeEmulator, vault: hvac.Client | None = None) -> Snapshot:
    return Snapshot(ClusterGateway(kube.api_client()), VaultGateway(vault) if vault else None, NOW)


def by_rule(findings: list) -> dict[str, list]:
    found: dict[str, list] = {}
    for finding in findings:
        found.setdefault(finding.rule, []).append(finding)
    return found


def test_the_seed_reports_risks_are_found_on_the_demo_platform(platform: KubeEmulator, vault_client: hvac.Client) -> None:
    findings = scan(snapshot(platform, vault_client), NOW)
    rules = by_rule(findings)
    assert rules["single_node"][0].severity == Severity.HIGH
    assert rules["no_automated_backups"][0].severity == Severity.CRITICAL  # no Velero in the seed
    assert rules["restore_untested"][0].subject == "velero"
    assert [f.subject for f in rules["certificate_not_ready"]] == ["data-platform/dolphinscheduler-tls"]
    assert [f.subject for f in rules["failing_pods"]] == ["data-platform/doris-be"]
    assert "registry" in rules["docker_hub_images"][0].detail and len(rules["docker_hub_images"]) == 1
    assert "data-platform/superset-config" in {f.subject for f in rules["plaintext_credentials"]}
    assert "data-platform" in rules["no_default_deny"][0].detail and len(rules["no_default_deny"]) == 1
    assert [f.subject for f in rules["cluster_admin_sa"]] == ["data-platform/dolphinscheduler"]
    assert "vault_sealed" not in rules and "issuer_not_acme" not in rules
    assert [f.severity.rank for f in findings] == sorted(f.severity.rank for f in findings)


def test_credential_findings_name_keys_never_values(platform: KubeEmulator) -> None:
    text = repr(scan(snapshot(platform), NOW))
    assert "EBEAN_DATASOURCE_PASSWORD" in text
    assert "demo-datahub-db-pass" not in text and "demo-superset-secret" not in text


def test_fingerprints_are_stable_when_severity_and_wording_change(kube: KubeEmulator) -> None:
    cert = {"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": {"name": "web", "namespace": "apps"},
            "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "True"}],
                                   "notAfter": (NOW + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%SZ")}}
    kube.add(cert)
    rules = {"certificate_expiring": default_rules()["certificate_expiring"]}
    first = scan(snapshot(kube), NOW, rules)
    later = scan(snapshot(kube), NOW + timedelta(days=5), rules)
    assert [f.severity for f in first] == [Severity.MEDIUM] and [f.severity for f in later] == [Severity.HIGH]
    assert first[0].fingerprint == later[0].fingerprint and first[0].title != later[0].title
    assert scan(snapshot(kube), NOW + timedelta(days=11), rules)[0].severity == Severity.CRITICAL


def test_velero_with_a_recent_backup_and_restore_is_not_a_risk(kube: KubeEmulator) -> None:
    done = {"phase": "Completed", "completionTimestamp": (NOW - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}
    kube.add({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "daily", "namespace": "velero"},
              "spec": {"schedule": "0 1 * * *"}})
    kube.add({"apiVersion": "velero.io/v1", "kind": "Backup", "metadata": {"name": "b1", "namespace": "velero"},
              "spec": {}, "status": done})
    rules = {k: default_rules()[k] for k in ("no_automated_backups", "restore_untested")}
    assert [f.rule for f in scan(snapshot(kube), NOW, rules)] == ["restore_untested"]
    assert [f.severity for f in scan(snapshot(kube), NOW + timedelta(days=2), rules)
            if f.rule == "no_automated_backups"] == [Severity.HIGH]
    kube.add({"apiVersion": "velero.io/v1", "kind": "Restore", "metadata": {"name": "r1", "namespace": "velero"},
              "spec": {}, "status": done})
    assert scan(snapshot(kube), NOW, rules) == []


def test_unreadable_lists_give_no_finding_but_unreachable_vault_does(platform: KubeEmulator) -> None:
    platform.fail("pods", status=403)
    rules = by_rule(scan(snapshot(platform), NOW))
    assert "failing_pods" not in rules and "docker_hub_images" not in rules
    unreachable = hvac.Client(url="http://127.0.0.1:9", timeout=1)
    found = by_rule(scan(snapshot(platform, unreachable), NOW))["vault_sealed"]
    assert found[0].severity == Severity.CRITICAL and "unreachable" in found[0].title


def test_rbac_issuer_and_default_deny_rules(kube: KubeEmulator) -> None:
    kube.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    kube.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "locked"}})
    kube.add({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
              "metadata": {"name": "default-deny", "namespace": "locked"},
              "spec": {"podSelector": {}, "policyTypes": ["Ingress"]}})
    kube.add({"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "selfsigned"},
              "spec": {"selfSigned": {}}})
    kube.add({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "ci-admin"},
              "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
              "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": "apps"},
                           {"kind": "ServiceAccount", "name": "coredns", "namespace": "kube-system"}]})
    rules = by_rule(scan(snapshot(kube), NOW))
    assert [f.title for f in rules["no_default_deny"]] == ["1 namespace(s) without a default-deny NetworkPolicy"]
    assert rules["no_default_deny"][0].detail.endswith(": apps")
    assert [f.subject for f in rules["issuer_not_acme"]] == ["selfsigned"]
    assert [f.subject for f in rules["cluster_admin_sa"]] == ["apps/deployer"]


def test_docker_hub_images_are_recognised() -> None:
    assert from_docker_hub("grafana/grafana:10") and from_docker_hub("nginx") and from_docker_hub("docker.io/minio/minio")
    assert not from_docker_hub("harbor.254carbon.com/data/trino:435") and not from_docker_hub("quay.io/prometheus/x")
    assert not from_docker_hub("localhost:5000/app")
