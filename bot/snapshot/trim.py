"""What the view keeps of each object: exactly the fields the checks and risk rules read, nothing more.

Applied to every object as it arrives from a list or a watch event (bot/cluster/feed.py), so memory holds a
few hundred bytes per pod instead of its full spec and status, and a ConfigMap's values are never held beyond
the event: each becomes a `Redacted` (keyed HMAC prefix, length, and whether it is a connection string with a
password, the one fact `credentials.is_credential` reads from a value). Kinds a plan reads by arbitrary paths
(certificates, Velero objects, `crd_objects`) keep everything but the bulky bookkeeping in metadata.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.snapshot.credentials import CONNECTION_WITH_PASSWORD, fingerprint

Obj = dict[str, Any]
META_KEPT = ("name", "namespace", "labels", "annotations", "resourceVersion", "creationTimestamp", "deletionTimestamp",
             "generation")
DROPPED_ANNOTATIONS = frozenset({"kubectl.kubernetes.io/last-applied-configuration"})
CONTAINER_KEPT = ("name", "image", "ports")  # images_from_registry, docker_hub_images, flows' named ports


@dataclass(frozen=True)
class Redacted:
    """A ConfigMap value as the view keeps it: never the value itself."""

    hmac: str
    length: int
    connection_with_password: bool

    def __bool__(self) -> bool:
        return self.length > 0

    def __str__(self) -> str:
        return f"<redacted {self.length} chars, hmac {self.hmac}>"


def _meta(obj: Obj) -> Obj:
    meta = obj.get("metadata") or {}
    kept = {k: meta[k] for k in META_KEPT if k in meta}
    notes = kept.get("annotations")
    if notes and DROPPED_ANNOTATIONS.intersection(notes):
        kept["annotations"] = {k: v for k, v in notes.items() if k not in DROPPED_ANNOTATIONS}
    return kept


def _containers(found: Any) -> list[Obj]:
    return [{k: c[k] for k in CONTAINER_KEPT if k in c} for c in found or []]


def trim_pod(obj: Obj) -> Obj:
    """Labels and namespace (selectors, flows), container names, images and ports, phase, conditions, waiting reasons."""
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    kept_status: Obj = {"phase": status.get("phase"),
                        "conditions": [{"type": c.get("type"), "status": c.get("status")}
                                       for c in status.get("conditions") or []]}
    for field in ("containerStatuses", "initContainerStatuses"):
        if status.get(field):
            kept_status[field] = [{"name": s.get("name"), "state": _waiting(s.get("state") or {})}
                                  for s in status[field]]
    kept_spec = {"containers": _containers(spec.get("containers"))}
    if spec.get("initContainers"):
        kept_spec["initContainers"] = _containers(spec["initContainers"])
    return {"metadata": _meta(obj), "spec": kept_spec, "status": kept_status}


def _waiting(state: Obj) -> Obj:
    waiting = state.get("waiting")
    return {"waiting": {"reason": waiting.get("reason", "")}} if waiting else {}


def trim_configmap(obj: Obj, key: bytes) -> Obj:
    """Key names with a `Redacted` per value; binaryData keeps its key names only."""
    data = {k: Redacted(fingerprint(v, key), len(v), bool(CONNECTION_WITH_PASSWORD.match(v)))
            for k, v in (obj.get("data") or {}).items() if isinstance(v, str)}
    trimmed: Obj = {"metadata": _meta(obj), "data": data}
    if obj.get("binaryData"):
        trimmed["binaryData"] = dict.fromkeys(obj["binaryData"], "")
    return trimmed


def trim_other(obj: Obj) -> Obj:
    """Everything but managedFields and last-applied-configuration (a plan's checks may read any path)."""
    meta = dict(obj.get("metadata") or {})
    meta.pop("managedFields", None)
    notes = meta.get("annotations")
    if notes and DROPPED_ANNOTATIONS.intersection(notes):
        meta["annotations"] = {k: v for k, v in notes.items() if k not in DROPPED_ANNOTATIONS}
    return {**obj, "metadata": meta}


def trimmer(key: bytes) -> Callable[[str, Obj], Obj]:
    """The view's trim function for the install's HMAC key."""
    def trim(plural: str, obj: Obj) -> Obj:
        if plural == "pods":
            return trim_pod(obj)
        if plural == "configmaps":
            return trim_configmap(obj, key)
        return trim_other(obj)
    return trim
