"""Checks over pods: are the expected pods healthy, and do the workloads' pod templates pull from the private registry.

`pods_ready` counts namespace by namespace (`Snapshot.per_namespace`): through the watch-fed view a namespace's
counts are kept while its pods are unchanged, so a pod changing among 5,000 costs the work of its own namespace.
`images_from_registry` reads workloads, not pods, so a pod's readiness flipping never recomputes it.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.objects import (
    BAD_WAITING,
    containers,
    in_namespaces,
    matches,
    meta,
    pod_healthy,
    pod_problem,
    pod_waiting_reasons,
    ref,
    selector_problem,
)
from bot.snapshot.snapshot import Snapshot


def _selector(value: str | None) -> str | None:
    problem = selector_problem(value) if value else None
    if problem:
        raise ValueError(problem)
    return value


class PodsReadyParams(Params):
    namespaces: tuple[str, ...] = ()
    selector: str | None = None
    min_pods: int | None = Field(None, ge=1)
    min_ratio: float = Field(1.0, gt=0, le=1)
    no_crashloops: bool = True

    _check_selector = field_validator("selector")(_selector)


def pods_ready(params: PodsReadyParams, snapshot: Snapshot) -> CheckResult:
    parts = snapshot.per_namespace("pods", ("pods_ready", params), lambda pods: _pods_ready_part(params, pods),
                                   params.namespaces)
    found = sum(part[0] for part in parts)
    healthy = sum(part[1] for part in parts)
    blocking = sum(part[2] for part in parts)
    evidence = [line for part in parts for line in part[3]]
    expected = max(params.min_pods or 0, found)
    if params.min_pods and found < params.min_pods:
        evidence.insert(0, f"{params.min_pods - found} of {params.min_pods} expected pods do not exist")
    ratio = healthy / expected if expected else 1.0
    summary = f"{healthy}/{expected} pods healthy"
    if params.min_ratio < 1:
        summary += f" ({ratio:.1%}, target {params.min_ratio:.0%})"
    if blocking:
        summary += f"; {blocking} crash-looping or failing to pull"
    if ratio >= params.min_ratio and not blocking:
        return CheckResult.measured(1, 1, summary, evidence)
    return CheckResult.measured(min(ratio / params.min_ratio, 0.99), 1, summary, evidence)


def _pods_ready_part(params: PodsReadyParams, objs: list[dict[str, Any]]) -> tuple[int, int, int, tuple[str, ...]]:
    """One namespace's pods: (matching, healthy, crash-looping or failing to pull, evidence)."""
    pods = [p for p in in_namespaces(objs, params.namespaces) if matches(meta(p).get("labels"), params.selector)]
    unhealthy = [p for p in pods if not pod_healthy(p)]
    blocking = sum(bool(BAD_WAITING.intersection(pod_waiting_reasons(p))) for p in pods) if params.no_crashloops else 0
    return len(pods), len(pods) - len(unhealthy), blocking, tuple(f"{ref(p)}: {pod_problem(p)}" for p in unhealthy)


class ImagesParams(Params):
    registry: str = Field(min_length=1)
    namespaces: tuple[str, ...] = ()
    images: tuple[str, ...] = ()


# The workloads whose pod templates say what a pod pulls, with the word evidence names them by.
TEMPLATE_KINDS = (("deployments", "deployment"), ("statefulsets", "statefulset"), ("daemonsets", "daemonset"))


def images_from_registry(params: ImagesParams, snapshot: Snapshot) -> CheckResult:
    """Counts the containers (init containers too) of the pod templates of Deployments, StatefulSets and DaemonSets,
    not of running pods: a service scaled to zero has no pods, yet pulls from wherever its template says the moment it
    is scaled up. A sidecar pulled from Docker Hub is still a rate-limit risk, so every container counts. Pods that no
    such workload owns (bare pods, Jobs) are not counted."""
    prefix = params.registry.rstrip("/") + "/"
    counted, offenders = 0, []
    for plural, word in TEMPLATE_KINDS:
        for workload in in_namespaces(snapshot.items(plural, params.namespaces), params.namespaces):
            for container in containers((workload.get("spec") or {}).get("template") or {}):
                image = str(container.get("image", ""))
                if params.images and not any(name in image for name in params.images):
                    continue
                counted += 1
                if not image.startswith(prefix):
                    offenders.append(f"{word} {ref(workload)} → {image} (container {container.get('name', '?')})")
    mirrored = counted - len(offenders)
    return CheckResult.measured(mirrored, counted, f"{mirrored}/{counted} images from {params.registry}", offenders)


PODS_READY = CheckKind("pods_ready", PodsReadyParams, pods_ready,
                       "Pods (by namespace and label selector) Running and Ready; CrashLoopBackOff/ImagePull errors fail it.",
                       reads=("pods",))
IMAGES_FROM_REGISTRY = CheckKind("images_from_registry", ImagesParams, images_from_registry,
                                 "Workloads' pod-template images pulled from the private registry rather than Docker Hub.",
                                 reads=("deployments", "statefulsets", "daemonsets"))
