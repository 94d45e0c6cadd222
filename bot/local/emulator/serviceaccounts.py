"""The ServiceAccount controller's one job here: every namespace gets a `default` ServiceAccount.

Pods that name no ServiceAccount run as `default`, and admission refuses pods whose account is
missing; without this controller every workload in a fresh namespace would fail to create pods.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

from bot.local.emulator.errors import ApiError
from bot.local.emulator.inproc import InProcessClient
from bot.local.emulator.store import Change


class DefaultServiceAccounts:
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
