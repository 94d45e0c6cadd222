"""One kind of the view: list, then watch from the list's resourceVersion, in a thread of its own.

Objects are trimmed as they arrive (the trim function is handed in: its rules live with the checks in
bot/snapshot/trim.py), so a raw ConfigMap value or a pod's full spec lives no longer than its event. A watch
that ends is resumed from the last resourceVersion seen (bookmarks keep it recent); a 410 lists again; a
failure backs off exponentially with jitter. Where the watch itself is refused (403: RBAC grants list only;
404/405: not served) the kind falls back to timed lists, and where the list is refused too (a CRD not
installed) it keeps trying on that timer, so a CRD installed later is picked up without a restart.

Objects are kept by namespace, each namespace with the version (this kind's generation) at which it last
changed: a measurement can then reuse what it computed from a namespace that has not changed since
(bot/snapshot/reuse.py). A relist keeps the version of every namespace whose objects came back equal, so a timed
list or a 410 does not make a quiet cluster look changed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any

from bot.cluster.gateway import ClusterGateway
from bot.cluster.stream import Expired, WatchStream, open_watch
from bot.errors import Unavailable

Obj = dict[str, Any]
Trim = Callable[[str, Obj], Obj]
REFUSED = frozenset({"403", "404", "405"})
PAUSE_EVERY = 100  # objects trimmed between two pauses for acks


def _key(obj: Obj) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return (str(meta.get("namespace") or ""), str(meta.get("name") or ""))


class Partitions:
    """A kind's objects by namespace ("" for cluster-scoped), each namespace with the version it last changed at."""

    def __init__(self) -> None:
        self.spaces: dict[str, dict[str, Obj]] = {}
        self.changed_at: dict[str, int] = {}  # namespace -> the kind's generation when its objects last changed
        self.cleared_at = 0  # a namespace never seen is as old as the last relist
        self.latest = 0  # the newest version of any namespace: the whole kind's version
        self._lists: dict[str | None, list[Obj]] = {}  # shared lists, until the next change of what they hold

    def __len__(self) -> int:
        return sum(len(objs) for objs in self.spaces.values())

    def version(self, namespace: str | None) -> int:
        """The version of one namespace's objects, or (None) of the whole kind."""
        return self.latest if namespace is None else self.changed_at.get(namespace, self.cleared_at)

    def items(self, namespace: str | None) -> list[Obj]:
        """One namespace's objects, or all of them (None), as a list shared until they change (do not mutate)."""
        found = self._lists.get(namespace)
        if found is None:
            if namespace is None:
                found = [o for objs in self.spaces.values() for o in objs.values()]
            else:
                found = list(self.spaces.get(namespace, {}).values())
            self._lists[namespace] = found
        return found

    def put(self, namespace: str, name: str, obj: Obj | None, generation: int) -> None:
        space = self.spaces.setdefault(namespace, {})
        if obj is None:
            space.pop(name, None)
        else:
            space[name] = obj
        self.changed_at[namespace] = self.latest = generation
        self._lists.pop(namespace, None)
        self._lists.pop(None, None)

    def replace(self, fresh: dict[str, dict[str, Obj]], generation: int) -> None:
        """After a list: a namespace whose objects are unchanged keeps its version (dict equality, in the feed's
        thread), every other one takes `generation`."""
        kept = {ns: self.changed_at[ns] for ns, objs in fresh.items()
                if ns in self.changed_at and self.spaces.get(ns) == objs}
        self.changed_at = {ns: kept.get(ns, generation) for ns in fresh.keys() | self.spaces.keys()}
        self.spaces, self.cleared_at, self._lists = fresh, generation, {}
        self.latest = max(self.changed_at.values(), default=generation)


