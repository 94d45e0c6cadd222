"""Checks over pods: are the expected pods healthy, and do the workloads' pod templates pull from the private registry."""

from __future__ import annotations

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
    pods = [p for p in in_namespaces(snapshot.items("pods"), params.namespaces)
            if matches(meta(p).get("labels"), params.selector)]
    healthy = [p for p in pods if pod_healthy(p)]
    blocking = [p for p in pods if BAD_WAITING.intersection(pod_waiting_reasons(p))] if params.no_crashloops else []
    expected = max(params.min_pods or 0, len(pods))
    evidence = [f"{ref(p)}: {pod_problem(p)}" for p in pods if not pod_healthy(p)]
    if params.min_pods and len(pods) < params.min_pods:
        evidence.insert(0, f"{params.min_pods - len(pods)} of {params.min_pods} expected pods do not exist")
    ratio = len(healthy) / expected if expected else 1.0
    summary = f"{len(healthy)}/{expected} pods healthy"
    if params.min_ratio < 1:
        summary += f" ({ratio:.1%}, target {params.min_ratio:.0%})"
    if blocking:
        summary += f"; {len(blocking)} crash-looping or failing to pull"
    if ratio >= params.min_ratio and not blocking:
        return CheckResult.measured(1, 1, summary, evidence)
    return CheckResult.measured(min(ratio / params.min_ratio, 0.99), 1, summary, evidence)


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
        for workload in in_namespaces(snapshot.items(plural), params.namespaces):
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
                       "Pods (by namespace and label selector) Running and Ready; CrashLoopBackOff/ImagePull errors fail it.")
IMAGES_FROM_REGISTRY = CheckKind("images_from_registry", ImagesParams, images_from_registry,
                                 "Workloads' pod-template images pulled from the private registry rather than Docker Hub.")
