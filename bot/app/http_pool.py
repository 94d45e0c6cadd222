"""An HTTPServer with a bounded pool of handler threads and a read timeout on every connection.

The stdlib's ThreadingHTTPServer starts a thread per connection, so 1,500 half-sent requests held 1,509
threads. Here at most `workers` connections are handled at once, each socket with `read_timeout_s` on every
read; a connection that arrives while all are busy goes to the overflow lane (one thread, a selector), which
answers health checks and tells everything else 503. Threads stay at workers + 2 whatever clients do.
"""

from __future__ import annotations

import socket
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import structlog

from bot.app.http_overflow import OverflowLane

log = structlog.get_logger(__name__)


class BoundedHTTPServer(HTTPServer):
    allow_reuse_address = True
    request_queue_size = 128  # the stdlib's 5 resets connections when Slack retries a burst

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler], *,
                 overflow_answer: Callable[[bytes], bytes], workers: int = 32, read_timeout_s: float = 10.0,
                 overflow_connections: int = 256) -> None:
        super().__init__(address, handler)
        self.workers, self.read_timeout_s = workers, read_timeout_s
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="http")
        self._busy = 0
        self._lock = threading.Lock()
        self.overflow = OverflowLane(overflow_answer, max_connections=overflow_connections, timeout_s=read_timeout_s)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            free = self._busy < self.workers
            if free:
                self._busy += 1
        if not free:
            self.overflow.add(request)
            return
        request.settimeout(self.read_timeout_s)
        try:
            self._pool.submit(self._handle, request, client_address)
        except RuntimeError:  # the pool is shut down: the server is stopping
            self._release()
            self.shutdown_request(request)

    def _handle(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:
            self.handle_error(request, client_address)
        finally:
            self._release()
            self.shutdown_request(request)

    def _release(self) -> None:
        with self._lock:
            self._busy -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One log line, never the stdlib's traceback on stderr: a reset or a timed-out client is routine."""
        error = sys.exc_info()[1]
        if isinstance(error, (TimeoutError, ConnectionError)):
            log.info("http_connection_dropped", error=type(error).__name__)
        else:
            log.error("http_handler_failed", error=type(error).__name__, exc_info=True)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=True, cancel_futures=True)  # requests held finish, each within the read timeout
        self.overflow.close()
