"""An executor that knows when all the work it was given is done.

The console and the tests hand it to Bolt (listeners) and to Services (work after the ack), then
`wait_idle()` before printing or asserting: deterministic, no sleeping.
"""

from __future__ import annotations

import time

from bot.services.work_pool import WorkPool


class TrackingExecutor(WorkPool):
    """Bolt's listener executor, counting pending work so the console can wait for the bot to finish."""

    def __init__(self) -> None:
        super().__init__(max_workers=8, thread_name_prefix="listener")

    def wait_idle(self, timeout: float = 60.0) -> None:
        """Wait for listeners, including ones submitted while waiting (lazy listeners chain)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pending = self.pending()
            if not pending:
                return
            for future in pending:
                try:
                    future.result(timeout=max(0.0, deadline - time.monotonic()))
                except Exception:  # the listener's own error handling has answered the user
                    pass
