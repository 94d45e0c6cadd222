"""LIST responses: selector filtering, stable ordering and limit/continue pagination.

Inventory checks page through thousands of pods with `limit`/`continue`; the token here is opaque
to clients (base64 JSON, like the real server's) and resumes strictly after the last key served,
so every item comes back exactly once.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

from bot.local.emulator.errors import ApiError
from bot.local.emulator.resources import ResourceType
from bot.local.emulator.selectors import field_matcher, label_matcher
from bot.local.emulator.store import Obj, ObjectStore, obj_key


def encode_continue(rv: int, last: tuple[str, str]) -> str:
    raw = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": list(last)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_continue(token: str) -> tuple[int, tuple[str, str]]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = json.loads(raw)
        namespace, name = data["start"]
        return int(data["rv"]), (str(namespace), str(name))
    except (binascii.Error, ValueError, KeyError, TypeError):
        raise ApiError(400, "continue key is not valid: incorrect encoded start resourceVersion") from None


def _limit(query: Mapping[str, str]) -> int:
    try:
        limit = int(query.get("limit") or 0)
    except ValueError:
        raise ApiError(400, f"invalid limit: {query.get('limit')!r}") from None
    if limit < 0:
        raise ApiError(400, "limit must be non-negative")
    return limit


def with_type(rt: ResourceType, obj: Obj) -> Obj:
    """Items carry kind/apiVersion so they can be re-applied as manifests."""
    obj.setdefault("kind", rt.kind)
    obj.setdefault("apiVersion", rt.api_version)
    return obj


def list_objects(store: ObjectStore, rt: ResourceType, namespace: str | None, query: Mapping[str, str]) -> Obj:
    """The `{Kind}List` body for a collection GET (namespace None = across all namespaces)."""
    labels = label_matcher(query.get("labelSelector"))
    fields = field_matcher(query.get("fieldSelector"), rt.kind)
    limit = _limit(query)
    with store.lock:
        rv = store.resource_version
        after: tuple[str, str] | None = None
        if query.get("continue"):
            rv, after = decode_continue(query["continue"])
        items, remaining = store.page(rt, namespace, lambda o: labels(o) and fields(o), after, limit)
    list_meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if remaining:
        list_meta["continue"] = encode_continue(rv, obj_key(items[-1]))
        list_meta["remainingItemCount"] = remaining
    return {
        "kind": f"{rt.kind}List",
        "apiVersion": rt.api_version,
        "metadata": list_meta,
        "items": [with_type(rt, o) for o in items],
    }
