"""Acks first: work after an ack waits (briefly) while Slack requests are being acknowledged.

Acks and the work they start share one interpreter, and so the GIL: twenty `/carbon status` at once each start a
render and a post (and one measurement between them), which used to slow the acks still being answered. The HTTP
front counts the requests it is acknowledging; the work pool holds each piece of work until that count is zero,
for at most `max_wait_s`, so a steady stream of requests delays work by that much at worst and never starves it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class AckFirst:
    def __init__(self, max_wait_s: float = 0.25) -> None:
        self.max_wait_s = max_wait_s
        self._quiet = threading.Condition()
        self._acking = 0

    @contextmanager
    def acking(self) -> Iterator[None]:
        """Around the handling of one Slack request, until its answer is written."""
        with self._quiet:
            self._acking += 1
        try:
            yield
        finally:
            with self._quiet:
                self._acking -= 1
                if not self._acking:
                    self._quiet.notify_all()

    def wait(self) -> bool:
        """Until no request is being acknowledged, at most `max_wait_s`; True when it was quiet."""
        with self._quiet:
            return self._quiet.wait_for(lambda: not self._acking, timeout=self.max_wait_s)
