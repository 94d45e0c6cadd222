"""Least-privilege RBAC: own ServiceAccounts, no cluster-admin for workloads, tight Roles.

Items counted: each Deployment/StatefulSet of the namespaces (not on `default`), one item for "no
ServiceAccount outside the system namespaces is bound to cluster-admin" (cluster- or namespace-wide
bindings), and each listed Role (exists, no `*` verb or resource). Evidence names every offender.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.objects import SYSTEM_NAMESPACES, meta, ref, service_account
from bot.snapshot.snapshot import Snapshot


class RbacParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    roles: tuple[str, ...] = Field((), description="namespace/name of Roles that must exist without wildcards")
    system_namespaces: tuple[str, ...] = tuple(sorted(SYSTEM_NAMESPACES))


def cluster_admin_subjects(bindings: list[dict[str, Any]], system: set[str]) -> list[str]:
    offenders = []
    for binding in bindings:
        role = binding.get("roleRef") or {}
        if role.get("kind") != "ClusterRole" or role.get("name") != "cluster-admin":
            continue
        for subject in binding.get("subjects") or []:
            ns = subject.get("namespace") or meta(binding).get("namespace")
            if subject.get("kind") == "ServiceAccount" and ns not in system:
                how = "RoleBinding" if meta(binding).get("namespace") else "ClusterRoleBinding"
                offenders.append(f"ServiceAccount {ns}/{subject.get('name')} is bound to cluster-admin by {how} {ref(binding)}")
    return offenders


def role_problem(role: dict[str, Any] | None) -> str | None:
    if role is None:
        return "missing"
    wild = [w for rule in role.get("rules") or [] for w in ("verbs", "resources")
            if "*" in (rule.get(w) or [])]
    return f"wildcard {' and '.join(sorted(set(wild)))}" if wild else None


def rbac(params: RbacParams, snapshot: Snapshot) -> CheckResult:
    wanted = set(params.namespaces)
    workloads = [(kind, w) for kind, plural in (("Deployment", "deployments"), ("StatefulSet", "statefulsets"))
                 for w in snapshot.items(plural, wanted) if meta(w).get("namespace") in wanted]
    on_default = [f"{kind} {ref(w)} runs as the default ServiceAccount"
                  for kind, w in workloads if service_account(w) == "default"]
    bindings = [*snapshot.items("clusterrolebindings"), *snapshot.items("rolebindings")]
    admins = cluster_admin_subjects(bindings, set(params.system_namespaces))
    evidence = list(admins)  # the most severe first: evidence is clipped in Slack
    done = len(workloads) - len(on_default) + (not admins)
    if params.roles:
        roles = {ref(r): r for r in snapshot.items("roles")}
        for wanted_role in params.roles:
            problem = role_problem(roles.get(wanted_role))
            if problem:
                evidence.append(f"Role {wanted_role}: {problem}")
            else:
                done += 1
    evidence += on_default
    total = len(workloads) + 1 + len(params.roles)
    return CheckResult.measured(done, total, f"{done}/{total} RBAC requirements met", evidence)


RBAC = CheckKind("rbac", RbacParams, rbac,
                 "Own ServiceAccounts, no cluster-admin bindings for workloads, listed Roles without wildcards.",
                 reads=("deployments", "statefulsets", "clusterrolebindings", "rolebindings", "roles"))
