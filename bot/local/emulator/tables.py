"""Server-side printing (meta.k8s.io/v1 Table) so `kubectl get` against the emulator reads well.

kubectl asks for `as=Table` and shows whatever columns the server defines; the demo console is
explored with kubectl, so a few familiar columns are worth the small cost.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from bot.local.emulator.resources import ResourceType

Obj = dict[str, Any]
Column = tuple[str, Callable[[Obj], Any]]


def wants_table(headers: Mapping[str, str]) -> bool:
    return "as=Table" in (headers.get("Accept") or "")


def age(obj: Obj) -> str:
    """kubectl's short age format: 42s, 7m, 5h, 3d."""
    stamp = (obj.get("metadata") or {}).get("creationTimestamp")
    if not stamp:
        return "<unknown>"
    try:
        created = datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError:
        return "<unknown>"
    seconds = max(0, int((datetime.now(UTC) - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _pod_ready(pod: Obj) -> str:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    total = len((pod.get("spec") or {}).get("containers") or []) or len(statuses)
    return f"{sum(1 for s in statuses if s.get('ready'))}/{total}"


def _restarts(pod: Obj) -> int:
    return sum(int(s.get("restartCount", 0)) for s in (pod.get("status") or {}).get("containerStatuses") or [])


def _replicas(obj: Obj) -> str:
    return f"{(obj.get('status') or {}).get('readyReplicas', 0)}/{(obj.get('spec') or {}).get('replicas', 0)}"


def _condition(obj: Obj, kind: str) -> str:
    conds = (obj.get("status") or {}).get("conditions") or []
    return next((c.get("status", "") for c in conds if c.get("type") == kind), "")


_EXTRA: dict[str, list[Column]] = {
    "Pod": [("Ready", _pod_ready), ("Status", lambda o: (o.get("status") or {}).get("phase", "")),
            ("Restarts", _restarts)],
    "Deployment": [("Ready", _replicas),
                   ("Up-to-date", lambda o: (o.get("status") or {}).get("updatedReplicas", 0)),
                   ("Available", lambda o: (o.get("status") or {}).get("availableReplicas", 0))],
    "StatefulSet": [("Ready", _replicas)],
    "Namespace": [("Status", lambda o: (o.get("status") or {}).get("phase", ""))],
    "Node": [("Status", lambda o: "Ready" if _condition(o, "Ready") == "True" else "NotReady")],
    "Certificate": [("Ready", lambda o: _condition(o, "Ready")),
                    ("Secret", lambda o: (o.get("spec") or {}).get("secretName", ""))],
}


def to_table(rt: ResourceType, doc: Obj) -> Obj:
    """A Table for a list body or a single object."""
    objects = doc["items"] if doc.get("kind", "").endswith("List") and "items" in doc else [doc]
    columns: list[Column] = [("Name", lambda o: o["metadata"]["name"]), *_EXTRA.get(rt.kind, []), ("Age", age)]
    definitions = [
        {"name": name, "type": "integer" if name == "Restarts" else "string",
         "format": "name" if name == "Name" else "", "description": name, "priority": 0}
        for name, _ in columns
    ]
    rows = [{"cells": [fn(o) for _, fn in columns],
             "object": {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                        "metadata": o.get("metadata", {})}}
            for o in objects]
    meta = {k: v for k, v in (doc.get("metadata") or {}).items() if k in ("resourceVersion", "continue")}
    return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": meta,
            "columnDefinitions": definitions, "rows": rows}
