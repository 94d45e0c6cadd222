"""One measurement of the platform: each resource kind listed at most once, shared by every check.

Lists are fetched lazily on first use and memoised (failures too), so a status makes one paginated list
per kind it needs, whatever the number of namespaces, pods or checks. With a watch-fed view wired (`carbon
serve`, the console demo) a kind the view follows is read from memory instead, with no call to the API server;
without one (tests, `carbon status` in a terminal) it is listed directly. Thread-safe: checks run in parallel
and the second reader of a kind waits for the first.

Reading through the view, a check can also be answered from what it found last time (`reused`): each check runs
on a `reader()` that records the version of every (kind, namespace) it read, and its result stands for as long
as those versions do (bot/snapshot/reuse.py). `items(plural, namespaces)` reads only those namespaces, and
`per_namespace` computes a value per namespace that is kept while that namespace is unchanged, so a pod changing
in one namespace costs a status the work of that namespace, not of the cluster.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from bot import messages
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.errors import Unavailable
from bot.snapshot.reuse import Declared, Reads, Reuse
from bot.vault.gateway import VaultGateway, VaultHealth

T = TypeVar("T")
Obj = dict[str, Any]
Listed = tuple[int | None, list[Obj]]  # (the view's version, or None for a direct list; the objects)


class _Shared:
    """What every reader of one snapshot shares: the lists read so far, the Vault answers, the memo."""

    def __init__(self, cluster: ClusterGateway | None, vault: VaultGateway | None, taken_at: datetime,
                 view: ClusterView | None, reuse: Reuse | None) -> None:
        self.cluster, self.vault, self.taken_at, self.view, self.reuse = cluster, vault, taken_at, view, reuse
        self.lock = threading.Lock()
        self.kind_locks: dict[Hashable, threading.Lock] = {}
        self.lists: dict[tuple[str, str | None], Listed | Unavailable] = {}
        self.vault_health: VaultHealth | Unavailable | None = None
        self.memo: dict[Hashable, Any] = {}

    def lock_for(self, key: Hashable) -> threading.Lock:
        with self.lock:
            return self.kind_locks.setdefault(key, threading.Lock())


class Snapshot:
    def __init__(self, cluster: ClusterGateway | None, vault: VaultGateway | None, taken_at: datetime,
                 view: ClusterView | None = None, reuse: Reuse | None = None) -> None:
        self._shared = _Shared(cluster, vault, taken_at, view, reuse)
        self.reads: Reads | None = None  # set on a reader(): what one check or rule read

    @property
    def cluster(self) -> ClusterGateway | None:
        return self._shared.cluster

    @property
    def view(self) -> ClusterView | None:
        return self._shared.view

    @property
    def taken_at(self) -> datetime:
        """When the snapshot was taken: a check that reads the clock is measured again each time."""
        self._read_other("clock")
        return self._shared.taken_at

    def reader(self) -> Snapshot:
        """The same snapshot, recording what one check or rule reads (`reads`)."""
        found = Snapshot.__new__(Snapshot)
        found._shared, found.reads = self._shared, Reads()
        return found

    def reused(self, key: Hashable, declared: Declared, compute: Callable[[Snapshot], T],
               keep: Callable[[T], bool] = lambda _: True) -> T:
        """`compute(reader)`, or what it returned last time when nothing it read has changed since (with a view);
        a result is kept only when `keep` accepts it."""
        shared = self._shared
        if shared.reuse is None or shared.view is None:
            return compute(self)
        return shared.reuse.result(key, declared, shared.view, compute, self.reader, keep)

    def kept(self, key: Hashable) -> Any | None:
        """What `reused(key, …)` would answer without computing anything, or None."""
        shared = self._shared
        if shared.reuse is None or shared.view is None:
            return None
        return shared.reuse.kept(key, shared.view)

    def items(self, plural: str, namespaces: Iterable[str] = ()) -> list[Obj]:
        """All objects of a kind across namespaces, or (given) of those namespaces only, namespace by namespace in
        name order; raises Unavailable (with the reason) if it cannot be read."""
        wanted = sorted(set(namespaces))
        if not wanted:
            return self._listed(plural, None)
        if len(wanted) == 1:
            return self._listed(plural, wanted[0])
        return [o for ns in wanted for o in self._listed(plural, ns)]

    def namespaces(self, plural: str) -> list[str]:
        """The namespaces holding objects of a kind, sorted (a read of the whole kind)."""
        objs = self._listed(plural, None)
        shared = self._shared
        with shared.lock_for(("namespaces", plural)):
            found = shared.memo.get(("namespaces", plural))
            if found is None:
                if shared.view is not None and shared.view.covers(plural):
                    found = shared.view.namespaces(plural)
                else:
                    found = sorted(self._groups(plural, objs))
                shared.memo[("namespaces", plural)] = found
        return list(found)

    def per_namespace(self, plural: str, key: Hashable, compute: Callable[[list[Obj]], T],
                      namespaces: Iterable[str] = ()) -> list[T]:
        """`compute(objects of one namespace)` for each namespace (those given, or every one holding objects of
        the kind), in name order. Through the view, a namespace's value is kept while its objects are unchanged:
        `key` names the computation (with every parameter it depends on) so another one never shares it."""
        everywhere = not namespaces
        wanted = sorted(set(namespaces)) or self.namespaces(plural)
        reuse = self._shared.reuse
        found = []
        for ns in wanted:
            objs = self._listed(plural, ns)
            version = self._version(plural, ns)
            if reuse is None or version is None:
                found.append(compute(objs))
            else:
                found.append(reuse.partial((plural, key), ns, version, lambda objs=objs: compute(objs)))
        if reuse is not None and everywhere:
            reuse.prune((plural, key), wanted)
        return found

    def _listed(self, plural: str, namespace: str | None) -> list[Obj]:
        version, objs = self._list(plural, namespace)
        if self.reads is not None:
            if version is None:
                self.reads.other.add(f"list {plural}")
            else:
                self.reads.versions[(plural, namespace)] = version
        return objs

    def _version(self, plural: str, namespace: str | None) -> int | None:
        found = self._shared.lists.get((plural, namespace))
        return found[0] if isinstance(found, tuple) else None

    def _list(self, plural: str, namespace: str | None) -> Listed:
        shared = self._shared
        if shared.cluster is None:
            raise Unavailable(messages.cluster_not_configured())
        with shared.lock_for((plural, namespace)):
            if (plural, namespace) not in shared.lists:
                try:
                    shared.lists[(plural, namespace)] = self._fetch(plural, namespace)
                except Unavailable as exc:
                    shared.lists[(plural, namespace)] = exc
            found = shared.lists[(plural, namespace)]
        if isinstance(found, Unavailable):
            self._read_other(f"unavailable {plural}")
            raise found
        return found

    def _fetch(self, plural: str, namespace: str | None) -> Listed:
        shared = self._shared
        if shared.view is not None and shared.view.covers(plural):
            return shared.view.read(plural, namespace)
        assert shared.cluster is not None
        if namespace is None:
            return None, shared.cluster.list_all(plural)
        return None, self._groups(plural, self._list(plural, None)[1]).get(namespace, [])

    def _groups(self, plural: str, objs: list[Obj]) -> dict[str, list[Obj]]:
        """A direct list's objects by namespace, grouped once per snapshot."""
        shared = self._shared
        with shared.lock_for(("groups", plural)):
            found = shared.memo.get(("groups", plural))
            if found is None:
                found = {}
                for obj in objs:
                    found.setdefault(str((obj.get("metadata") or {}).get("namespace") or ""), []).append(obj)
                shared.memo[("groups", plural)] = found
        return found  # type: ignore[no-any-return]

    def _read_other(self, what: str) -> None:
        if self.reads is not None:
            self.reads.other.add(what)

    @property
    def vault(self) -> VaultGateway:
        self._read_other("vault")
        if self._shared.vault is None:
            raise Unavailable(messages.vault_not_configured())
        return self._shared.vault

    def vault_health(self) -> VaultHealth:
        self._read_other("vault")
        shared = self._shared
        with shared.lock:
            if shared.vault_health is None:
                try:
                    shared.vault_health = self.vault.health()
                except Unavailable as exc:
                    shared.vault_health = exc
            found = shared.vault_health
        if isinstance(found, Unavailable):
            raise found
        return found

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """Compute a value once per snapshot (e.g. one Vault read shared by checks); failures are memoised too."""
        self._read_other(f"memo {key!r}")
        shared = self._shared
        with shared.lock_for(("memo", key)):
            if key not in shared.memo:
                try:
                    shared.memo[key] = compute()
                except Unavailable as exc:
                    shared.memo[key] = exc
            found = shared.memo[key]
        if isinstance(found, Unavailable):
            raise found
        return found  # type: ignore[no-any-return]
