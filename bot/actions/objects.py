"""Desired-object helpers shared by the actions that create Kubernetes objects (network policies, RBAC).

Each desired object carries the `app.kubernetes.io/managed-by: carbon` label; `plan_object` compares it
with the live one (only the fields Carbon sets) and dry-runs the create or the server-side apply.
"""

from __future__ import annotations

from typing import Any

from bot.actions.base import Change
from bot.cluster.gateway import ClusterGateway
from bot.cluster.resources import resource

MANAGED_BY = {"app.kubernetes.io/managed-by": "carbon"}
BODY_FIELDS = ("spec", "rules", "roleRef", "subjects", "imagePullSecrets", "automountServiceAccountToken")


def desired(plural: str, namespace: str, name: str, **body: Any) -> dict[str, Any]:
    rtype = resource(plural)
    return {"apiVersion": rtype.api_version, "kind": rtype.kind,
            "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY)}, **body}


def matches(live: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(live.get(field) == want[field] for field in BODY_FIELDS if field in want)


def plan_object(kube: ClusterGateway, plural: str, want: dict[str, Any], changes: list[Change]) -> str | None:
    """'create', 'update' or None (already as wanted); appends the change and validates it by a dry run."""
    meta = want["metadata"]
    live = kube.get(plural, meta["name"], meta["namespace"])
    label = f"{resource(plural).kind.lower()} {meta['namespace']}/{meta['name']}"
    if live is None:
        kube.create(plural, want, dry_run=True)
        changes.append(Change("create", label))
        return "create"
    if not matches(live, want):
        kube.apply(plural, want, dry_run=True)
        changes.append(Change("update", label))
        return "update"
    return None


def apply_object(kube: ClusterGateway, plural: str, want: dict[str, Any], op: str) -> None:
    """Create when it was missing at plan time and still is; otherwise server-side apply."""
    meta = want["metadata"]
    if op == "create" and kube.get(plural, meta["name"], meta["namespace"]) is None:
        kube.create(plural, want)
    else:
        kube.apply(plural, want)


def label(plural: str, want: dict[str, Any]) -> str:
    return f"{resource(plural).kind.lower()} {want['metadata']['namespace']}/{want['metadata']['name']}"


def object_change(changes: dict[str, Change], plural: str, want: dict[str, Any]) -> Change | None:
    """The planned create or update of this object, if the plan had one."""
    return changes.get(f"create {label(plural, want)}") or changes.get(f"update {label(plural, want)}")
