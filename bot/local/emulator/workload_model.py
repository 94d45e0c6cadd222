"""The workload model's controllers, and the ServiceAccount controller's one job here.

Kept apart from emulator.py so the emulator only knows "a list of controllers", and the model
(ServiceAccounts, ReplicaSets, Deployments, StatefulSets, the kubelet, the disruption controller) can be read in
one place.
Every namespace gets a `default` ServiceAccount, as on a real cluster: pods that name no account run
as `default`, and admission refuses pods whose account is missing.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from bot.local.emulator.controllers import Controller
from bot.local.emulator.deployments import Deployments
from bot.local.emulator.disruption import DisruptionBudgets
from bot.local.emulator.errors import ApiError
from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.kubelet import Kubelet
from bot.local.emulator.replicasets import ReplicaSets
from bot.local.emulator.statefulsets import StatefulSets
from bot.local.emulator.store import Change


class DefaultServiceAccounts:
    """Creates `default` in each new namespace (and again if it is deleted)."""

    def __init__(self, client: InProcessClient) -> None:
        self.client = client

    def wants(self, change: Change) -> Iterable[Hashable]:
        if change.resource == "namespaces" and change.type == "ADDED":
            return [change.obj["metadata"]["name"]]
        if change.resource == "serviceaccounts" and change.type == "DELETED" and change.obj["metadata"]["name"] == "default":
            return [change.obj["metadata"].get("namespace", "")]
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace = str(key)
        if self.client.get("namespaces", None, namespace) is None:
            return
        if self.client.get("serviceaccounts", namespace, "default") is None:
            try:
                self.client.create("serviceaccounts", namespace, {"metadata": {"name": "default"}})
            except ApiError as exc:
                if exc.code != 409:
                    raise



def workload_controllers(client: InProcessClient, private_registries: tuple[str, ...]) -> list[Controller]:
    return [DefaultServiceAccounts(client), Deployments(client), ReplicaSets(client), StatefulSets(client),
            Kubelet(client, private_registries), DisruptionBudgets(client)]
