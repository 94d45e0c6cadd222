"""How a workload reads each key of a ConfigMap: as an env var (envFrom or configMapKeyRef) or as a file
(a configMap volume or projected source, at its mount path).

A migration must deliver every moved key the same way (same env var name, same file path) from its new
source, so the consumer's app never notices; this is the map it works from. Pure: plain objects in.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]


@dataclass(frozen=True)
class Use:
    container: str
    key: str
    how: str  # envFrom | env | file
    target: str  # the env var name, or the file path

    def line(self) -> str:
        return f"env {self.target}" if self.how in ("env", "envFrom") else f"file {self.target}"


def pod_spec(workload: Obj) -> Obj:
    return ((workload.get("spec") or {}).get("template") or {}).get("spec") or {}


def containers(spec: Obj) -> list[Obj]:
    return [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]


def configmap_volumes(spec: Obj, configmap: str) -> dict[str, dict[str, str]]:
    """Volume name -> {key: relative file path} for every volume (or projected source) of this ConfigMap."""
    found: dict[str, dict[str, str]] = {}
    for volume in spec.get("volumes") or []:
        sources = [volume.get("configMap")] + [s.get("configMap") for s in (volume.get("projected") or {}).get("sources") or []]
        for source in sources:
            if source and source.get("name") == configmap:
                items = source.get("items")
                paths = found.setdefault(volume["name"], {})
                paths.update({i["key"]: i.get("path", i["key"]) for i in items} if items else {"*": "*"})
    return found


def uses(workload: Obj, configmap: str, keys: Iterable[str]) -> list[Use]:
    """Every way the workload's containers read each of `keys` from the ConfigMap."""
    spec, wanted = pod_spec(workload), sorted(set(keys))
    volumes = configmap_volumes(spec, configmap)
    found: list[Use] = []
    for container in containers(spec):
        name = container.get("name", "")
        for source in container.get("envFrom") or []:
            if (source.get("configMapRef") or {}).get("name") == configmap:
                found += [Use(name, key, "envFrom", source.get("prefix", "") + key) for key in wanted]
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("configMapKeyRef") or {}
            if ref.get("name") == configmap and ref.get("key") in wanted:
                found.append(Use(name, ref["key"], "env", env["name"]))
        for mount in container.get("volumeMounts") or []:
            paths = volumes.get(mount.get("name", ""))
            if paths is None:
                continue
            for key in wanted:
                relative = paths.get(key) or (key if "*" in paths else None)
                if relative is None:
                    continue
                sub = mount.get("subPath")
                if sub and sub != relative:
                    continue
                path = mount["mountPath"] if sub else f"{mount['mountPath'].rstrip('/')}/{relative}"
                found.append(Use(name, key, "file", path))
    return found


def delivers(spec: Obj, use: Use, secret: str) -> bool:
    """Does this pod spec give the container the key from the Secret, at the same env var or file path?"""
    container = next((c for c in containers(spec) if c.get("name") == use.container), None)
    if container is None:
        return False
    if use.how == "envFrom":
        prefix = use.target[: len(use.target) - len(use.key)]
        return any((s.get("secretRef") or {}).get("name") == secret and s.get("prefix", "") == prefix
                   for s in container.get("envFrom") or [])
    if use.how == "env":
        return any(e.get("name") == use.target
                   and ((e.get("valueFrom") or {}).get("secretKeyRef") or {}) .get("name") == secret
                   and e["valueFrom"]["secretKeyRef"].get("key") == use.key for e in container.get("env") or [])
    for mount in container.get("volumeMounts") or []:
        volume = next((v for v in spec.get("volumes") or [] if v.get("name") == mount.get("name")), None)
        for source in ((volume or {}).get("projected") or {}).get("sources") or []:
            ref = source.get("secret") or {}
            if ref.get("name") != secret:
                continue
            items = ref.get("items")
            relative = next((i.get("path", i["key"]) for i in items if i["key"] == use.key), None) if items else use.key
            if relative is not None and f"{mount['mountPath'].rstrip('/')}/{relative}" == use.target:
                return True
    return False
