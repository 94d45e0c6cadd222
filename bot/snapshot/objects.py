"""Pure functions over Kubernetes objects as plain dicts (what the gateway returns).

Selectors are matched here rather than on the server because a snapshot lists each kind once for all
checks; the syntax is the API server's (`a=b,c!=d,e in (x,y),!f`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "local-path-storage"})
BAD_WAITING = frozenset({"CrashLoopBackOff", "ImagePullBackOff", "ErrImagePull", "CreateContainerConfigError",
                         "InvalidImageName"})
_SET_RE = re.compile(r"^\s*([A-Za-z0-9._/-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def meta(obj: dict[str, Any]) -> dict[str, Any]:
    return obj.get("metadata") or {}


def ref(obj: dict[str, Any]) -> str:
    """`namespace/name` (or `name` for cluster-scoped), as evidence names objects."""
    m = meta(obj)
    return f"{m['namespace']}/{m.get('name', '?')}" if m.get("namespace") else str(m.get("name", "?"))


def in_namespaces(objs: Iterable[dict[str, Any]], namespaces: Iterable[str] = (),
                  skip_system: bool = True) -> list[dict[str, Any]]:
    """Objects in the given namespaces, or in every non-system namespace when none are given."""
    wanted = set(namespaces)
    if wanted:
        return [o for o in objs if meta(o).get("namespace") in wanted]
    return [o for o in objs if not (skip_system and meta(o).get("namespace") in SYSTEM_NAMESPACES)]


def split_selector(selector: str) -> list[str]:
    """Split on commas that are not inside `in (...)` sets."""
    parts, depth, current = [], 0, ""
    for char in selector:
        depth += char == "("
        depth -= char == ")"
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def selector_problem(selector: str) -> str | None:
    """Why a label selector is malformed, or None; used to validate plan files."""
    for part in split_selector(selector):
        if not (_SET_RE.match(part) or re.match(r"^!?[A-Za-z0-9._/-]+$", part)
                or re.match(r"^[A-Za-z0-9._/-]+\s*(==|=|!=)\s*[A-Za-z0-9._-]*$", part)):
            return f"cannot read {part!r}; expected key=value, key!=value, key in (a,b), key notin (a), key or !key"
    return None


def matches(labels: dict[str, str] | None, selector: str | None) -> bool:
    labels = labels or {}
    for part in split_selector(selector or ""):
        set_match = _SET_RE.match(part)
        if set_match:
            key, op, values = set_match.groups()
            options = {v.strip() for v in values.split(",") if v.strip()}
            if (labels.get(key) in options) != (op == "in"):
                return False
        elif "!=" in part:
            key, value = (s.strip() for s in part.split("!=", 1))
            if labels.get(key) == value:
                return False
        elif "=" in part:
            key, value = (s.strip() for s in part.replace("==", "=").split("=", 1))
            if labels.get(key) != value:
                return False
        elif part.startswith("!"):
            if part[1:] in labels:
                return False
        elif part not in labels:
            return False
    return True


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    return next((c for c in (obj.get("status") or {}).get("conditions") or [] if c.get("type") == kind), None)


def pod_waiting_reasons(pod: dict[str, Any]) -> list[str]:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    statuses += (pod.get("status") or {}).get("initContainerStatuses") or []
    return [s["state"]["waiting"].get("reason", "") for s in statuses if (s.get("state") or {}).get("waiting")]


def pod_healthy(pod: dict[str, Any]) -> bool:
    """Running and Ready, or finished successfully (a completed Job's pod is not a problem)."""
    phase = (pod.get("status") or {}).get("phase")
    if phase == "Succeeded":
        return True
    ready = condition(pod, "Ready")
    return phase == "Running" and bool(ready) and ready.get("status") == "True"


def pod_problem(pod: dict[str, Any]) -> str:
    reasons = [r for r in pod_waiting_reasons(pod) if r]
    if reasons:
        return ", ".join(sorted(set(reasons)))
    phase = (pod.get("status") or {}).get("phase") or "Unknown"
    return f"{phase}, not Ready" if phase == "Running" else phase


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def containers(pod: dict[str, Any]) -> list[dict[str, Any]]:
    spec = pod.get("spec") or {}
    return list(spec.get("containers") or []) + list(spec.get("initContainers") or [])


def selects(selector: dict[str, Any] | None, labels: dict[str, str] | None) -> bool:
    """Does a structured LabelSelector (matchLabels/matchExpressions) select these labels? `{}` selects all."""
    selector, labels = selector or {}, labels or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), set(expr.get("values") or [])
        if (op == "In" and labels.get(key) not in values) or (op == "NotIn" and labels.get(key) in values) \
                or (op == "Exists" and key not in labels) or (op == "DoesNotExist" and key in labels):
            return False
    return True


def template_labels(workload: dict[str, Any]) -> dict[str, str]:
    """The labels a Deployment/StatefulSet gives its pods."""
    return ((((workload.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels")) or {}


def service_account(workload: dict[str, Any]) -> str:
    spec = (((workload.get("spec") or {}).get("template") or {}).get("spec")) or {}
    return spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"


def dig(obj: dict[str, Any], path: str) -> Any:
    """`status.phase` -> obj['status']['phase'], None when any step is missing."""
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value
