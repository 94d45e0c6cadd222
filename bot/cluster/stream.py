"""A watch stream from the API server: newline-delimited JSON events, decoded as plain dicts (no model classes).

The view (bot/cluster/view.py) follows each kind with one of these from the resourceVersion its list ended at.
The server ends a stream after `timeoutSeconds`; the read timeout is longer so that a quiet but healthy watch
is never cut by the client, while a dead connection still ends within a bounded time. A 410 arrives either as
the HTTP status or as an ERROR event; both become `Expired`, which tells the caller to list again.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import urllib3
from kubernetes.client.exceptions import ApiException

from bot.cluster.gateway import JSON, ClusterGateway, http_failure, tagged
from bot.cluster.resources import resource
from bot.errors import Unavailable

READ_GRACE_S = 30.0  # beyond the server's timeoutSeconds before the client gives up on a silent stream


class Expired(Unavailable):
    """The resourceVersion is older than the server keeps (410 Gone): list again."""


class WatchStream:
    """Iterate to receive events (`{"type": ..., "object": {...}}`); `close()` from another thread ends it."""

    def __init__(self, raw: Any, plural: str) -> None:
        self._raw, self.plural = raw, plural

    def __iter__(self) -> Iterator[dict[str, Any]]:
        try:
            for line in self._raw:
                if not line.strip():
                    continue
                event = json.loads(line)
                if event.get("type") == "ERROR":
                    raise _error_event(event.get("object") or {}, self.plural)
                yield event
        except (urllib3.exceptions.HTTPError, OSError, AttributeError, ValueError):
            # AttributeError: urllib3 reading from a connection closed under it by close()
            raise tagged(Unavailable(f"the watch on {self.plural} was interrupted"), "unreachable") from None
        finally:
            self.close()

    def close(self) -> None:
        """End the stream; a thread blocked reading it wakes at once (the socket is shut down first: closing alone
        leaves it waiting for the next event or bookmark, a minute on a real API server)."""
        try:
            self._raw.shutdown()
        except Exception:  # no socket any more, or a response without one: close() is enough
            pass
        try:
            self._raw.close()
        except Exception:  # closing an already-broken connection must not raise
            pass


def _error_event(status: dict[str, Any], plural: str) -> Unavailable:
    code = int(status.get("code") or 500)
    if code == 410:
        return tagged(Expired(f"the watch on {plural} fell too far behind (410 Gone)"), "410")
    return tagged(Unavailable(f"the watch on {plural} ended with an error ({code})"), str(code))


def open_watch(gateway: ClusterGateway, plural: str, resource_version: str, timeout_s: int) -> WatchStream:
    """Start watching every namespace from `resource_version`, with bookmarks; raises Unavailable (403, 404, …)."""
    rtype = resource(plural)
    path = rtype.path()
    query: list[tuple[str, Any]] = [("watch", "true"), ("resourceVersion", resource_version),
                                    ("allowWatchBookmarks", "true"), ("timeoutSeconds", timeout_s)]
    try:
        serialized = gateway.api.param_serialize(method="GET", resource_path=path, query_params=query,
                                                 header_params={"Accept": JSON}, auth_settings=["BearerToken"])
        response = gateway.api.call_api(*serialized, _request_timeout=(gateway.timeout_s, timeout_s + READ_GRACE_S))
    except ApiException as exc:
        raise _reported(gateway, plural, _failure(exc.status or 0, rtype, path)) from None
    except (urllib3.exceptions.HTTPError, OSError):
        raise _reported(gateway, plural, tagged(Unavailable("the cluster API is unreachable"), "unreachable")) from None
    if not 200 <= response.status <= 299:
        response.read()
        raise _reported(gateway, plural, _failure(response.status, rtype, path))
    return WatchStream(response.response, plural)


def _failure(status: int, rtype: Any, path: str) -> Unavailable:
    if status == 410:
        return tagged(Expired(f"the watch on {rtype.plural} fell too far behind (410 Gone)"), "410")
    return http_failure(status, "watch", rtype, path)


def _reported(gateway: ClusterGateway, plural: str, exc: Unavailable) -> Unavailable:
    gateway.report("watch", plural, exc.status)
    return exc
