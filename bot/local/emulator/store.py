"""The emulated etcd: objects by resource, one global resourceVersion, and a change log.

Every write goes through `put`/`remove` under one lock, so resourceVersions are strictly
increasing across all resources (as etcd revisions are) and watchers can resume from any
version still in the log.
"""

from __future__ import annotations

import copy
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.local.emulator.resources import ResourceType

Obj = dict[str, Any]
ObjKey = tuple[str, str]  # (namespace or "", name)

# How many changes watchers may resume from; older resourceVersions answer 410 Expired.
EVENT_LOG_SIZE = 10_000


@dataclass(frozen=True)
class Change:
    """One committed write, as a watch stream reports it."""

    rv: int
    type: str  # ADDED | MODIFIED | DELETED
    resource: str  # ResourceType.key
    obj: Obj
    old: Obj | None


def obj_key(obj: Obj) -> ObjKey:
    meta = obj.get("metadata") or {}
    return (meta.get("namespace") or "", meta.get("name") or "")


class ObjectStore:
    """In-memory object storage; callers hold `lock` across read-modify-write sequences."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)
        self._objects: dict[str, dict[ObjKey, Obj]] = {}
        self._rv = 0
        self._log: deque[Change] = deque(maxlen=EVENT_LOG_SIZE)
        self.closed = False

    @property
    def resource_version(self) -> int:
        """The latest committed version (what a list reports in metadata.resourceVersion)."""
        with self.lock:
            return self._rv

    def get(self, rt: ResourceType, namespace: str | None, name: str) -> Obj | None:
        with self.lock:
            found = self._objects.get(rt.key, {}).get((namespace or "", name))
            return copy.deepcopy(found) if found is not None else None

    def items(self, rt: ResourceType, namespace: str | None = None) -> list[Obj]:
        """Copies of the stored objects ordered by (namespace, name); all namespaces when None."""
        with self.lock:
            bucket = self._objects.get(rt.key, {})
            keys = sorted(k for k in bucket if namespace is None or k[0] == namespace)
            return [copy.deepcopy(bucket[k]) for k in keys]

    def page(self, rt: ResourceType, namespace: str | None, match: Callable[[Obj], bool], after: ObjKey | None,
             limit: int) -> tuple[list[Obj], int]:
        """One page of a list in (namespace, name) order: copies of at most `limit` (0: all) matching objects after
        `after`, and how many more match. Only the page is copied, as a real API server serves a page without
        reading the whole collection: a paginated list costs about the same per page at any size."""
        with self.lock:
            bucket = self._objects.get(rt.key, {})
            keys = sorted(k for k in bucket if (namespace is None or k[0] == namespace) and (after is None or k > after))
            served: list[Obj] = []
            remaining = 0
            for k in keys:
                if not match(bucket[k]):
                    continue
                if limit and len(served) == limit:
                    remaining += 1
                else:
                    served.append(copy.deepcopy(bucket[k]))
            return served, remaining

    def namespaced_keys(self, namespace: str) -> list[tuple[str, ObjKey]]:
        """(resource key, object key) of everything stored in a namespace, for namespace deletion."""
        with self.lock:
            return [(res, k) for res, bucket in self._objects.items() for k in bucket if k[0] == namespace]

    def all_objects(self) -> list[tuple[str, Obj]]:
        """Every stored object with its resource key (used to find garbage-collection dependents)."""
        with self.lock:
            return [(res, obj) for res, bucket in self._objects.items() for obj in bucket.values()]

    def put(self, rt: ResourceType, obj: Obj) -> Obj:
        """Store `obj` under a new resourceVersion; returns a copy of what was stored."""
        with self.lock:
            self._rv += 1
            stored = copy.deepcopy(obj)
            stored.setdefault("metadata", {})["resourceVersion"] = str(self._rv)
            bucket = self._objects.setdefault(rt.key, {})
            old = bucket.get(obj_key(stored))
            bucket[obj_key(stored)] = stored
            self._record(Change(self._rv, "MODIFIED" if old else "ADDED", rt.key, stored, old))
            return copy.deepcopy(stored)

    def remove(self, resource: str, key: ObjKey) -> Obj | None:
        """Delete one object (by ResourceType.key); the DELETED change gets a fresh resourceVersion."""
        with self.lock:
            old = self._objects.get(resource, {}).pop(key, None)
            if old is None:
                return None
            self._rv += 1
            final = copy.deepcopy(old)
            final["metadata"]["resourceVersion"] = str(self._rv)
            self._record(Change(self._rv, "DELETED", resource, final, old))
            return copy.deepcopy(final)

    def _record(self, change: Change) -> None:
        self._log.append(change)
        self.changed.notify_all()

    def changes_after(self, rv: int) -> list[Change] | None:
        """Changes newer than `rv`, or None if the log no longer reaches back that far (410)."""
        with self.lock:
            if self._log and rv < self._log[0].rv - 1:
                return None
            if not self._log and rv < self._rv:
                return None
            return [c for c in self._log if c.rv > rv]

    def compact(self) -> None:
        """Forget the change log, as etcd compaction does: every watch from an older version gets 410 Expired."""
        with self.lock:
            self._log.clear()
            self.changed.notify_all()

    def close(self) -> None:
        """Wake every watcher so streaming handlers end when the server stops."""
        with self.lock:
            self.closed = True
            self.changed.notify_all()
