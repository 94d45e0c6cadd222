"""Risk rules about the cluster's resilience: nodes, backups, restores, failing pods, image sources, Vault.

These are the seed report's risk assessment: one node, no Velero, restores never tried, pods in
CrashLoopBackOff, images pulled from Docker Hub (rate limits), Vault sealed or unreachable.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from bot.cluster.gateway import NotFound
from bot.errors import Unavailable
from bot.messages import when
from bot.risks.base import RiskFinding, Rule, Severity
from bot.snapshot.objects import containers, in_namespaces, meta, parse_time, pod_waiting_reasons, ref
from bot.snapshot.snapshot import Snapshot

BACKUP_MAX_AGE = timedelta(hours=24)
RESTORE_MAX_AGE = timedelta(days=30)
FAILING_WAITS = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull"})
DOCKER_HUB_HOSTS = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


def single_node(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    nodes = snapshot.items("nodes")
    if len(nodes) != 1:
        return []
    return [RiskFinding("single_node", Severity.HIGH, "cluster", "Single-node cluster",
                        f"everything runs on {ref(nodes[0])}: losing it loses the platform")]


def _velero(snapshot: Snapshot, plural: str) -> list[dict[str, Any]] | None:
    """The Velero objects, or None when Velero is not installed (its CRDs answer 404)."""
    try:
        return snapshot.items(plural)
    except NotFound:
        return None


def _latest_completed(objs: list[dict[str, Any]]) -> datetime | None:
    times = [parse_time((o.get("status") or {}).get("completionTimestamp")) for o in objs
             if (o.get("status") or {}).get("phase") == "Completed"]
    return max((t for t in times if t), default=None)


def no_automated_backups(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    def finding(severity: Severity, detail: str) -> list[RiskFinding]:
        return [RiskFinding("no_automated_backups", severity, "velero", "No automated backups", detail)]

    schedules = _velero(snapshot, "schedules")
    if schedules is None:
        return finding(Severity.CRITICAL, "Velero is not installed: nothing backs the platform up")
    if not schedules:
        return finding(Severity.CRITICAL, "Velero has no backup Schedule")
    latest = _latest_completed(_velero(snapshot, "backups") or [])
    if latest is None:
        return finding(Severity.HIGH, f"{len(schedules)} schedule(s) but no backup has ever completed")
    if now - latest > BACKUP_MAX_AGE:
        return finding(Severity.HIGH, f"the last successful backup finished {when(latest, named=False)} UTC (over 24 h ago)")
    return []


def restore_untested(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    restores = _velero(snapshot, "restores")
    latest = _latest_completed(restores or [])
    if latest is not None and now - latest <= RESTORE_MAX_AGE:
        return []
    detail = "no restore has ever completed" if latest is None else f"the last restore completed {when(latest, time=False)}"
    return [RiskFinding("restore_untested", Severity.MEDIUM, "velero", "Restore not tested in 30 days", detail)]


def failing_pods(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    """One finding per workload (the pod's `app` label, else its name), so a restarted pod stays the same finding."""
    return [f for part in snapshot.per_namespace("pods", "failing_pods", _failing_in) for f in part]


def _failing_in(pods: list[dict[str, Any]]) -> list[RiskFinding]:
    found = []
    for pod in pods:
        reasons = sorted(set(pod_waiting_reasons(pod)) & FAILING_WAITS)
        if reasons:
            m = meta(pod)
            subject = f"{m.get('namespace', '')}/{(m.get('labels') or {}).get('app') or m.get('name', '?')}"
            found.append(RiskFinding("failing_pods", Severity.HIGH, subject, f"Pod {ref(pod)} is in {', '.join(reasons)}",
                                     "the workload is down or restarting in a loop"))
    return found


def from_docker_hub(image: str) -> bool:
    """An image with no registry host (`grafana/grafana`) or an explicit Docker Hub host."""
    first, _, rest = image.partition("/")
    if not rest:
        return True
    if "." not in first and ":" not in first and first != "localhost":
        return True
    return first in DOCKER_HUB_HOSTS


def docker_hub_images(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    """One finding for the cluster, naming the namespaces and images (one alert, not one per namespace)."""
    by_namespace: dict[str, set[str]] = defaultdict(set)
    for part in snapshot.per_namespace("pods", "docker_hub_images", _docker_hub_in):
        for namespace, image in part:
            by_namespace[namespace].add(image)
    if not by_namespace:
        return []
    images = sorted(set().union(*by_namespace.values()))
    namespaces = sorted(by_namespace)
    return [RiskFinding("docker_hub_images", Severity.MEDIUM, "cluster",
                        f"{len(images)} image(s) in {len(namespaces)} namespace(s) pulled from Docker Hub",
                        "Docker Hub rate limits can stop pods from starting; mirror them to the private registry: "
                        + ", ".join(images[:6]) + (f" and {len(images) - 6} more" if len(images) > 6 else "")
                        + " (namespaces: " + ", ".join(namespaces[:8]) + (" …" if len(namespaces) > 8 else "") + ")")]


def _docker_hub_in(pods: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """(namespace, image) of one namespace's containers pulled from Docker Hub (none in the system namespaces)."""
    return tuple((str(meta(pod).get("namespace", "")), image) for pod in in_namespaces(pods)
                 for container in containers(pod)
                 if (image := str(container.get("image", ""))) and from_docker_hub(image))


def vault_sealed(snapshot: Snapshot, now: datetime) -> list[RiskFinding]:
    try:
        _ = snapshot.vault
    except Unavailable:
        return []  # not configured: nothing to watch
    try:
        health = snapshot.vault_health()
    except Unavailable as exc:
        return [RiskFinding("vault_sealed", Severity.CRITICAL, "vault", "Vault is unreachable", str(exc))]
    if health.ok:
        return []
    state = "not initialized" if not health.initialized else "sealed"
    return [RiskFinding("vault_sealed", Severity.CRITICAL, "vault", f"Vault is {state}",
                        "workloads cannot read their secrets until it is unsealed")]


RULES: dict[str, Rule] = {
    "single_node": single_node,
    "no_automated_backups": no_automated_backups,
    "restore_untested": restore_untested,
    "failing_pods": failing_pods,
    "docker_hub_images": docker_hub_images,
    "vault_sealed": vault_sealed,
}
# The kinds each rule reads, for the rules whose findings depend on nothing else (not on `now`, not on Vault):
# their findings are reused while those kinds are unchanged in the watch-fed view (bot/snapshot/reuse.py).
READS: dict[str, tuple[str, ...]] = {
    "single_node": ("nodes",),
    "failing_pods": ("pods",),
    "docker_hub_images": ("pods",),
}
