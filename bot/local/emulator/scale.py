"""The autoscaling/v1 Scale view of Deployments and StatefulSets (the `/scale` subresource).

`kubectl scale` and remediation code resize workloads through this subresource rather than by
patching the workload, so it must read and write `spec.replicas` exactly as the real server does.
"""

from __future__ import annotations

from typing import Any

from bot.local.emulator.errors import invalid
from bot.local.emulator.resources import ResourceType

Obj = dict[str, Any]


def selector_string(selector: Any) -> str:
    """A LabelSelector rendered in query syntax, as Scale.status.selector carries it."""
    if not isinstance(selector, dict):
        return ""
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key", ""), expr.get("operator", ""), expr.get("values") or []
        if op == "In":
            terms.append(f"{key} in ({','.join(values)})")
        elif op == "NotIn":
            terms.append(f"{key} notin ({','.join(values)})")
        elif op == "Exists":
            terms.append(key)
        elif op == "DoesNotExist":
            terms.append(f"!{key}")
    return ",".join(terms)


def scale_view(obj: Obj) -> Obj:
    """The Scale object a GET on `/scale` returns for a stored workload."""
    meta = obj["metadata"]
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    scale_meta = {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                  if k in meta}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": scale_meta,
        "spec": {"replicas": int(spec.get("replicas", 1))},
        "status": {"replicas": int(status.get("replicas", 0)), "selector": selector_string(spec.get("selector"))},
    }


def apply_scale(rt: ResourceType, obj: Obj, scale: Any) -> Obj:
    """The workload with `spec.replicas` taken from a (replaced or patched) Scale body."""
    name = obj["metadata"]["name"]
    replicas = ((scale or {}).get("spec") or {}).get("replicas", 0) if isinstance(scale, dict) else None
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise invalid(rt, name, "spec.replicas", f"Invalid value: {replicas!r}: must be greater than or equal to 0")
    updated = dict(obj)
    updated["spec"] = dict(obj.get("spec") or {}, replicas=replicas)
    rv = ((scale.get("metadata") or {}).get("resourceVersion")) if isinstance(scale, dict) else None
    updated["metadata"] = dict(obj["metadata"])
    if rv:
        updated["metadata"]["resourceVersion"] = rv
    return updated
