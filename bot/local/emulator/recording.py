"""A record of every HTTP request the emulator served, for tests that count API calls.

Efficiency targets ("one LIST per namespace, not one GET per pod") and retry behaviour are asserted
on this log, so it records the final status of each request, including injected failures.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RecordedRequest:
    """One served request: the path excludes the query string, which is parsed into `query`."""

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    status: int = 0


class RequestLog:
    """Thread-safe append-only list of RecordedRequest (handler threads write concurrently)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        with self._lock:
            self._items.append(request)

    def snapshot(self) -> list[RecordedRequest]:
        """A copy, so callers can iterate while requests keep arriving."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
