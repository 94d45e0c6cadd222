"""The ReplicaSet controller: keep `spec.replicas` pods, report how many are ready.

A pod the admission refuses (its ServiceAccount is missing) is not created; the ReplicaSet then
carries the `ReplicaFailure` condition with the API's error, which the Deployment surfaces, as on
a real cluster. Creating the account later lets the next sync create the pods.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.kubelet import is_ready
from bot.local.emulator.store import Change
from bot.local.emulator.workloads import POD_TEMPLATE_HASH, create_pod, drop_condition, nonzero, owner_key, set_condition

Obj = dict[str, Any]


class ReplicaSets:
    def __init__(self, client: InProcessClient) -> None:
        self.client = client

    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        if change.resource == "replicasets.apps" and change.type != "DELETED":
            return [(meta.get("namespace", ""), meta["name"])]
        if change.resource == "pods":
            key = owner_key(change.obj, "ReplicaSet")
            return [key] if key else []
        if change.resource == "serviceaccounts" and change.type != "DELETED":
            return [(meta.get("namespace", ""), rs["metadata"]["name"])
                    for rs in self.client.list("replicasets", meta.get("namespace"))]
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        rs = self.client.get("replicasets", namespace, name)
        if rs is None:
            return
        want = int((rs.get("spec") or {}).get("replicas", 1))
        pods = self.client.owned("pods", rs)
        failure = None
        template = (rs.get("spec") or {}).get("template") or {}
        labels = {POD_TEMPLATE_HASH: ((rs["metadata"].get("labels") or {}).get(POD_TEMPLATE_HASH, ""))}
        labels = {k: v for k, v in labels.items() if v}
        for _ in range(want - len(pods)):
            failure = create_pod(self.client, rs, template, labels)
            if failure:
                break
        if len(pods) > want:
            # Not-ready pods go first, then the newest, as the real controller ranks them.
            newest_first = sorted(pods, key=lambda p: p["metadata"].get("creationTimestamp", ""), reverse=True)
            doomed = sorted(newest_first, key=is_ready)[: len(pods) - want]
            for pod in doomed:
                self.client.delete("pods", pod)
        self._report(namespace, name, failure)

    def _report(self, namespace: str, name: str, failure: str | None) -> None:
        rs = self.client.get("replicasets", namespace, name)
        if rs is None:
            return
        pods = self.client.owned("pods", rs)
        ready = sum(1 for p in pods if is_ready(p))
        conditions = list((rs.get("status") or {}).get("conditions") or [])
        if failure:
            conditions = set_condition(conditions, "ReplicaFailure", "True", "FailedCreate", failure)
        elif len(pods) >= int((rs.get("spec") or {}).get("replicas", 1)):
            conditions = drop_condition(conditions, "ReplicaFailure")
        status: Obj = {"replicas": len(pods), **nonzero(fullyLabeledReplicas=len(pods), readyReplicas=ready,
                                                         availableReplicas=ready),
                       "observedGeneration": rs["metadata"].get("generation", 1)}
        if conditions:
            status["conditions"] = conditions
        self.client.update_status("replicasets", rs, status)
