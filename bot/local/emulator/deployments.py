"""The Deployment controller: one ReplicaSet per pod template, rolled like maxUnavailable=0.

A template change creates (or, on rollback, reuses) the ReplicaSet named for the template's hash
with every desired pod; the old ReplicaSets keep their pods until each new pod is Ready, so a
rollout whose new pods fail leaves the service up and shows as stuck in the Deployment's status
(updatedReplicas short, unavailableReplicas, Progressing ReplicaSetUpdated), as a real one does.
Strategy Recreate scales the old ReplicaSets down first. Status is written as the real controller
writes it (zero counters omitted, Available / Progressing / ReplicaFailure conditions); there is
no progress deadline clock, so a stuck rollout stays ReplicaSetUpdated instead of timing out.
"""

from __future__ import annotations

import copy
from collections.abc import Hashable, Iterable
from typing import Any

from bot.local.emulator.inproc import InProcessClient, controller_ref
from bot.local.emulator.store import Change
from bot.local.emulator.workloads import POD_TEMPLATE_HASH, drop_condition, nonzero, owner_key, set_condition, template_hash

Obj = dict[str, Any]
REVISION = "deployment.kubernetes.io/revision"


def _revision(obj: Obj) -> int:
    return int((obj["metadata"].get("annotations") or {}).get(REVISION, "0") or 0)


def _replicas(obj: Obj, field: str = "replicas") -> int:
    return int((obj.get("status") or {}).get(field, 0) or 0)


class Deployments:
    def __init__(self, client: InProcessClient) -> None:
        self.client = client

    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        if change.resource == "deployments.apps" and change.type != "DELETED":
            return [(meta.get("namespace", ""), meta["name"])]
        if change.resource == "replicasets.apps":
            key = owner_key(change.obj, "Deployment")
            return [key] if key else []
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        deploy = self.client.get("deployments", namespace, name)
        if deploy is None:
            return
        spec = deploy.get("spec") or {}
        desired = int(spec.get("replicas", 1))
        new = self._new_replica_set(deploy)
        olds = [rs for rs in self.client.owned("replicasets", deploy) if rs["metadata"]["name"] != new["metadata"]["name"]]
        if new["spec"].get("replicas") != desired:
            new["spec"]["replicas"] = desired
            new = self.client.update("replicasets", new)
        recreate = (spec.get("strategy") or {}).get("type") == "Recreate"
        if recreate or _replicas(new, "readyReplicas") >= desired:
            for rs in olds:
                if rs["spec"].get("replicas"):
                    rs["spec"]["replicas"] = 0
                    self.client.update("replicasets", rs)
        self._report(namespace, name)

    def _new_replica_set(self, deploy: Obj) -> Obj:
        """The ReplicaSet for the current template: found by its hash name, else created."""
        template = copy.deepcopy((deploy.get("spec") or {}).get("template") or {})
        digest = template_hash(template)
        namespace, name = deploy["metadata"]["namespace"], f"{deploy['metadata']['name']}-{digest}"
        owned = self.client.owned("replicasets", deploy)
        top = max((_revision(rs) for rs in owned), default=0)
        current = next((rs for rs in owned if rs["metadata"]["name"] == name), None)
        if current is not None:
            if _revision(current) < top:  # a rollback to an earlier template reuses its ReplicaSet
                current["metadata"].setdefault("annotations", {})[REVISION] = str(top + 1)
                current = self.client.update("replicasets", current)
            self._mark_revision(deploy, _revision(current))
            return current
        template.setdefault("metadata", {}).setdefault("labels", {})[POD_TEMPLATE_HASH] = digest
        selector = copy.deepcopy(deploy["spec"]["selector"])
        selector.setdefault("matchLabels", {})[POD_TEMPLATE_HASH] = digest
        labels = {**(template["metadata"]["labels"])}
        body = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                "metadata": {"name": name, "labels": labels, "annotations": {REVISION: str(top + 1)},
                             "ownerReferences": [controller_ref(deploy)]},
                "spec": {"replicas": 0, "selector": selector, "template": template}}
        created = self.client.create("replicasets", namespace, body)
        self._mark_revision(deploy, top + 1)
        return created

    def _mark_revision(self, deploy: Obj, revision: int) -> None:
        if _revision(deploy) != revision:
            fresh = self.client.get("deployments", deploy["metadata"]["namespace"], deploy["metadata"]["name"])
            if fresh is not None:
                fresh["metadata"].setdefault("annotations", {})[REVISION] = str(revision)
                self.client.update("deployments", fresh)

    def _report(self, namespace: str, name: str) -> None:
        deploy = self.client.get("deployments", namespace, name)
        if deploy is None:
            return
        desired = int((deploy.get("spec") or {}).get("replicas", 1))
        new_name = f"{name}-{template_hash((deploy.get('spec') or {}).get('template') or {})}"
        sets = self.client.owned("replicasets", deploy)
        new = next((rs for rs in sets if rs["metadata"]["name"] == new_name), None)
        available = sum(_replicas(rs, "availableReplicas") for rs in sets)
        total_spec = sum(int(rs["spec"].get("replicas", 0)) for rs in sets)
        updated = _replicas(new) if new else 0
        status: Obj = {"observedGeneration": deploy["metadata"].get("generation", 1),
                       **nonzero(replicas=sum(_replicas(rs) for rs in sets), updatedReplicas=updated,
                                 readyReplicas=sum(_replicas(rs, "readyReplicas") for rs in sets),
                                 availableReplicas=available, unavailableReplicas=max(total_spec - available, 0))}
        conditions = list((deploy.get("status") or {}).get("conditions") or [])
        if available >= desired:
            conditions = set_condition(conditions, "Available", "True", "MinimumReplicasAvailable",
                                       "Deployment has minimum availability.")
        else:
            conditions = set_condition(conditions, "Available", "False", "MinimumReplicasUnavailable",
                                       "Deployment does not have minimum availability.")
        done = new is not None and updated == desired and _replicas(new, "availableReplicas") >= desired \
            and sum(_replicas(rs) for rs in sets) == desired
        if done:
            conditions = set_condition(conditions, "Progressing", "True", "NewReplicaSetAvailable",
                                       f'ReplicaSet "{new_name}" has successfully progressed.')
        else:
            conditions = set_condition(conditions, "Progressing", "True", "ReplicaSetUpdated",
                                       f'ReplicaSet "{new_name}" is progressing.')
        failed = next((c for c in ((new or {}).get("status") or {}).get("conditions") or []
                       if c.get("type") == "ReplicaFailure"), None)
        if failed:
            conditions = set_condition(conditions, "ReplicaFailure", "True", "FailedCreate", failed.get("message", ""))
        else:
            conditions = drop_condition(conditions, "ReplicaFailure")
        status["conditions"] = conditions
        self.client.update_status("deployments", deploy, status)
