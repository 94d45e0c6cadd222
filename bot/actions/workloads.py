"""Workload lookups shared by the actions: Deployments and StatefulSets of some namespaces, by plural."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.cluster.gateway import ClusterGateway

WORKLOAD_PLURALS = {"deployments": "deployment", "statefulsets": "statefulset"}


def workloads_in(kube: ClusterGateway, namespaces: Iterable[str]) -> list[tuple[str, dict[str, Any]]]:
    """(plural, object) for every Deployment and StatefulSet in `namespaces`: one list per kind."""
    wanted = set(namespaces)
    return [(plural, obj) for plural in WORKLOAD_PLURALS for obj in kube.list_all(plural)
            if obj["metadata"].get("namespace") in wanted]
