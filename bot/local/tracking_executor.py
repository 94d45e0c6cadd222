"""An executor that knows when all the work it was given is done.

The console and the tests hand it to Bolt (listeners) and to Services (work after the ack), then
`wait_idle()` before printing or asserting: deterministic, no sleeping.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener executor, counting pending work so the console can wait for the bot to finish."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")
        self._pending: set[Future[Any]] = set()
        self._lock = threading.Lock()

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for listeners, including ones submitted while waiting (lazy listeners chain)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                pending = list(self._pending)
            if not pending:
                return
            for future in pending:
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:  # the listener's own error handling has answered the user
                    pass
