"""The pool that runs work after an ack, and that a shutdown can close and wait for.

A ThreadPoolExecutor that remembers its unfinished futures: `close()` refuses new work (submit raises),
`drain(timeout)` waits for what was taken, bounded, and says whether it all finished. Each piece of work starts
once no Slack request is being acknowledged (`acks`, bot/services/ack_first.py; the HTTP front counts them).
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

from bot.services.ack_first import AckFirst


class WorkPool(ThreadPoolExecutor):
    def __init__(self, max_workers: int = 8, thread_name_prefix: str = "work") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self._pending: set[Future[Any]] = set()
        self._pending_lock = threading.Lock()
        self.acks = AckFirst()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(self._after_acks, fn, *args, **kwargs)
        with self._pending_lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _after_acks(self, fn: Any, /, *args: Any, **kwargs: Any) -> Any:
        self.acks.wait()
        return fn(*args, **kwargs)

    def _done(self, future: Future[Any]) -> None:
        with self._pending_lock:
            self._pending.discard(future)

    def pending(self) -> list[Future[Any]]:
        with self._pending_lock:
            return list(self._pending)

    def close(self) -> None:
        self.shutdown(wait=False)

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` for the work already taken; True when none is left."""
        _, not_done = wait(self.pending(), timeout=max(0.0, timeout))
        return not not_done
