"""The few built-in validation rules worth enforcing: ones product code could get wrong.

A real API server rejects a Deployment without a selector or whose selector misses its template
labels, and a Pod without containers; accepting them here would let broken manifests from
remediation code pass tests. Seeded objects (`KubeEmulator.add`) are not validated.
"""

from __future__ import annotations

from typing import Any

from bot.local.emulator.errors import invalid
from bot.local.emulator.resources import ResourceType

Obj = dict[str, Any]
_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}


def _labels_match(selector: Any, labels: Any) -> bool:
    match_labels = (selector or {}).get("matchLabels") or {}
    labels = labels or {}
    return all(labels.get(k) == v for k, v in match_labels.items())


def validate(rt: ResourceType, obj: Obj) -> None:
    """Raise 422 Invalid for the rules above; other kinds pass through."""
    name = obj["metadata"].get("name", "")
    spec = obj.get("spec") or {}
    if rt.builtin and rt.kind in _WORKLOADS:
        selector = spec.get("selector")
        if not (selector or {}).get("matchLabels") and not (selector or {}).get("matchExpressions"):
            raise invalid(rt, name, "spec.selector", "Required value")
        template = spec.get("template") or {}
        if not (template.get("spec") or {}).get("containers"):
            raise invalid(rt, name, "spec.template.spec.containers", "Required value")
        if not _labels_match(selector, (template.get("metadata") or {}).get("labels")):
            raise invalid(rt, name, "spec.template.metadata.labels",
                          "Invalid value: `selector` does not match template `labels`")
        replicas = spec.get("replicas", 1)
        if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
            raise invalid(rt, name, "spec.replicas", f"Invalid value: {replicas!r}: must be greater than or equal to 0")
    if rt.builtin and rt.kind == "Pod" and not spec.get("containers"):
        raise invalid(rt, name, "spec.containers", "Required value")
