"""The disruption controller: a PodDisruptionBudget's status, computed as kube-controller-manager computes it.

For each budget (pkg/controller/disruption): the pods of its namespace its selector matches (an empty
selector matches every pod), `currentHealthy` = those Ready and not being deleted, and from the spec:

- `maxUnavailable` (int or percent, rounded up): expected = the scale of the pods' controllers,
  desiredHealthy = expected - maxUnavailable;
- `minAvailable` as an int: expected = the matched pods, desiredHealthy = minAvailable;
- `minAvailable` as a percent (rounded up) of the controllers' scale.

`disruptionsAllowed` = max(0, currentHealthy - desiredHealthy), the `DisruptionAllowed` condition says so,
and `observedGeneration` follows the spec. The controllers' scale is the `spec.replicas` of the Deployment
(through its ReplicaSet) or StatefulSet owning each pod, each counted once; a pod with no such controller
makes the scale unknown, and the controller then fails safe (0 allowed, reason `SyncFailed`), as the real one
does. Evictions themselves are not modelled: this is the status Carbon reads to verify a budget.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from typing import Any

from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.kubelet import is_ready
from bot.local.emulator.scale import selector_string
from bot.local.emulator.selectors import label_matcher
from bot.local.emulator.store import Change
from bot.local.emulator.workloads import set_condition

Obj = dict[str, Any]
PLURAL = "poddisruptionbudgets"
SCALED = {"ReplicaSet": "replicasets", "StatefulSet": "statefulsets"}
_WATCHED = ("pods", "replicasets.apps", "deployments.apps", "statefulsets.apps")


class NoScale(Exception):
    """A matched pod has no controller with a scale: the expected count is unknown."""


def scaled_value(value: int | str, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent with roundUp, as the disruption controller calls it."""
    if isinstance(value, int):
        return value
    return math.ceil(int(value.rstrip("%")) * total / 100)


class DisruptionBudgets:
    def __init__(self, client: InProcessClient) -> None:
        self.client = client

    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        namespace = meta.get("namespace", "")
        if change.resource.startswith(PLURAL):
            return [] if change.type == "DELETED" else [(namespace, meta["name"])]
        if change.resource in _WATCHED:
            return [(namespace, b["metadata"]["name"]) for b in self.client.list(PLURAL, namespace)]
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        budget = self.client.get(PLURAL, namespace, name)
        if budget is not None:
            self.client.update_status(PLURAL, budget, self.status(budget))

    def status(self, budget: Obj) -> Obj:
        spec, namespace = budget.get("spec") or {}, budget["metadata"].get("namespace", "")
        matches = label_matcher(selector_string(spec.get("selector") or {}))
        pods = [p for p in self.client.list("pods", namespace)
                if matches(p) and not p["metadata"].get("deletionTimestamp")]
        healthy = sum(1 for p in pods if is_ready(p))
        try:
            expected, desired = self._expected_and_desired(spec, pods)
        except NoScale as exc:
            return self._fail_safe(budget, str(exc))
        allowed = max(0, healthy - desired)
        reason, message = ("SufficientPods", "") if allowed > 0 else ("InsufficientPods", "")
        return {"observedGeneration": budget["metadata"].get("generation", 1), "disruptionsAllowed": allowed,
                "currentHealthy": healthy, "desiredHealthy": desired, "expectedPods": expected,
                "conditions": set_condition((budget.get("status") or {}).get("conditions") or [], "DisruptionAllowed",
                                            "True" if allowed > 0 else "False", reason, message)}

    def _expected_and_desired(self, spec: Obj, pods: list[Obj]) -> tuple[int, int]:
        if spec.get("maxUnavailable") is not None:
            expected = self._scale(pods)
            return expected, max(0, expected - scaled_value(spec["maxUnavailable"], expected))
        minimum = spec.get("minAvailable")
        if isinstance(minimum, int):
            return len(pods), minimum
        if minimum is not None:
            expected = self._scale(pods)
            return expected, scaled_value(minimum, expected)
        return len(pods), 0

    def _scale(self, pods: list[Obj]) -> int:
        """The sum of `spec.replicas` of the controllers (a Deployment through its ReplicaSet), each counted once."""
        seen: dict[tuple[str, str], int] = {}
        for pod in pods:
            found = self._controller(pod)
            if found is None:
                raise NoScale(f"found no controllers for pod {pod['metadata']['name']!r}")
            seen[found[0]] = found[1]
        return sum(seen.values())

    def _controller(self, pod: Obj) -> tuple[tuple[str, str], int] | None:
        namespace = pod["metadata"].get("namespace", "")
        ref = next((r for r in pod["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
        if ref is None or ref.get("kind") not in SCALED:
            return None
        owner = self.client.get(SCALED[ref["kind"]], namespace, ref.get("name", ""))
        if owner is None:
            return None
        if ref["kind"] == "ReplicaSet":
            parent = next((r for r in owner["metadata"].get("ownerReferences") or [] if r.get("controller")), None)
            if parent is not None and parent.get("kind") == "Deployment":
                deployment = self.client.get("deployments", namespace, parent.get("name", ""))
                if deployment is not None:
                    return ("Deployment", parent["name"]), int((deployment.get("spec") or {}).get("replicas", 1))
        return (ref["kind"], ref["name"]), int((owner.get("spec") or {}).get("replicas", 1))

    @staticmethod
    def _fail_safe(budget: Obj, message: str) -> Obj:
        """The previous status with nothing allowed, as the real controller's failSafe writes it."""
        old = budget.get("status") or {}
        return {**old, "disruptionsAllowed": 0,
                "conditions": set_condition(old.get("conditions") or [], "DisruptionAllowed", "False", "SyncFailed",
                                            message)}