class KindFeed:
    def __init__(self, gateway: ClusterGateway, plural: str, trim: Trim, *, page_size: int | None = 500,
                 watch_s: int = 300, fallback_s: float = 30.0, backoff_s: tuple[float, float] = (0.2, 30.0),
                 pause: Callable[[], object] = lambda: None) -> None:
        self.gateway, self.plural, self.trim = gateway, plural, trim
        # Pages of 500, not the gateway's 2,000: decoding a page holds the GIL and cannot be paused, and a page of
        # 500 pods decodes in ~7 ms where 2,000 took ~38 ms (5,000 pods, shared machine), so an ack waits less
        # behind it; each page is trimmed before the next arrives, so the peak is smaller too (bench/view.py at
        # 5,000 pods: idle RSS 101 -> 95 MiB, first sync no slower once the emulator served pages at a cost per
        # page, as an API server does). None: the gateway's pages.
        self.page_size, self.watch_s, self.fallback_s, self.backoff_s = page_size, watch_s, fallback_s, backoff_s
        # Called before each page is read and decoded, and every PAUSE_EVERY objects trimmed: the wiring makes it
        # wait while Slack requests are being acknowledged (bot/services/ack_first.py), so a sync's Python work
        # steps aside for a burst of acks (bench ack rounds while syncing at 5,000 pods: p50 60-80 -> ~20 ms).
        self.pause = pause
        self.lock = threading.Lock()
        self.objects = Partitions()
        self.synced = False
        self.error: Unavailable | None = None  # why the last list failed (NotFound for a missing CRD)
        self.fallback: str | None = None  # why this kind is read by timed lists, not watched
        self.events = self.relists = self.generation = 0
        self.last_event_at: float | None = None  # wall clock of the newest event or list
        self.attempted = threading.Event()  # the first list finished, one way or the other
        self._stop = threading.Event()
        self._stream: WatchStream | None = None
        self._thread = threading.Thread(target=self._run, name=f"view-{plural}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        stream = self._stream
        if stream is not None:
            stream.close()
        self._thread.join(timeout=5)

    def items(self, namespace: str | None = None) -> tuple[int, list[Obj]]:
        """(version, the trimmed objects) of one namespace or, with None, of the whole kind, read together: a
        result computed from these objects is current for as long as the version stays (readers must not mutate
        them; the list is shared until the next change)."""
        with self.lock:
            return self.objects.version(namespace), self.objects.items(namespace)

    def namespaces(self) -> list[str]:
        """The namespaces holding objects of this kind now, sorted."""
        with self.lock:
            return sorted(ns for ns, objs in self.objects.spaces.items() if objs)

    # -- the loop ----------------------------------------------------------------------------
    def _run(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                rv = self._list()
                failures = 0
            except Unavailable as exc:
                self._failed(exc)
                failures += 1
                self._stop.wait(self.fallback_s if exc.status in REFUSED else self._backoff(failures))
                continue
            if self.fallback is None:
                self._follow(rv)
            else:
                self._stop.wait(self.fallback_s)

    def _backoff(self, failures: int) -> float:
        base, cap = self.backoff_s
        return min(cap, base * 2 ** min(failures, 16)) * random.uniform(0.5, 1.0)

    def _list(self) -> str:
        fresh: dict[str, dict[str, Obj]] = {}
        rv = ""
        self.pause()
        for page in self.gateway.pages(self.plural, self.page_size):
            for i, obj in enumerate(page.get("items") or [], 1):
                namespace, name = _key(obj)
                fresh.setdefault(namespace, {})[name] = self.trim(self.plural, obj)
                if not i % PAUSE_EVERY:
                    self.pause()
            rv = str((page.get("metadata") or {}).get("resourceVersion") or rv)
            self.pause()
        with self.lock:
            self.generation += 1
            self.objects.replace(fresh, self.generation)
            self.synced, self.error = True, None
            self.relists += 1
            self.last_event_at = time.time()
        self.attempted.set()
        return rv

    def _failed(self, exc: Unavailable) -> None:
        with self.lock:
            self.error = exc
            if exc.status == "404":  # the kind is gone (CRD removed or never installed): nothing to show
                self.generation += 1
                self.objects.replace({}, self.generation)
                self.synced = False
        self.attempted.set()

    def _follow(self, rv: str) -> None:
        """Watch until a 410 (return: list again), a refusal (fall back to timed lists) or stop."""
        failures = 0
        while not self._stop.is_set():
            try:
                self._stream = open_watch(self.gateway, self.plural, rv, self.watch_s)
                if self._stop.is_set():
                    return
                for event in self._stream:
                    rv = self._apply(event) or rv
                    failures = 0
                failures = 0  # the server ended the watch at timeoutSeconds: resume at once
            except Expired:
                return
            except Unavailable as exc:
                if exc.status in REFUSED:
                    with self.lock:
                        self.fallback = f"watch refused ({exc.status})"
                    return
                failures += 1
                self._stop.wait(self._backoff(failures))
            finally:
                self._stream = None

    def _apply(self, event: dict[str, Any]) -> str | None:
        obj = event.get("object") or {}
        rv = (obj.get("metadata") or {}).get("resourceVersion")
        kind = event.get("type")
        if kind == "BOOKMARK":
            return str(rv) if rv else None
        namespace, name = _key(obj)
        trimmed = self.trim(self.plural, obj) if kind != "DELETED" else None
        with self.lock:
            self.events += 1
            self.generation += 1
            self.objects.put(namespace, name, trimmed, self.generation)
            self.last_event_at = time.time()
        return str(rv) if rv else None
