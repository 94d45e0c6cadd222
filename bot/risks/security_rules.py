"""Risk rules about security: certificates, issuers, credentials in ConfigMaps, network isolation, RBAC.

Only key names and object names reach a finding, never a ConfigMap value.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot.messages import when
from bot.risks.base import RiskFinding, Rule, Severity
from bot.snapshot.credentials import compile_patterns, credential_keys
from bot.snapshot.objects import SYSTEM_NAMESPACES, condition, in_namespaces, meta, parse_time, ref
from bot.snapshot.snapshot import Snapshot

EXPIRY_WARN = timedelta(days=14)
EXPIRY_URGENT = timedelta(days=7)
CREDENTIALS = compile_patterns()


def certificates_not_ready(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    found = []
    for cert in snapshot.items("certificates"):
        ready = condition(cert, "Ready")
        if not ready or ready.get("status") != "True":
            reason = (ready or {}).get("reason") or "no Ready condition"
            found.append(RiskFinding("certificate_not_ready", Severity.HIGH, ref(cert), f"Certificate {ref(cert)} is not Ready",
                                     f"{reason}: {(ready or {}).get('message', '')}".rstrip(": ")))
    return found


def certificates_expiring(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    """Medium within 14 days, high within 7, critical once expired: one finding whose severity rises."""
    found = []
    for cert in snapshot.items("certificates"):
        not_after = parse_time((cert.get("status") or {}).get("notAfter"))
        if not_after is None or not_after - now > EXPIRY_WARN:
            continue
        left = not_after - now
        severity = Severity.CRITICAL if left <= timedelta(0) else Severity.HIGH if left <= EXPIRY_URGENT else Severity.MEDIUM
        due = "expired" if left <= timedelta(0) else f"expires in {left.days} day(s)"
        found.append(RiskFinding("certificate_expiring", severity, ref(cert), f"Certificate {ref(cert)} {due}",
                                 f"notAfter {when(not_after, named=False)} UTC; is renewal working?"))
    return found


def issuers_not_acme(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    return [RiskFinding("issuer_not_acme", Severity.MEDIUM, ref(issuer), f"ClusterIssuer {ref(issuer)} is not ACME",
                        "certificates from it are not renewed by a public CA automatically")
            for issuer in snapshot.items("clusterissuers") if not (issuer.get("spec") or {}).get("acme")]


def plaintext_credentials(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    found = []
    for configmap in in_namespaces(snapshot.items("configmaps")):
        keys = credential_keys(configmap, CREDENTIALS)
        if keys:
            found.append(RiskFinding("plaintext_credentials", Severity.HIGH, ref(configmap),
                                     f"{len(keys)} credential(s) in plain text in ConfigMap {ref(configmap)}",
                                     "keys: " + ", ".join(k.key for k in keys) + "; move them to Vault"))
    return found


def _default_deny(policy: dict[str, Any]) -> bool:
    """An empty podSelector with Ingress in policyTypes and no ingress rules: every pod denied by default."""
    spec = policy.get("spec") or {}
    selector = spec.get("podSelector") or {}
    return (not selector.get("matchLabels") and not selector.get("matchExpressions")
            and "Ingress" in (spec.get("policyTypes") or ["Ingress"]) and not spec.get("ingress"))


def namespaces_without_default_deny(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    """One finding for all such namespaces (a cluster of tenants would otherwise be a hundred alerts)."""
    covered = {meta(p).get("namespace") for p in snapshot.items("networkpolicies") if _default_deny(p)}
    names = sorted(str(meta(ns).get("name")) for ns in snapshot.items("namespaces"))
    open_ = [n for n in names if n not in covered and n not in SYSTEM_NAMESPACES and n != "default"]
    if not open_:
        return []
    shown = ", ".join(open_[:8]) + (f" and {len(open_) - 8} more" if len(open_) > 8 else "")
    return [RiskFinding("no_default_deny", Severity.MEDIUM, "namespaces",
                        f"{len(open_)} namespace(s) without a default-deny NetworkPolicy",
                        f"any pod can reach any pod in: {shown}")]


def cluster_admin_service_accounts(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    found: dict[str, RiskFinding] = {}
    for binding in snapshot.items("clusterrolebindings"):
        if (binding.get("roleRef") or {}).get("name") != "cluster-admin":
            continue
        for subject in binding.get("subjects") or []:
            ns = subject.get("namespace", "")
            if subject.get("kind") != "ServiceAccount" or ns in SYSTEM_NAMESPACES:
                continue
            who = f"{ns}/{subject.get('name', '?')}"
            found.setdefault(who, RiskFinding("cluster_admin_sa", Severity.HIGH, who,
                                              f"ServiceAccount {who} is bound to cluster-admin",
                                              f"through ClusterRoleBinding {ref(binding)}: a compromised pod owns the cluster"))
    return list(found.values())


RULES: dict[str, Rule] = {
    "certificate_not_ready": certificates_not_ready,
    "certificate_expiring": certificates_expiring,
    "issuer_not_acme": issuers_not_acme,
    "plaintext_credentials": plaintext_credentials,
    "no_default_deny": namespaces_without_default_deny,
    "cluster_admin_sa": cluster_admin_service_accounts,
}
# The kinds each rule reads, for the rules whose findings depend on nothing else (see cluster_rules.READS).
READS: dict[str, tuple[str, ...]] = {
    "certificate_not_ready": ("certificates",),
    "issuer_not_acme": ("clusterissuers",),
    "plaintext_credentials": ("configmaps",),
    "no_default_deny": ("networkpolicies", "namespaces"),
    "cluster_admin_sa": ("clusterrolebindings",),
}
