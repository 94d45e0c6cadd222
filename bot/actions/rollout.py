"""The health gate: after a change to a workload's pod template, wait until its rollout is done and healthy.

Done means what `kubectl rollout status` means: the controller observed the new generation, every replica
runs the new template, enough of them are available, and the old ones are gone. A rollout fails early when
a new pod cannot start (CreateContainerConfigError, CrashLoopBackOff, ImagePullBackOff, unschedulable,
a ReplicaSet that cannot create pods) and fails at the timeout otherwise; the failure names the pod and
why. It reads live objects (never a cache) and only what the API server and kubelet report, so it works
the same against any cluster. Time passes through the action context's clock, so tests drive it.

Needs RBAC: deployments and statefulsets get, pods list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.actions.base import ActionContext
from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable
from bot.snapshot.objects import selects

Obj = dict[str, Any]
FATAL_WAITING = frozenset({"CreateContainerConfigError", "CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull",
                           "InvalidImageName", "CreateContainerError", "RunContainerError"})
POLL_S = 2.0


@dataclass(frozen=True)
class Workload:
    plural: str  # deployments | statefulsets
    namespace: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.plural.removesuffix('s')} {self.namespace}/{self.name}"


class RolloutFailed(Unavailable):
    """A rollout did not become healthy; the message names the workload, the pod and the reason (no values)."""


def progress(kube: ClusterGateway, workload: Workload) -> tuple[bool, str | None]:
    """(done, problem): done when the rollout finished healthy; a problem when it cannot finish by waiting."""
    live = kube.get(workload.plural, workload.name, workload.namespace)
    if live is None:
        return False, f"{workload.label} is gone"
    spec, status, meta = live.get("spec") or {}, live.get("status") or {}, live.get("metadata") or {}
    desired = int(spec.get("replicas", 1))
    for condition in status.get("conditions") or []:
        if condition.get("type") == "ReplicaFailure" and condition.get("status") == "True":
            return False, f"{workload.label}: {condition.get('reason', 'ReplicaFailure')}: {condition.get('message', '')}"
        if condition.get("reason") == "ProgressDeadlineExceeded":
            return False, f"{workload.label}: progress deadline exceeded"
    observed = int(status.get("observedGeneration") or 0) >= int(meta.get("generation") or 0)
    if workload.plural == "statefulsets":
        done = (observed and int(status.get("updatedReplicas") or 0) >= desired
                and int(status.get("readyReplicas") or 0) >= desired
                and status.get("currentRevision") == status.get("updateRevision"))
    else:
        done = (observed and int(status.get("updatedReplicas") or 0) >= desired
                and int(status.get("availableReplicas") or 0) >= desired
                and int(status.get("replicas") or 0) <= desired)
    if done or (desired == 0 and observed and int(status.get("replicas") or 0) == 0):
        return True, None
    return False, pod_problem(kube, live, workload)


def pod_problem(kube: ClusterGateway, live: Obj, workload: Workload) -> str | None:
    """The first pod of the workload that cannot start, and why."""
    selector = ((live.get("spec") or {}).get("selector") or {})
    for pod in kube.list_in("pods", workload.namespace, _selector_query(selector)):
        if not selects(selector, (pod.get("metadata") or {}).get("labels")):
            continue
        name = pod["metadata"]["name"]
        status = pod.get("status") or {}
        for container in [*(status.get("initContainerStatuses") or []), *(status.get("containerStatuses") or [])]:
            waiting = (container.get("state") or {}).get("waiting") or {}
            if waiting.get("reason") in FATAL_WAITING:
                return f"pod {workload.namespace}/{name}: {waiting['reason']}: {waiting.get('message', '')}".rstrip(": ")
        for condition in status.get("conditions") or []:
            if condition.get("type") == "PodScheduled" and condition.get("reason") == "Unschedulable":
                return f"pod {workload.namespace}/{name}: Unschedulable: {condition.get('message', '')}".rstrip(": ")
    return None


def _selector_query(selector: Obj) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items()))


def unhealthy(ctx: ActionContext, workloads: Sequence[Workload]) -> frozenset[Workload]:
    """The workloads that are not healthy before a change: the gate does not blame the change for them."""
    return frozenset(w for w in workloads if not progress(ctx.kube(), w)[0])


def wait_healthy(ctx: ActionContext, workloads: Sequence[Workload], timeout_s: float,
                 broken_before: frozenset[Workload] = frozenset()) -> None:
    """Wait for every rollout; raise RolloutFailed naming each one that failed or did not finish in time. A workload
    that was already broken before the change (`broken_before`) is reported, not waited for."""
    for workload in sorted(broken_before & set(workloads), key=lambda w: w.label):
        ctx.report(f":warning: {workload.label} was not healthy before this change; its rollout is not gated")
    pending = [w for w in dict.fromkeys(workloads) if w not in broken_before]
    deadline = ctx.monotonic() + timeout_s
    while pending:
        still: list[Workload] = []
        for workload in pending:
            done, problem = progress(ctx.kube(), workload)
            if problem:
                raise RolloutFailed(f"rollout of {workload.label} failed: {problem}")
            if not done:
                still.append(workload)
        pending = still
        if not pending:
            return
        if ctx.monotonic() >= deadline:
            raise RolloutFailed("rollout not healthy after " + f"{timeout_s:g} s: " + ", ".join(w.label for w in pending))
        ctx.sleep(min(POLL_S, max(0.0, deadline - ctx.monotonic())))
