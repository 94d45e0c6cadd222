"""The app's declared needs: what a container must find in its env and filesystem to keep running.

A kubelet cannot know what an app needs; the emulator's model asks the pod template to say it in
the annotation `emulator.carbon.dev/needs` (comma-separated `env:NAME` and `file:/abs/path`), so a
rotation that drops a credential the app reads makes its pods crash as the app would. Missing needs
are reported by name only, never with a value.
"""

from __future__ import annotations

import posixpath
from typing import Any

from bot.local.emulator.podconfig import Lookup, volume_files

Obj = dict[str, Any]
NEEDS_ANNOTATION = "emulator.carbon.dev/needs"
DEFAULT_CONTAINER = "kubectl.kubernetes.io/default-container"


def declared_needs(pod: Obj) -> list[str]:
    raw = ((pod["metadata"].get("annotations") or {}).get(NEEDS_ANNOTATION) or "")
    return [need.strip() for need in raw.split(",") if need.strip()]


def app_container(pod: Obj) -> Obj:
    """The container the needs describe: the default-container annotation's, else the first."""
    containers = (pod.get("spec") or {}).get("containers") or [{}]
    wanted = (pod["metadata"].get("annotations") or {}).get(DEFAULT_CONTAINER)
    return next((c for c in containers if c.get("name") == wanted), containers[0])


def mounted_files(pod: Obj, container: Obj, lookup: Lookup) -> set[str]:
    """Absolute paths the container sees from its configMap/secret/projected mounts (items honoured)."""
    namespace = pod["metadata"].get("namespace", "default")
    volumes = {v.get("name"): v for v in (pod.get("spec") or {}).get("volumes") or []}
    paths: set[str] = set()
    for mount in container.get("volumeMounts") or []:
        volume = volumes.get(mount.get("name"))
        if volume is None:
            continue
        files, failure = volume_files(volume, namespace, lookup)
        if failure or files is None:
            continue
        root, sub = mount.get("mountPath", "/"), mount.get("subPath")
        if sub:
            if sub in files:
                paths.add(root)
            continue
        paths |= {posixpath.join(root, f) for f in files}
    return paths


def missing_needs(pod: Obj, env_names: set[str], files: set[str]) -> list[str]:
    """The declared needs the container does not get, as "env NAME" / "file /path"."""
    missing = []
    for need in declared_needs(pod):
        kind, _, what = need.partition(":")
        if kind == "env" and what not in env_names:
            missing.append(f"env {what}")
        elif kind == "file" and posixpath.normpath(what) not in files:
            missing.append(f"file {what}")
    return missing


def volumes_sourcing_files(pod: Obj) -> set[tuple[str, str]]:
    """(resource, name) of every ConfigMap/Secret a volume of the pod mounts: what re-evaluates it."""
    out: set[tuple[str, str]] = set()
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        if "configMap" in volume:
            out.add(("configmaps", volume["configMap"].get("name", "")))
        if "secret" in volume:
            out.add(("secrets", volume["secret"].get("secretName", "")))
        for src in ((volume.get("projected") or {}).get("sources") or []):
            if "configMap" in src:
                out.add(("configmaps", src["configMap"].get("name", "")))
            if "secret" in src:
                out.add(("secrets", src["secret"].get("name", "")))
    return out
