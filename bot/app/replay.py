"""Signatures seen within Slack's 5-minute window, so a captured request re-sent inside it acts once.

A signature is only valid while its timestamp is within 5 minutes of now (slack_sdk's SignatureVerifier),
so an entry is kept until its timestamp + 5 minutes and then dropped: nothing older can be replayed anyway.
Memory is bounded twice over: by that expiry, and by a cap on entries (when full, the entry closest to
expiry goes first; at the default cap that takes over 30 signed requests a second for 5 minutes).
"""

from __future__ import annotations

import heapq
import threading
import time
from collections.abc import Callable

WINDOW_S = 5 * 60
MAX_ENTRIES = 10_000


class ReplayWindow:
    def __init__(self, *, window_s: int = WINDOW_S, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.time) -> None:
        self.window_s, self.max_entries, self.clock = window_s, max_entries, clock
        self._expiry: list[tuple[float, str]] = []  # a heap: the first entry expires first
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def first_time(self, signature: str, timestamp: int) -> bool:
        """True the first time a signature is seen (and remember it); False for a replay."""
        with self._lock:
            self._forget(self.clock())
            if signature in self._seen:
                return False
            while len(self._seen) >= self.max_entries:
                self._seen.discard(heapq.heappop(self._expiry)[1])
            heapq.heappush(self._expiry, (timestamp + self.window_s, signature))
            self._seen.add(signature)
            return True

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def _forget(self, now: float) -> None:
        while self._expiry and self._expiry[0][0] < now:
            self._seen.discard(heapq.heappop(self._expiry)[1])
