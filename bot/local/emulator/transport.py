"""The HTTP layer: a quiet threaded server whose handler records, injects failures and dispatches.

HTTP/1.1 keep-alive matters because the python client pools connections; the server tracks open
connections so `stop()` can close them and leave no handler thread blocked on a dead socket.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

from bot.local.emulator.api import Api, Response
from bot.local.emulator.errors import ApiError, injected, status_body
from bot.local.emulator.failures import FailureInjector
from bot.local.emulator.recording import RecordedRequest, RequestLog
from bot.local.emulator.routing import ResourceRoute, parse


class EmulatorHTTPServer(ThreadingHTTPServer):
    """ThreadingHTTPServer carrying the emulator's API, failure rules and request log."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # the default backlog of 5 drops bursts of connects (1 s SYN retry)

    def __init__(self, address: tuple[str, int], api: Api, failures: FailureInjector, log: RequestLog) -> None:
        super().__init__(address, EmulatorHandler)
        self.api, self.failures, self.log = api, failures, log
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()

    def track(self, conn: socket.socket, open_: bool) -> None:
        with self._conn_lock:
            (self._connections.add if open_ else self._connections.discard)(conn)

    def close_connections(self) -> None:
        """Shut down idle keep-alive sockets so their handler threads exit promptly."""
        with self._conn_lock:
            conns = list(self._connections)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class EmulatorHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes; avoid 40 ms ACK stalls
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default stderr access log; `emu.requests` is the record."""

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            self.rfile.readline()
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _handle(self) -> None:
        method = self.command
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        raw = self._read_body()
        headers = {k: v for k, v in self.headers.items()}
        try:
            response = self._dispatch(method, split.path, query, headers, raw)
        except ApiError as exc:
            response = Response(exc.code, exc.status_body())
        except Exception as exc:  # a bug here must answer 500, not kill the connection
            response = Response(500, status_body(500, f"Internal error occurred: {exc!r}"))
        self.server.log.append(RecordedRequest(method, split.path, query, raw, response.status))
        if response.watch is not None:
            self._stream(response)
        else:
            self._send(response)

    def _dispatch(self, method: str, path: str, query: dict[str, str], headers: dict[str, str],
                  raw: bytes) -> Response:
        api = self.server.api
        route = parse(path, api.registry)
        if not isinstance(route, ResourceRoute):
            return api.discovery(method, route)
        verb = route.verb(method, query.get("watch") in ("true", "1"))
        rule = self.server.failures.take(route.rt.plural, route.subresource, method, route.namespace, verb)
        if rule is not None:
            if rule.delay_s > 0:
                time.sleep(rule.delay_s)
            if rule.hold is not None:
                rule.reached.set()
                rule.hold.wait(60)
            if rule.status:
                raise injected(rule.status, route.rt, verb, route.namespace, rule.reason)
        return api.resource(method, route, query, headers, raw)

    def _send(self, response: Response) -> None:
        if isinstance(response.body, str):
            payload, ctype = response.body.encode(), "text/plain; charset=utf-8"
        else:
            payload, ctype = json.dumps(response.body).encode(), "application/json"
        self.send_response(response.status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(payload)))
        if response.status == 429:
            self.send_header("Retry-After", "1")
        self.end_headers()
        if method_has_body(self.command):
            self.wfile.write(payload)

    def _stream(self, response: Response) -> None:
        """Chunked newline-delimited JSON events; the connection closes when the watch ends."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()

        def write(line: bytes) -> None:
            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
            self.wfile.flush()

        try:
            assert response.watch is not None
            response.watch.run(write)
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the client hung up: that's how watches usually end

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


def method_has_body(method: str) -> bool:
    return method != "HEAD"
