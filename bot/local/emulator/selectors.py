"""Label and field selectors with the real API server's syntax and semantics.

Checks filter pods and workloads by `labelSelector`/`fieldSelector`; an emulator that ignored them
(as kmock did) would let a wrong selector pass every test. Parsing errors surface as 400 BadRequest,
as the real server answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from bot.local.emulator.errors import ApiError, bad_request

Matcher = Callable[[Mapping[str, Any]], bool]

_KEY = r"[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?"
_VALUE = r"([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?"
_SET_RE = re.compile(rf"^(?P<key>{_KEY})\s+(?P<op>in|notin)\s*\((?P<values>[^()]*)\)$")
_CMP_RE = re.compile(rf"^(?P<key>{_KEY})\s*(?P<op>==|=|!=|>|<)\s*(?P<value>{_VALUE})$")
_EXISTS_RE = re.compile(rf"^(?P<neg>!?)\s*(?P<key>{_KEY})$")
_VALUE_RE = re.compile(rf"^{_VALUE}$")


def _split_requirements(selector: str) -> list[str]:
    """Split on commas that are not inside an `in (...)` value set."""
    parts, depth, current = [], 0, []
    for char in selector:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _requirement(text: str) -> Callable[[Mapping[str, str]], bool]:
    if m := _SET_RE.match(text):
        key, values = m["key"], {v.strip() for v in m["values"].split(",")}
        if not all(_VALUE_RE.match(v) for v in values):
            raise bad_request(f"unable to parse requirement: invalid label value in {text!r}")
        if m["op"] == "in":
            return lambda labels: key in labels and labels[key] in values
        return lambda labels: labels.get(key) not in values
    if m := _CMP_RE.match(text):
        key, op, value = m["key"], m["op"], m["value"]
        if op in ("=", "=="):
            return lambda labels: labels.get(key) == value
        if op == "!=":
            return lambda labels: labels.get(key) != value
        try:
            bound = int(value)
        except ValueError:
            raise bad_request(
                f"unable to parse requirement: for 'gt', 'lt' operators, the value must be an integer: {text!r}"
            ) from None
        greater = op == ">"
        return lambda labels: _compare(labels.get(key), bound, greater)
    if m := _EXISTS_RE.match(text):
        key = m["key"]
        if m["neg"]:
            return lambda labels: key not in labels
        return lambda labels: key in labels
    raise bad_request(f"unable to parse requirement: {text!r}")


def _compare(value: str | None, bound: int, greater: bool) -> bool:
    """`gt`/`lt` requirements: a missing or non-integer label never matches."""
    try:
        number = int(value) if value is not None else None
    except ValueError:
        return False
    if number is None:
        return False
    return number > bound if greater else number < bound


def label_matcher(selector: str | None) -> Matcher:
    """Matcher over whole objects for a `labelSelector` query value (empty matches everything)."""
    reqs = [_requirement(r) for r in _split_requirements(selector or "")]

    def match(obj: Mapping[str, Any]) -> bool:
        labels = (obj.get("metadata") or {}).get("labels") or {}
        return all(req(labels) for req in reqs)

    return match


# Fields each kind lets you select on, beyond metadata.name / metadata.namespace (the real
# server rejects others with 400, so a typo in product code fails here too).
_EXTRA_FIELDS: dict[str, tuple[str, ...]] = {
    "Pod": ("status.phase", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
            "spec.serviceAccountName", "spec.hostNetwork", "status.podIP", "status.nominatedNodeName"),
    "Event": ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
              "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
              "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"),
    "Secret": ("type",),
    "Namespace": ("status.phase",),
    "Node": ("spec.unschedulable",),
    "ReplicaSet": ("status.replicas",),
}


def _field_value(obj: Mapping[str, Any], path: str) -> str:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_matcher(selector: str | None, kind: str) -> Matcher:
    """Matcher for a `fieldSelector` query value; unknown fields are a 400 like the real API."""
    allowed = ("metadata.name", "metadata.namespace", *_EXTRA_FIELDS.get(kind, ()))
    checks: list[tuple[str, bool, str]] = []
    for term in _split_requirements(selector or ""):
        m = re.match(r"^([A-Za-z.]+)\s*(==|=|!=)\s*(.*)$", term)
        if not m:
            raise bad_request(f"invalid selector: {term!r}; can't understand {term!r}")
        field, op, value = m.groups()
        if field not in allowed:
            raise ApiError(400, f'field label not supported: {field}')
        checks.append((field, op != "!=", value.strip()))

    def match(obj: Mapping[str, Any]) -> bool:
        return all((_field_value(obj, f) == v) == eq for f, eq, v in checks)

    return match
