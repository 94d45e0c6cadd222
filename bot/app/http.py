"""The HTTP front: Slack at POST /slack/events, and /healthz, /readyz, /metrics for the cluster.

A bounded pool of handler threads (bot/app/http_pool.py) feeding Bolt's `dispatch`, as Bolt's own development
server does, with the operational endpoints beside it. A Slack request passes the gate (bot/app/slack_gate.py:
signature on the raw bytes, then parse, workspace/app, replay) before Bolt sees it; its body is read within
the cap first (bot/app/http_body.py). The ack is Bolt's response; work runs in the worker pool after it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from http.server import BaseHTTPRequestHandler
from typing import Any

import structlog
from slack_bolt import App

from bot.app.bolt_errors import malformed_payload
from bot.app.http_body import MAX_BODY, BodyError, read_body
from bot.app.http_pool import BoundedHTTPServer
from bot.app.slack_gate import InstalledApp, SlackGate
from bot.messages import http as refusals
from bot.services.ack_first import AckFirst
from bot.services.metrics import Metrics

log = structlog.get_logger(__name__)

Readiness = Callable[[], dict[str, Any]]
ROUTES = ("/slack/events", "/healthz", "/readyz", "/metrics")
__all__ = ["MAX_BODY", "CarbonHTTPServer", "make_server", "route_label", "serve_in_thread"]


class CarbonHTTPServer(BoundedHTTPServer):
    pass


def route_label(path: str) -> str:
    """The metrics label of a path: one of the routes, else `other` (a label per path would grow without end)."""
    path = path.partition("?")[0]
    return path if path in ROUTES else "other"


def make_server(host: str, port: int, *, app: App | None, metrics: Metrics, readiness: Readiness,
                signing_secret: str = "", installed: InstalledApp | None = None, workers: int = 32,
                read_timeout_s: float = 10.0, acks: AckFirst | None = None) -> CarbonHTTPServer:
    """`acks`: told while each Slack request is being answered, so the work pool lets the acks go first."""
    gate = SlackGate(signing_secret, installed)
    acking = acks.acking if acks is not None else nullcontext

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
                self._send(404, (refusals.not_found() + "\n").encode(), "text/plain")

        def do_POST(self) -> None:
            path, _, query = self.path.partition("?")
            if path != "/slack/events" or app is None:
                self._refuse(404, refusals.not_found(), quiet=True)
                return
            with acking():
                self._slack(query)

        def _slack(self, query: str) -> None:
            started = time.perf_counter()
            try:
                raw = read_body(self.headers, self.rfile)
            except BodyError as error:
                self._refuse(error.status, error.reason)
                return
            verdict = gate.admit(raw, self.headers, query)
            if verdict.status is not None:
                if verdict.status == 200:
                    log.info("slack_replay_ignored")
                    self._send(200, b"", "text/plain")
                else:
                    self._refuse(verdict.status, verdict.reason)
                return
            assert verdict.request is not None
            try:
                response = app.dispatch(verdict.request)
            except Exception as error:  # Bolt raised outside its own handler, on a payload Slack never sends
                response = malformed_payload(error)
            payload = response.body if isinstance(response.body, str) else json.dumps(response.body)
            content_type = (response.headers.get("content-type") or ["text/plain"])[0]
            self._send(response.status, payload.encode("utf-8"), content_type)
            metrics.ack_seconds.observe(time.perf_counter() - started)

        def _refuse(self, status: int, reason: str, quiet: bool = False) -> None:
            """Answer without reading further: the connection closes, so an unread body cannot be misread."""
            if not quiet:
                log.info("http_refused", status=status, reason=reason, path=route_label(self.path))
            self.close_connection = True
            self._send(status, (reason + "\n").encode(), "text/plain", close=True)

        def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            if close:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
            metrics.http_requests.labels(route_label(self.path), str(status)).inc()

    def overflow(head: bytes) -> bytes:
        """A connection while every worker is busy: a health check answers, anything else is told to come back."""
        request_line = head.split(b"\r\n", 1)[0].split(b"\n", 1)[0].split()
        path = request_line[1].decode("latin-1") if len(request_line) >= 2 else ""
        healthy = request_line[:1] == [b"GET"] and path.partition("?")[0] == "/healthz"
        status, body = (200, b"ok\n") if healthy else (503, (refusals.busy() + "\n").encode())
        metrics.http_requests.labels(route_label(path), str(status)).inc()
        reason = "OK" if healthy else "Service Unavailable"
        return (f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                f"Connection: close\r\nRetry-After: 1\r\n\r\n").encode() + body

    return CarbonHTTPServer((host, port), Handler, overflow_answer=overflow, workers=workers,
                            read_timeout_s=read_timeout_s)


def serve_in_thread(server: CarbonHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, name="http", daemon=True)
    thread.start()
    return thread
