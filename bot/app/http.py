"""The HTTP front: Slack at POST /slack/events, and /healthz, /readyz, /metrics for the cluster.

A `ThreadingHTTPServer` feeding Bolt's `dispatch`, as Bolt's own development server does, but with the
operational endpoints beside it. The ack is Bolt's response; work runs in Bolt's executor after it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from slack_bolt import App

from bot.app.bolt_request import bolt_request
from bot.services.metrics import Metrics

Readiness = Callable[[], dict[str, Any]]
MAX_BODY = 1 << 20


class CarbonHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the stdlib's 5 resets connections when Slack retries a burst


def make_server(host: str, port: int, *, app: App | None, metrics: Metrics, readiness: Readiness,
                signing_secret: str = "") -> CarbonHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # one structured line per Slack request is logged by the command layer instead

        def do_GET(self) -> None:
            path = self.path.partition("?")[0]
            if path == "/healthz":
                self._send(200, b"ok\n", "text/plain")
            elif path == "/readyz":
                report = readiness()
                body = json.dumps(report, sort_keys=True).encode() + b"\n"
                self._send(200 if report.get("ready") else 503, body, "application/json")
            elif path == "/metrics":
                self._send(200, metrics.exposition(), "text/plain; version=0.0.4; charset=utf-8")
            else:
                self._send(404, b"not found\n", "text/plain")

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            if path != "/slack/events" or app is None:
                self._send(404, b"not found\n", "text/plain")
                return
            started = time.perf_counter()
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                self._send(413, b"too large\n", "text/plain")
                return
            body = self.rfile.read(length).decode("utf-8", errors="replace")
            response = app.dispatch(bolt_request(body, dict(self.headers.items()), signing_secret, query))
            payload = response.body if isinstance(response.body, str) else json.dumps(response.body)
            content_type = (response.headers.get("content-type") or ["text/plain"])[0]
            self._send(response.status, payload.encode("utf-8"), content_type)
            metrics.ack_seconds.observe(time.perf_counter() - started)

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            metrics.http_requests.labels(self.path.partition("?")[0], str(status)).inc()

    return CarbonHTTPServer((host, port), Handler)


def serve_in_thread(server: CarbonHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    return thread
