"""A fake private registry on loopback: the manifest endpoints of the Docker Registry HTTP API v2, with auth.

Only what a manifest check reaches: `HEAD`/`GET /v2/<repository>/manifests/<reference>` answer 200 (with a
`Docker-Content-Digest`) for the images it holds and 404 otherwise, behind either `Basic` auth or token auth
(`Bearer`, with a `/token` realm that hands out pull tokens for the right username and password, as Harbor and
distribution do). A wrong or missing credential gets 401 with the challenge. Requests are recorded by method,
path and auth scheme only, never a credential or token. For tests and the console demo.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    auth: str  # "" | "Basic" | "Bearer"


class FakeRegistry:
    def __init__(self, username: str, password: str, *, auth: Literal["basic", "bearer"] = "basic",
                 images: tuple[str, ...] = ()) -> None:
        """`images`: `repository:tag` (or `repository@digest`) references it holds."""
        self._basic = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.auth = auth
        self.images = set(images)
        self.requests: list[Seen] = []
        self._tokens: set[str] = set()
        self._server: ThreadingHTTPServer | None = None

    @property
    def host(self) -> str:
        assert self._server is not None, "start() the registry first"
        host, port = self._server.server_address[:2]
        return f"{host}:{port}"

    @property
    def url(self) -> str:
        return f"http://{self.host}"

    def start(self) -> FakeRegistry:
        registry = self

        class Handler(BaseHTTPRequestHandler):
            def do_HEAD(self) -> None:
                registry._answer(self, body=False)

            def do_GET(self) -> None:
                registry._answer(self, body=True)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, name="fake-registry", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeRegistry:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bool) -> None:
        given = handler.headers.get("Authorization", "")
        parts = urlsplit(handler.path)
        self.requests.append(Seen(handler.command, parts.path, given.split(" ", 1)[0]))
        if parts.path == "/token" and self.auth == "bearer":
            if given != self._basic:
                return self._send(handler, 401, {"errors": [{"code": "UNAUTHORIZED"}]}, body)
            token = secrets.token_hex(16)
            self._tokens.add(token)
            scope = parse_qs(parts.query).get("scope", [""])[0]
            return self._send(handler, 200, {"token": token, "scope": scope}, body)
        if not parts.path.startswith("/v2/") or "/manifests/" not in parts.path:
            return self._send(handler, 404, {"errors": [{"code": "NOT_FOUND"}]}, body)
        if not self._allowed(given):
            return self._send(handler, 401, {"errors": [{"code": "UNAUTHORIZED"}]}, body, self._challenge(parts.path))
        repository, _, reference = parts.path.removeprefix("/v2/").partition("/manifests/")
        joiner = "@" if reference.startswith("sha256:") else ":"
        if f"{repository}{joiner}{reference}" not in self.images:
            return self._send(handler, 404, {"errors": [{"code": "MANIFEST_UNKNOWN"}]}, body)
        digest = "sha256:" + hashlib.sha256(f"{repository}:{reference}".encode()).hexdigest()
        return self._send(handler, 200, {"schemaVersion": 2}, body, extra={"Docker-Content-Digest": digest})

    def _allowed(self, given: str) -> bool:
        if self.auth == "basic":
            return given == self._basic
        return given.startswith("Bearer ") and given.removeprefix("Bearer ") in self._tokens

    def _challenge(self, path: str) -> str:
        if self.auth == "basic":
            return 'Basic realm="fake-registry"'
        repository = path.removeprefix("/v2/").partition("/manifests/")[0]
        return f'Bearer realm="{self.url}/token",service="fake-registry",scope="repository:{repository}:pull"'

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, payload: dict[str, Any], body: bool,
              challenge: str | None = None, extra: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        if challenge:
            handler.send_header("WWW-Authenticate", challenge)
        for name, value in (extra or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        if body:
            handler.wfile.write(data)
