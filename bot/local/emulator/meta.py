"""Object metadata bookkeeping the API server owns: names, uid, timestamps, generation.

Controllers and checks read these fields (generation vs observedGeneration, creationTimestamp
ages, uid-based owner references), so the emulator maintains them with the server's rules.
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from datetime import UTC, datetime
from typing import Any

from bot.local.emulator.errors import ApiError, invalid
from bot.local.emulator.resources import ResourceType

Obj = dict[str, Any]

_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
# Server-owned metadata a client cannot change through an update.
_SERVER_OWNED = ("uid", "creationTimestamp", "generation", "deletionTimestamp", "selfLink")


def now_rfc3339() -> str:
    """The server's timestamp format: RFC 3339, second precision, UTC "Z"."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def generate_name(prefix: str) -> str:
    """generateName semantics: the prefix plus five random lowercase alphanumerics."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return prefix + "".join(random.choice(alphabet) for _ in range(5))


def validate_name(rt: ResourceType, name: str) -> None:
    """Reject names the real server would, so product code can't rely on names it can't use."""
    if rt.group == "rbac.authorization.k8s.io":
        ok = name not in (".", "..") and "/" not in name and "%" not in name
        rule = "may not contain '/' or '%' and may not be '.' or '..'"
    elif rt.kind == "Namespace":
        ok = len(name) <= 63 and bool(_DNS_LABEL.match(name))
        rule = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-'"
    else:
        ok = len(name) <= 253 and bool(_DNS_SUBDOMAIN.match(name))
        rule = (
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
            "'-' or '.', and must start and end with an alphanumeric character"
        )
    if not ok:
        raise invalid(rt, name, "metadata.name", f'Invalid value: "{name}": {rule}')


def check_type(rt: ResourceType, body: Any, name: str = "") -> Obj:
    """The body must be an object of this resource's kind; fills kind/apiVersion when absent."""
    if not isinstance(body, dict):
        raise ApiError(400, "the body of the request must be a JSON object")
    body = prune_nulls(body)
    kind, api_version = body.setdefault("kind", rt.kind), body.setdefault("apiVersion", rt.api_version)
    if kind != rt.kind or api_version != rt.api_version:
        raise invalid(
            rt, name or (body.get("metadata") or {}).get("name", ""), "kind",
            f'Invalid value: "{api_version}, Kind={kind}": must be {rt.api_version}, Kind={rt.kind}',
        )
    if not isinstance(body.setdefault("metadata", {}), dict):
        raise ApiError(400, "metadata must be a JSON object")
    return body


def prune_nulls(value: Any) -> Any:
    """Drop null fields, as decoding into typed objects does on the real server."""
    if isinstance(value, dict):
        return {k: prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [prune_nulls(v) for v in value]
    return value


def spec_of(obj: Obj) -> Obj:
    """Everything but metadata and status: what bumps metadata.generation when it changes."""
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "kind", "apiVersion")}


def initialize(rt: ResourceType, obj: Obj, *, seeding: bool) -> Obj:
    """Fill server-owned metadata on a new object (and status defaults, as create does).

    A client create gets fresh uid/creationTimestamp and loses any status (for types with a
    status subresource) as on the real server; seeding keeps what the manifest says so demo
    data can carry ages, uids and controller-written status.
    """
    meta = obj["metadata"]
    for field, value in (("uid", str(uuid.uuid4())), ("creationTimestamp", now_rfc3339()), ("generation", 1)):
        if not seeding or not meta.get(field):
            meta[field] = value
    for field in ("resourceVersion", "deletionTimestamp", "selfLink"):
        meta.pop(field, None)
    if not seeding and rt.has("status"):
        obj.pop("status", None)
    if rt.kind == "Pod":
        obj.setdefault("status", {}).setdefault("phase", "Pending")
    if rt.has("scale"):
        obj.setdefault("spec", {}).setdefault("replicas", 1)
    if rt.kind == "Namespace":
        obj.setdefault("spec", {}).setdefault("finalizers", ["kubernetes"])
        obj.setdefault("status", {}).setdefault("phase", "Active")
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    return obj


def fold_string_data(rt: ResourceType, obj: Obj) -> Obj:
    """A Secret's write-only `stringData` merged into `data` (base64), as the API server stores it."""
    if rt.builtin and rt.kind == "Secret" and isinstance(obj.get("stringData"), dict):
        data = obj.setdefault("data", {}) or {}
        for key, value in obj.pop("stringData").items():
            data[key] = base64.b64encode(str(value).encode()).decode()
        obj["data"] = data
    return obj


def carry_over(rt: ResourceType, old: Obj, new: Obj, *, status_from_old: bool) -> Obj:
    """Apply an update: keep server-owned metadata, bump generation if the spec changed."""
    meta = new.setdefault("metadata", {})
    for field in _SERVER_OWNED:
        if field in old["metadata"]:
            meta[field] = old["metadata"][field]
        else:
            meta.pop(field, None)
    meta["resourceVersion"] = old["metadata"]["resourceVersion"]
    if status_from_old and rt.has("status"):
        if "status" in old:
            new["status"] = old["status"]
        else:
            new.pop("status", None)
    if spec_of(new) != spec_of(old):
        meta["generation"] = int(old["metadata"].get("generation", 1)) + 1
    if rt.kind == "Namespace":
        meta.setdefault("labels", {})["kubernetes.io/metadata.name"] = meta["name"]
    return new
