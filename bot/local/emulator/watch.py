"""`?watch=true` streams: newline-delimited watch events, resumable by resourceVersion.

Informer-style code (list, then watch from the list's resourceVersion) is how the bot follows
rollouts; the events follow the real server's rules, including selector transitions (an object
that stops matching arrives as DELETED) and 410 Expired for versions no longer in the log. With
`allowWatchBookmarks=true` a quiet stream carries BOOKMARK events (only a resourceVersion) every
`BOOKMARK_S` and when `timeoutSeconds` ends it, so a client resumes from a recent version (the real
server sends them about once a minute; shorter here so tests need not wait).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from typing import Any

from bot.local.emulator.errors import ApiError, status_body
from bot.local.emulator.listing import with_type
from bot.local.emulator.resources import ResourceType
from bot.local.emulator.selectors import field_matcher, label_matcher
from bot.local.emulator.store import Change, Obj, ObjectStore

_POLL_S = 0.25
BOOKMARK_S = 1.0


def _event(rt: ResourceType, kind: str, obj: Obj) -> bytes:
    return json.dumps({"type": kind, "object": with_type(rt, dict(obj))}).encode() + b"\n"


def _bookmark(rt: ResourceType, rv: int) -> bytes:
    obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": {"resourceVersion": str(rv)}}
    return json.dumps({"type": "BOOKMARK", "object": obj}).encode() + b"\n"


def _expired(rv: int) -> bytes:
    status = status_body(410, f"too old resource version: {rv}", "Expired")
    return json.dumps({"type": "ERROR", "object": status}).encode() + b"\n"


class WatchRequest:
    """A validated watch: matchers and start point are settled before any bytes are sent."""

    def __init__(self, store: ObjectStore, rt: ResourceType, namespace: str | None, query: Mapping[str, str]):
        self.store, self.rt, self.namespace = store, rt, namespace
        labels = label_matcher(query.get("labelSelector"))
        fields = field_matcher(query.get("fieldSelector"), rt.kind)
        self._match: Callable[[Obj], bool] = lambda o: labels(o) and fields(o)
        timeout = query.get("timeoutSeconds")
        self.bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        try:
            self.deadline = time.monotonic() + float(timeout) if timeout else None
            rv = query.get("resourceVersion") or "0"
            self.cursor = int(rv)
        except ValueError:
            raise ApiError(400, "invalid timeoutSeconds or resourceVersion") from None
        self._initial: list[bytes] = []
        if self.cursor == 0:
            with store.lock:
                self.cursor = store.resource_version
                self._initial = [_event(rt, "ADDED", o) for o in store.items(rt, namespace) if self._match(o)]

    def _translate(self, change: Change) -> bytes | None:
        if change.resource != self.rt.key:
            return None
        if self.namespace is not None and change.obj["metadata"].get("namespace") != self.namespace:
            return None
        now = change.type != "DELETED" and self._match(change.obj)
        was = change.old is not None and self._match(change.old)
        if change.type == "DELETED":
            return _event(self.rt, "DELETED", change.obj) if was else None
        if now:
            return _event(self.rt, "MODIFIED" if was else "ADDED", change.obj)
        return _event(self.rt, "DELETED", change.obj) if was else None

    def _time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.monotonic()

    def run(self, write: Callable[[bytes], Any]) -> None:
        """Send events until timeoutSeconds passes, the server stops or the client goes away."""
        for line in self._initial:
            write(line)
        marked = time.monotonic()
        while True:
            left = self._time_left()
            if left is not None and left <= 0:
                if self.bookmarks:
                    write(_bookmark(self.rt, self.cursor))
                return
            with self.store.lock:
                if self.store.closed:
                    return
                changes = self.store.changes_after(self.cursor)
                if changes == []:
                    due = self.bookmarks and time.monotonic() - marked >= BOOKMARK_S
                    if not due:
                        self.store.changed.wait(_POLL_S if left is None else min(_POLL_S, left))
                        continue
            if changes == []:  # quiet for BOOKMARK_S: tell the client how far it has seen
                marked = time.monotonic()
                write(_bookmark(self.rt, self.cursor))
                continue
            if changes is None:
                write(_expired(self.cursor))
                return
            for change in changes:
                self.cursor = change.rv
                line = self._translate(change)
                if line is not None:
                    write(line)
