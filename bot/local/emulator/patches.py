"""The three PATCH dialects of the Kubernetes API, applied to plain JSON documents.

The python client sends a strategic merge patch for dict bodies and a JSON patch for lists, and
remediation code relies on each dialect's list semantics (containers merged by name, not replaced),
so each is implemented to its spec rather than approximated by one dict update.
"""

from __future__ import annotations

import copy
from typing import Any

from bot.local.emulator.errors import ApiError

# Strategic-merge list fields and their merge keys, as declared by the built-in types
# (`patchMergeKey` in k8s.io/api). `ports` is keyed by containerPort in containers and by
# port in services; `_merge_key` picks by content.
MERGE_KEYS: dict[str, str] = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "env": "name",
    "volumes": "name",
    "imagePullSecrets": "name",
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "hostAliases": "ip",
    "conditions": "type",
    "ownerReferences": "uid",
}
# Lists of scalars the built-in types merge (set union) rather than replace.
MERGED_SCALAR_LISTS = {"finalizers"}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON merge patch: objects merge recursively, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def _merge_key(field: str, items: list[Any]) -> str | None:
    if field == "ports":
        sample = next((i for i in items if isinstance(i, dict)), {})
        return "containerPort" if "containerPort" in sample else "port"
    return MERGE_KEYS.get(field)


def strategic_merge_patch(target: Any, patch: Any) -> Any:
    """Strategic merge patch: a merge patch whose known lists merge element-wise by key.

    Supports the `$patch: delete` / `$patch: replace` directives on list items and maps.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    patch = dict(patch)
    if patch.pop("$patch", None) == "replace":
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        elif isinstance(value, list) and isinstance(result.get(key), list):
            result[key] = _merge_list(key, result[key], value)
        elif isinstance(value, list):
            result[key] = [_strip_directives(v) for v in value if not _is_delete(v)]
        else:
            result[key] = strategic_merge_patch(result.get(key), value)
    return result


def _is_delete(item: Any) -> bool:
    return isinstance(item, dict) and item.get("$patch") == "delete"


def _strip_directives(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_directives(v) for k, v in value.items() if not k.startswith("$")}
    return copy.deepcopy(value)


def _merge_list(field: str, current: list[Any], patch: list[Any]) -> list[Any]:
    if field in MERGED_SCALAR_LISTS:
        return list(current) + [v for v in patch if v not in current]
    key = _merge_key(field, current + patch)
    if key is None or not all(isinstance(v, dict) and key in v for v in patch):
        return [_strip_directives(v) for v in patch if not _is_delete(v)]
    merged = copy.deepcopy(current)
    for item in patch:
        index = next((i for i, cur in enumerate(merged) if isinstance(cur, dict) and cur.get(key) == item[key]), None)
        if _is_delete(item):
            if index is not None:
                merged.pop(index)
        elif index is None:
            merged.append(_strip_directives(item))
        else:
            merged[index] = strategic_merge_patch(merged[index], item)
    return merged


def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise ApiError(422, f"json patch path {path!r} must start with '/'")
    return [p.replace("~1", "/").replace("~0", "~") for p in path[1:].split("/")]


def _parent(doc: Any, parts: list[str], path: str) -> Any:
    node = doc
    for part in parts[:-1]:
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            raise ApiError(422, f"json patch: path {path!r} does not exist") from None
    return node


def _index(node: list[Any], part: str, path: str, *, insert: bool) -> int:
    if insert and part == "-":
        return len(node)
    try:
        index = int(part)
    except ValueError:
        raise ApiError(422, f"json patch: invalid array index in {path!r}") from None
    if not 0 <= index <= len(node) - (0 if insert else 1):
        raise ApiError(422, f"json patch: array index out of range in {path!r}")
    return index


def _get(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    if not parts:
        return doc
    node = _parent(doc, parts, path)
    try:
        return node[_index(node, parts[-1], path, insert=False)] if isinstance(node, list) else node[parts[-1]]
    except (KeyError, TypeError):
        raise ApiError(422, f"json patch: path {path!r} does not exist") from None


def _remove(doc: Any, path: str) -> Any:
    parts = _pointer(path)
    node = _parent(doc, parts, path)
    if isinstance(node, list):
        return node.pop(_index(node, parts[-1], path, insert=False))
    if not isinstance(node, dict) or parts[-1] not in node:
        raise ApiError(422, f"json patch: unable to remove nonexistent key {parts[-1]!r} at {path!r}")
    return node.pop(parts[-1])


def _add(doc: Any, path: str, value: Any) -> Any:
    parts = _pointer(path)
    if not parts:
        return value
    node = _parent(doc, parts, path)
    if isinstance(node, list):
        node.insert(_index(node, parts[-1], path, insert=True), value)
    elif isinstance(node, dict):
        node[parts[-1]] = value
    else:
        raise ApiError(422, f"json patch: path {path!r} does not exist")
    return doc


def json_patch(target: Any, operations: Any) -> Any:
    """RFC 6902 JSON patch (add, remove, replace, move, copy, test); any failure is 422 Invalid."""
    if not isinstance(operations, list):
        raise ApiError(400, "json patch body must be a JSON array of operations")
    doc = copy.deepcopy(target)
    for op in operations:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise ApiError(422, f"json patch: malformed operation {op!r}")
        kind, path = op["op"], op["path"]
        if kind == "add":
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind == "remove":
            _remove(doc, path)
        elif kind == "replace":
            _get(doc, path)
            if _pointer(path):
                _remove(doc, path)
            doc = _add(doc, path, copy.deepcopy(op.get("value")))
        elif kind in ("move", "copy"):
            value = _get(doc, op.get("from", ""))
            if kind == "move":
                _remove(doc, op["from"])
            doc = _add(doc, path, copy.deepcopy(value))
        elif kind == "test":
            if _get(doc, path) != op.get("value"):
                raise ApiError(422, f"json patch: test failed for path {path!r}")
        else:
            raise ApiError(422, f"json patch: unsupported operation {kind!r}")
    return doc
