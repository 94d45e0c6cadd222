"""One measurement of the platform: each resource kind listed at most once, shared by every check.

Lists are fetched lazily on first use and memoised (failures too), so a status makes one paginated list
per kind it needs, whatever the number of namespaces, pods or checks. With a watch-fed view wired (`carbon
serve`, the console demo) a kind the view follows is read from memory instead, with no call to the API server;
without one (tests, `carbon status` in a terminal) it is listed directly. Thread-safe: checks run in parallel
and the second reader of a kind waits for the first.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from bot import messages
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.errors import Unavailable
from bot.vault.gateway import VaultGateway, VaultHealth

T = TypeVar("T")


class Snapshot:
    def __init__(self, cluster: ClusterGateway | None, vault: VaultGateway | None, taken_at: datetime,
                 view: ClusterView | None = None) -> None:
        self.cluster = cluster
        self.view = view
        self._vault = vault
        self.taken_at = taken_at
        self._lock = threading.Lock()
        self._kind_locks: dict[str, threading.Lock] = {}
        self._lists: dict[str, list[dict[str, Any]] | Unavailable] = {}
        self._vault_health: VaultHealth | Unavailable | None = None
        self._memo: dict[Hashable, Any] = {}

    def items(self, plural: str) -> list[dict[str, Any]]:
        """All objects of a kind across namespaces; raises Unavailable (with the reason) if it cannot be read."""
        if self.cluster is None:
            raise Unavailable(messages.cluster_not_configured())
        with self._lock:
            kind_lock = self._kind_locks.setdefault(plural, threading.Lock())
        with kind_lock:
            if plural not in self._lists:
                try:
                    if self.view is not None and self.view.covers(plural):
                        self._lists[plural] = self.view.items(plural)
                    else:
                        self._lists[plural] = self.cluster.list_all(plural)
                except Unavailable as exc:
                    self._lists[plural] = exc
            found = self._lists[plural]
        if isinstance(found, Unavailable):
            raise found
        return found

    @property
    def vault(self) -> VaultGateway:
        if self._vault is None:
            raise Unavailable(messages.vault_not_configured())
        return self._vault

    def vault_health(self) -> VaultHealth:
        with self._lock:
            if self._vault_health is None:
                try:
                    self._vault_health = self.vault.health()
                except Unavailable as exc:
                    self._vault_health = exc
            found = self._vault_health
        if isinstance(found, Unavailable):
            raise found
        return found

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Compute a value once per snapshot (e.g. one Vault read shared by checks); failures are memoised too."""
        with self._lock:
            lock = self._kind_locks.setdefault(f"memo:{key!r}", threading.Lock())
        with lock:
            if key not in self._memo:
                try:
                    self._memo[key] = compute()
                except Unavailable as exc:
                    self._memo[key] = exc
            found = self._memo[key]
        if isinstance(found, Unavailable):
            raise found
        return found  # type: ignore[no-any-return]
