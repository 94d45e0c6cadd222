"""A fake Slack Web API on loopback that records every call.

Why it exists: the bot must be exercised through the real ``slack_sdk`` ``WebClient`` (and Bolt's
``respond``), not a mocked client, so tests and ``carbon console`` point ``SLACK_API_URL`` here.
Every request is recorded as a :class:`SlackCall` so callers can assert on what was posted,
updated and answered, and the fake keeps a little channel state (messages with ``chat.update``
applied) so the console can show the conversation as Slack would.

Only the standard library is used: ``ThreadingHTTPServer`` in a daemon thread, bound to
``127.0.0.1`` on a free port.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FakeSlack", "SlackCall", "SlackFile"]

log = logging.getLogger(__name__)

# Form fields that slack_sdk sends as JSON strings; decoded so tests see the same shape either way.
JSON_FORM_FIELDS = frozenset({"blocks", "attachments", "view", "metadata"})
RESPONSE_URL = "response_url"
FILE_UPLOAD = "file_upload"  # the POST of a file's bytes to the URL files.getUploadURLExternal gave


class Headers(dict[str, str]):
    """Request headers, looked up case-insensitively (HTTP header names are).

    Keys are stored lower-cased; ``headers["Authorization"]`` and ``headers["authorization"]``
    both work, so a test does not depend on how the client spelled the name.
    """

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((k.lower(), v) for k, v in items)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return super().__contains__(key.lower() if isinstance(key, str) else key)

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass(frozen=True)
class SlackCall:
    """One request the fake received.

    ``method`` is the Web API method (``"chat.postMessage"``) or ``"response_url"`` for a post to a
    response URL, in which case ``tag`` names which one (see :meth:`FakeSlack.response_url`).
    ``params`` is the decoded body (or query string for GET).
    """

    method: str
    params: dict[str, Any]
    headers: Headers
    at: float
    tag: str | None = None
    answer: dict[str, Any] = field(default_factory=dict)  # what the fake replied (e.g. the posted message's ts)

    @property
    def token(self) -> str | None:
        """The token the client sent, from the Authorization header or a ``token`` param."""
        auth = self.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            return auth[7:]
        token = self.params.get("token")
        return token if isinstance(token, str) else None


@dataclass
class SlackFile:
    """A file uploaded the files.uploadV2 way: URL asked for, bytes POSTed, upload completed (or not yet)."""

    id: str
    filename: str
    length: int
    content: bytes = b""
    completed: bool = False
    title: str = ""
    channel: str | None = None
    thread_ts: str | None = None
    initial_comment: str = ""


@dataclass
class _Failure:
    """A scripted failure for a method: see :meth:`FakeSlack.fail`."""

    error: str | None
    status: int
    times: int | None
    retry_after: int | None


@dataclass
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)


def _json_reply(payload: Mapping[str, Any], status: int = 200, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, json.dumps(payload).encode(), "application/json; charset=utf-8", headers or {})


def _text_reply(text: str, status: int = 200, headers: dict[str, str] | None = None) -> _Reply:
    return _Reply(status, text.encode(), "text/plain; charset=utf-8", headers or {})


def decode_params(body: bytes, content_type: str, query: str = "") -> dict[str, Any]:
    """Decode a request into a dict the way Slack reads it.

    JSON bodies are returned as-is; form bodies (slack_sdk's default) become a dict of strings,
    with the JSON-carrying fields (``blocks``, ``attachments``, ``view``, ``metadata``) decoded so
    a test can look at ``params["blocks"][0]`` whichever encoding the client chose.  Query-string
    parameters (GET methods such as ``users.info``) are merged in underneath.
    """
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    text = body.decode("utf-8", errors="replace")
    if not text.strip():
        return params
    if "json" in content_type.lower() or text.lstrip().startswith("{"):
        try:
            decoded = json.loads(text)
        except ValueError:
            decoded = {"_raw": text}
        if isinstance(decoded, dict):
            params.update(decoded)
        else:
            params["_json"] = decoded
        return params
    for key, value in parse_qsl(text, keep_blank_values=True):
        if key in JSON_FORM_FIELDS:
            try:
                params[key] = json.loads(value)
                continue
            except ValueError:
                pass
        params[key] = value
    return params


def _name_from_id(object_id: str) -> str:
    """A readable default name for an ID: ``U0ALICE`` -> ``alice``, ``C0CARBON`` -> ``carbon``."""
    rest = object_id[1:] if len(object_id) > 1 else object_id
    return rest.lstrip("0").lower() or object_id.lower()


class FakeSlack:
    """A recording stand-in for ``https://slack.com/api/`` and for response URLs.

    Thread-safe: the HTTP server handles each request on its own thread; all state sits behind
    one lock, and subscribers are called outside it after each call is recorded.
    """

    def __init__(
        self,
        bot_user_id: str = "UCARBONBOT",
        team_id: str = "T0CARBON",
        *,
        bot_id: str = "B0CARBON",
        team_name: str = "254Carbon",
        bot_name: str = "carbon",
        app_id: str = "A0CARBON",
    ) -> None:
        self.bot_user_id = bot_user_id
        self.app_id = app_id
        self.team_id = team_id
        self.bot_id = bot_id
        self.team_name = team_name
        self.bot_name = bot_name
        # Seedable directory data: usergroup id -> member ids; user/channel id -> overrides.
        self.usergroups: dict[str, list[str]] = {}
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, dict[str, Any]] = {}
        self._lock = threading.Condition()
        self._calls: list[SlackCall] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._failures: dict[str, list[_Failure]] = {}
        self._subscribers: list[Callable[[SlackCall], None]] = []
        self._ts_micros = int(time.time()) * 1_000_000
        self._view_seq = 0
        self._files: dict[str, SlackFile] = {}
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle
    def start(self) -> FakeSlack:
        """Bind ``127.0.0.1:0`` and serve in a daemon thread; returns self for chaining."""
        if self._server is not None:
            return self
        fake = self

        class Handler(_Handler):
            owner = fake

        self._server = _Server(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fakeslack", kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe to call twice."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeSlack is not started")
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """Base URL for ``WebClient(base_url=...)`` / ``SLACK_API_URL``; ends in ``/``."""
        return f"{self.base_url}/api/"

    def response_url(self, tag: str) -> str:
        """A response URL whose posts are recorded as ``response_url`` calls carrying ``tag``."""
        return f"{self.base_url}/response/{tag}"

    # ----------------------------------------------------------------- inspection
    @property
    def calls(self) -> list[SlackCall]:
        """A snapshot of every call so far, in arrival order."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[SlackCall]:
        with self._lock:
            return [c for c in self._calls if c.method == method]

    def wait_for(self, predicate: Callable[[SlackCall], bool], timeout: float = 5.0, *, start: int = 0) -> SlackCall:
        """Block until a call matching ``predicate`` has been recorded and return the first one.

        Calls already recorded count (from index ``start`` on), so there is no race between
        triggering the bot and starting to wait.  Raises ``TimeoutError`` naming what was seen.
        """
        deadline = time.monotonic() + timeout
        checked = start
        with self._lock:
            while True:
                while checked < len(self._calls):
                    call = self._calls[checked]
                    checked += 1
                    if predicate(call):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = ", ".join(c.method for c in self._calls[start:]) or "nothing"
                    raise TimeoutError(f"no matching Slack call within {timeout}s; saw: {seen}")
                self._lock.wait(remaining)

    def subscribe(self, callback: Callable[[SlackCall], None]) -> None:
        """Call ``callback(call)`` after each recorded call, on the server's request thread."""
        with self._lock:
            self._subscribers.append(callback)

    def unsubscribe(self, callback: Callable[[SlackCall], None]) -> None:
        with self._lock:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def reset(self) -> None:
        """Forget calls, channel messages and pending failures; seeded users/groups/subscribers stay."""
        with self._lock:
            self._calls.clear()
            self._messages.clear()
            self._failures.clear()

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel as it now reads: posted messages, in order, with ``chat.update`` applied."""
        with self._lock:
            return [json.loads(json.dumps(m)) for m in self._messages.get(channel, [])]

    def fail(
        self,
        method: str,
        *,
        error: str | None = "internal_error",
        status: int = 200,
        times: int | None = 1,
        retry_after: int | None = None,
    ) -> None:
        """Make the next ``times`` calls to ``method`` fail (``times=None``: until :meth:`reset`).

        With ``status=200`` the answer is ``{"ok": false, "error": error}``, as Slack reports API
        errors.  Any other status is an HTTP failure (``429`` with ``Retry-After``, ``500``...), with
        a JSON error body, or a plain-text one when ``error`` is None.  ``method`` may be
        ``"response_url"`` to fail posts to response URLs: they answer the error as plain text,
        with ``status`` (404 when left at 200, as Slack does for ``expired_url``).  A 429 left with
        the default error reads ``ratelimited``.  Failures queue in order.
        """
        if times is not None and times < 1:
            raise ValueError("times must be >= 1 or None")
        with self._lock:
            self._failures.setdefault(method, []).append(_Failure(error, status, times, retry_after))

    # ----------------------------------------------------------------- request handling
    def _record(self, call: SlackCall) -> None:
        with self._lock:
            self._calls.append(call)
            subscribers = list(self._subscribers)
            self._lock.notify_all()
        for callback in subscribers:
            try:
                callback(call)
            except Exception:
                log.exception("FakeSlack subscriber %r failed", callback)

    def _take_failure(self, method: str) -> _Failure | None:
        with self._lock:
            queue = self._failures.get(method)
            if not queue:
                return None
            failure = queue[0]
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    queue.pop(0)
            return failure

    @staticmethod
    def _failure_reply(failure: _Failure, *, webhook: bool) -> _Reply:
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        error = failure.error
        if failure.status == 429 and error == "internal_error":
            error = "ratelimited"
        if webhook:
            # Response URLs answer in plain text, errors included ("expired_url", "no_text"...).
            status = failure.status if failure.status != 200 else 404
            return _text_reply(error or "error", status, headers)
        if error is None and failure.status != 200:
            return _text_reply("upstream failure", failure.status, headers)
        body: dict[str, Any] = {"ok": False}
        if error is not None:
            body["error"] = error
        return _json_reply(body, failure.status, headers)

    def handle(self, path: str, query: str, headers: Headers, body: bytes) -> _Reply:
        """Record one request and produce Slack's answer (called by the HTTP handler)."""
        params = decode_params(body, headers.get("content-type", ""), query)
        if path.startswith("/response/"):
            call = SlackCall(RESPONSE_URL, params, headers, time.time(), tag=path[len("/response/") :])
            self._record(call)
            failure = self._take_failure(RESPONSE_URL)
            return self._failure_reply(failure, webhook=True) if failure else _text_reply("ok")
        if path.startswith("/upload/"):
            return self._file_upload(path[len("/upload/") :], headers, body)
        if not path.startswith("/api/"):
            return _text_reply("not found", 404)
        method = path[len("/api/") :].strip("/")
        call = SlackCall(method, params, headers, time.time())
        self._record(call)
        failure = self._take_failure(method)
        if failure is not None:
            call.answer.update({"ok": False, "error": failure.error})
            return self._failure_reply(failure, webhook=False)
        answer = self._answer(method, params)
        call.answer.update(answer)
        return _json_reply(answer)

    def _next_ts(self) -> str:
        with self._lock:
            self._ts_micros += 100
            micros = self._ts_micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            return {"ok": True}
        result: dict[str, Any] = handler(params)
        return result

    def _api_auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": f"https://{self.team_name.lower()}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "is_enterprise_install": False,
        }

    def _api_chat_postMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = str(params.get("channel", ""))
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if not params.get("text") and not params.get("blocks") and not params.get("attachments"):
            return {"ok": False, "error": "no_text"}
        ts = self._next_ts()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "team": self.team_id,
            "text": params.get("text", ""),
        }
        for key in ("blocks", "attachments", "thread_ts", "metadata"):
            if params.get(key) is not None:
                message[key] = params[key]
        with self._lock:
            self._messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": dict(message)}

    def _api_chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        with self._lock:
            found = next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)
            if found is None:
                return {"ok": False, "error": "message_not_found"}
            for key in ("text", "blocks", "attachments", "metadata"):
                if key in params:
                    found[key] = params[key]
            found["edited"] = {"user": self.bot_user_id, "ts": self._peek_ts()}
            message = dict(found)
        return {"ok": True, "channel": channel, "ts": ts, "text": message.get("text", ""), "message": message}

    def _peek_ts(self) -> str:
        micros = self._ts_micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _api_chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(params.get("channel", "")), str(params.get("ts", ""))
        with self._lock:
            msgs = self._messages.get(channel, [])
            kept = [m for m in msgs if m["ts"] != ts]
            if len(kept) == len(msgs):
                return {"ok": False, "error": "message_not_found"}
            self._messages[channel] = kept
        return {"ok": True, "channel": channel, "ts": ts}

    def _api_chat_postEphemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "message_ts": self._next_ts()}

    def _api_views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self._view_seq += 1
            view_id = f"V{self._view_seq:010d}"
        view = dict(params.get("view") or {})
        view.update({"id": view_id, "team_id": self.team_id, "app_id": "A0CARBON", "bot_id": self.bot_id})
        view.setdefault("type", "home")
        view.setdefault("hash", f"{int(time.time())}.{view_id}")
        return {"ok": True, "view": view}

    def _api_views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        """A modal opened from a click: needs the click's trigger_id; answers the view with a fresh id."""
        if not params.get("trigger_id"):
            return {"ok": False, "error": "invalid_trigger_id"}
        with self._lock:
            self._view_seq += 1
            view_id = f"V{self._view_seq:010d}"
        view = dict(params.get("view") or {})
        view.update({"id": view_id, "team_id": self.team_id, "app_id": "A0CARBON", "bot_id": self.bot_id,
                     "hash": f"{int(time.time())}.{view_id}"})
        return {"ok": True, "view": view}

    def _api_views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        """An open modal replaced in place: the same view id."""
        view_id = str(params.get("view_id") or params.get("external_id") or "")
        if not view_id:
            return {"ok": False, "error": "not_found"}
        view = dict(params.get("view") or {})
        view.update({"id": view_id, "team_id": self.team_id, "app_id": "A0CARBON", "bot_id": self.bot_id,
                     "hash": f"{int(time.time())}.{view_id}"})
        return {"ok": True, "view": view}

    def _api_usergroups_users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        group = str(params.get("usergroup", ""))
        with self._lock:
            members = self.usergroups.get(group)
            if members is None:
                return {"ok": False, "error": "no_such_subteam"}
            return {"ok": True, "users": list(members)}

    def _api_users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user", ""))
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        name = _name_from_id(user_id)
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name,
            "real_name": name.title(),
            "tz": "UTC",
            "tz_offset": 0,
            "is_bot": user_id == self.bot_user_id,
        }
        with self._lock:
            user.update(self.users.get(user_id, {}))
        return {"ok": True, "user": user}

    def _api_conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel_id = str(params.get("channel", ""))
        if not channel_id:
            return {"ok": False, "error": "channel_not_found"}
        channel: dict[str, Any] = {
            "id": channel_id,
            "name": _name_from_id(channel_id),
            "is_channel": channel_id.startswith("C"),
            "is_member": True,
        }
        with self._lock:
            channel.update(self.channels.get(channel_id, {}))
        return {"ok": True, "channel": channel}

    # ----------------------------------------------------------------- files.uploadV2
    def files(self) -> list[SlackFile]:
        """Every file whose upload URL was asked for, in order; ``completed`` once files.completeUploadExternal named it."""
        with self._lock:
            return [SlackFile(**vars(f)) for f in self._files.values()]

    def _api_files_getUploadURLExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        filename, length = str(params.get("filename") or ""), str(params.get("length") or "")
        if not filename or not length.isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            file_id = f"F{len(self._files) + 1:010d}"
            self._files[file_id] = SlackFile(file_id, filename, int(length))
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    def _file_upload(self, file_id: str, headers: Headers, body: bytes) -> _Reply:
        """The POST to an upload URL: record the bytes (Slack answers `OK - <length>` in plain text)."""
        self._record(SlackCall(FILE_UPLOAD, {"file_id": file_id, "length": len(body)}, headers, time.time(), tag=file_id))
        failure = self._take_failure(FILE_UPLOAD)
        if failure is not None:
            return _text_reply(failure.error or "error", failure.status if failure.status != 200 else 500)
        with self._lock:
            found = self._files.get(file_id)
            if found is None:
                return _text_reply("not found", 404)
            found.content = body
        return _text_reply(f"OK - {len(body)}")

    def _api_files_completeUploadExternal(self, params: dict[str, Any]) -> dict[str, Any]:
        try:
            listed = json.loads(str(params.get("files") or "[]"))
        except ValueError:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            found = [self._files.get(str(item.get("id"))) for item in listed]
            if not found or any(f is None or not f.content for f in found):
                return {"ok": False, "error": "file_not_found"}
            shared = []
            for item, file in zip(listed, found, strict=True):
                assert file is not None
                file.completed, file.title = True, str(item.get("title") or file.filename)
                file.channel, file.thread_ts = params.get("channel_id"), params.get("thread_ts")
                file.initial_comment = str(params.get("initial_comment") or "")
                shared.append({"id": file.id, "name": file.filename, "title": file.title, "size": len(file.content)})
        return {"ok": True, "files": shared}


class _Server(ThreadingHTTPServer):
    """Threaded server with a listen backlog deep enough for bursts (the default 5 makes a burst
    of concurrent clicks wait for SYN retransmits, about a second each)."""

    daemon_threads = True
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    """Turns HTTP requests into :meth:`FakeSlack.handle` calls; quiet (no stderr access log)."""

    owner: FakeSlack
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _serve(self, body: bytes) -> None:
        parts = urlsplit(self.path)
        headers = Headers(self.headers.items())
        try:
            reply = self.owner.handle(parts.path, parts.query, headers, body)
        except Exception:
            log.exception("FakeSlack failed on %s", self.path)
            reply = _json_reply({"ok": False, "error": "fatal_error"}, 500)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._serve(self.rfile.read(length) if length else b"")

    def do_GET(self) -> None:
        self._serve(b"")
