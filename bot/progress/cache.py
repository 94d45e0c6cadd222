"""Single-flight with a freshness window, for the expensive status measurement.

Twenty people typing `/carbon status` at once cause one measurement, not twenty; a result younger than
the window is reused (so a repeated status answers from memory, at most `ttl_s` stale), and a change
Carbon itself makes (an attestation, a finished run) invalidates it at once. With a `version` (the watch-fed
view's generation) a result is reused only while the version is unchanged: a change in the cluster is measured
at once, and a quiet cluster answers from memory.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Generic, TypeVar

T = TypeVar("T")


class SharedResult(Generic[T]):
    def __init__(self, compute: Callable[[], T], ttl_s: float, clock: Callable[[], float] = time.monotonic,
                 version: Callable[[], int] | None = None) -> None:
        self._compute = compute
        self._version = version or (lambda: 0)
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._cached: tuple[float, int, T] | None = None
        self._inflight: Future[T] | None = None
        self._epoch = 0

    def get(self) -> T:
        with self._lock:
            version = self._version()
            if (self._cached is not None and self._clock() - self._cached[0] < self.ttl_s
                    and self._cached[1] == version):
                return self._cached[2]
            leader = self._inflight is None
            if leader:
                self._inflight = Future()
            future, epoch = self._inflight, self._epoch
        assert future is not None
        if not leader:
            return future.result()
        try:
            value = self._compute()
        except BaseException as exc:
            with self._lock:
                self._inflight = None
            future.set_exception(exc)
            raise
        with self._lock:
            self._inflight = None
            if epoch == self._epoch:
                self._cached = (self._clock(), version, value)
        future.set_result(value)
        return value

    def invalidate(self) -> None:
        """Forget the cached result; a measurement already running is not cached when it ends."""
        with self._lock:
            self._cached = None
            self._epoch += 1
