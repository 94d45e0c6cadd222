"""The StatefulSet controller: pods `<name>-<ordinal>`, replaced one at a time, halting on failure.

Pods carry `controller-revision-hash` (`<name>-<template hash>`); with the default OrderedReady
policy a pod is created only once the one before it is Ready, and a rolling update replaces pods
from the highest ordinal down, one at a time, only while every other pod is Ready, so a new pod
that fails stays failing and the update halts, as a real StatefulSet does. ControllerRevision
objects are not modelled; the revisions live in status.currentRevision / updateRevision.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.kubelet import is_ready
from bot.local.emulator.store import Change
from bot.local.emulator.workloads import REVISION_HASH, create_pod, nonzero, owner_key, template_hash

Obj = dict[str, Any]


def _revision(pod: Obj) -> str:
    return (pod["metadata"].get("labels") or {}).get(REVISION_HASH, "")


class StatefulSets:
    def __init__(self, client: InProcessClient) -> None:
        self.client = client

    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        if change.resource == "statefulsets.apps" and change.type != "DELETED":
            return [(meta.get("namespace", ""), meta["name"])]
        if change.resource == "pods":
            key = owner_key(change.obj, "StatefulSet")
            return [key] if key else []
        if change.resource == "serviceaccounts" and change.type != "DELETED":
            namespace = meta.get("namespace", "")
            return [(namespace, s["metadata"]["name"]) for s in self.client.list("statefulsets", namespace)]
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        sts = self.client.get("statefulsets", namespace, name)
        if sts is None:
            return
        spec = sts.get("spec") or {}
        want, parallel = int(spec.get("replicas", 1)), spec.get("podManagementPolicy") == "Parallel"
        update = f"{name}-{template_hash(spec.get('template') or {})}"
        pods = {p["metadata"]["name"]: p for p in self.client.owned("pods", sts)}
        for ordinal in range(want):
            pod_name = f"{name}-{ordinal}"
            if pod_name not in pods:
                if create_pod(self.client, sts, spec.get("template") or {}, {REVISION_HASH: update,
                              "statefulset.kubernetes.io/pod-name": pod_name}, name=pod_name):
                    break
                created = self.client.get("pods", namespace, pod_name)
                if created is not None:
                    pods[pod_name] = created
            if not parallel and not is_ready(pods.get(pod_name) or {"status": {}}):
                break
        for pod_name in sorted(pods, key=lambda n: -int(n.rsplit("-", 1)[1])):
            if int(pod_name.rsplit("-", 1)[1]) >= want:
                self.client.delete("pods", pods.pop(pod_name))
        self._roll(sts, pods, update)
        self._report(namespace, name, update)

    def _roll(self, sts: Obj, pods: dict[str, Obj], update: str) -> None:
        """Delete the highest-ordinal outdated pod if every pod is Ready (it is recreated at the new revision)."""
        if (sts["spec"].get("updateStrategy") or {}).get("type") == "OnDelete":
            return
        if not all(is_ready(p) for p in pods.values()):
            return
        outdated = sorted((n for n, p in pods.items() if _revision(p) != update), key=lambda n: -int(n.rsplit("-", 1)[1]))
        if outdated:
            self.client.delete("pods", pods[outdated[0]])

    def _report(self, namespace: str, name: str, update: str) -> None:
        sts = self.client.get("statefulsets", namespace, name)
        if sts is None:
            return
        pods = self.client.owned("pods", sts)
        old = sts.get("status") or {}
        current = old.get("currentRevision") or update
        updated = sum(1 for p in pods if _revision(p) == update)
        ready = sum(1 for p in pods if is_ready(p))
        if updated == len(pods) == int(sts["spec"].get("replicas", 1)) and ready == len(pods):
            current = update
        status: Obj = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": len(pods),
                       **nonzero(readyReplicas=ready, availableReplicas=ready,
                                 currentReplicas=sum(1 for p in pods if _revision(p) == current), updatedReplicas=updated),
                       "currentRevision": current, "updateRevision": update, "collisionCount": 0}
        self.client.update_status("statefulsets", sts, status)
