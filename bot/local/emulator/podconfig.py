"""What a kubelet resolves before a container can run: volumes, image pull credentials, env.

Each check returns the kubelet's own failure wording (or None), because actions and checks read
those messages; none of them ever returns a value taken from a ConfigMap or Secret. The order in
`kubelet.py` follows the kubelet's: mount volumes, pull the image, build the container config.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

Obj = dict[str, Any]
Lookup = Callable[[str, str, str], Obj | None]  # (resource, namespace, name) -> object or None
DOCKER_CONFIG_JSON = "kubernetes.io/dockerconfigjson"


def _keys(obj: Obj) -> set[str]:
    return set(obj.get("data") or {}) | set(obj.get("binaryData") or {}) | set(obj.get("stringData") or {})


def _source(kind: str) -> tuple[str, str]:
    """(resource, name field of a volume source) for a configMap / secret volume."""
    return ("configmaps", "name") if kind == "configMap" else ("secrets", "secretName")


def volume_files(volume: Obj, namespace: str, lookup: Lookup) -> tuple[set[str] | None, str | None]:
    """(relative file paths the volume holds, or None when unknown; the mount failure, if any)."""
    sources: list[tuple[str, Obj, bool]] = []
    for kind in ("configMap", "secret"):
        if kind in volume:
            sources.append((kind, volume[kind], False))
    if "projected" in volume:
        for src in (volume["projected"] or {}).get("sources") or []:
            for kind in ("configMap", "secret"):
                if kind in src:
                    sources.append((kind, src[kind], True))
    if not sources:
        files = {"token"} if "projected" in volume else None
        for src in ((volume.get("projected") or {}).get("sources") or []):
            if "serviceAccountToken" in src:
                files = (files or set()) | {src["serviceAccountToken"].get("path", "token")}
        return files, None
    files: set[str] = set()
    for kind, ref, projected in sources:
        resource, name_field = _source(kind)
        name = ref.get("name" if projected or kind == "configMap" else name_field, "")
        obj = lookup(resource, namespace, name)
        if obj is None:
            if ref.get("optional"):
                continue
            noun = "configmap" if kind == "configMap" else "secret"
            return None, f'MountVolume.SetUp failed for volume "{volume.get("name")}" : {noun} "{name}" not found'
        keys = _keys(obj)
        items = ref.get("items")
        if not items:
            files |= keys
            continue
        for item in items:
            if item.get("key") not in keys:
                if ref.get("optional"):
                    continue
                what = "configmap references non-existent config key" if kind == "configMap" \
                    else "references non-existent secret key"
                return None, f'MountVolume.SetUp failed for volume "{volume.get("name")}" : {what}: {item.get("key")}'
            files.add(item.get("path") or item["key"])
    return files, None


def mount_failure(pod: Obj, lookup: Lookup) -> str | None:
    """The first FailedMount message for the pod's configMap/secret/projected volumes, or None."""
    namespace = pod["metadata"].get("namespace", "default")
    for volume in (pod.get("spec") or {}).get("volumes") or []:
        _, failure = volume_files(volume, namespace, lookup)
        if failure:
            return failure
    return None


def registry_host(image: str) -> str:
    """The registry an image reference pulls from ("docker.io" when the first part is not a host)."""
    first, sep, _ = image.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost"):
        return first
    return "docker.io"


def _auth_hosts(secret: Obj) -> set[str]:
    """Registry hosts a dockerconfigjson Secret holds credentials for (scheme and path ignored)."""
    raw = (secret.get("data") or {}).get(".dockerconfigjson", "")
    try:
        auths = json.loads(base64.b64decode(raw)).get("auths") or {}
    except (ValueError, binascii.Error, AttributeError):
        return set()
    return {key.split("://", 1)[-1].split("/", 1)[0] for key in auths}


def pull_failure(pod: Obj, image: str, private_registries: tuple[str, ...], lookup: Lookup) -> str | None:
    """ImagePullBackOff's message when a private registry's image has no usable pull secret."""
    host = registry_host(image)
    if host not in private_registries:
        return None
    namespace = pod["metadata"].get("namespace", "default")
    for ref in (pod.get("spec") or {}).get("imagePullSecrets") or []:
        secret = lookup("secrets", namespace, ref.get("name", ""))
        if secret is not None and secret.get("type") == DOCKER_CONFIG_JSON and host in _auth_hosts(secret):
            return None
    return f'Back-off pulling image "{image}"'


def resolve_env(container: Obj, namespace: str, lookup: Lookup) -> tuple[set[str], str | None]:
    """(names of the env the container gets; CreateContainerConfigError's message, if any)."""
    names: set[str] = set()
    for source in container.get("envFrom") or []:
        for kind in ("configMapRef", "secretRef"):
            if kind not in source:
                continue
            ref = source[kind]
            resource, noun = ("configmaps", "configmap") if kind == "configMapRef" else ("secrets", "secret")
            obj = lookup(resource, namespace, ref.get("name", ""))
            if obj is None:
                if ref.get("optional"):
                    continue
                return names, f'{noun} "{ref.get("name", "")}" not found'
            names |= {source.get("prefix", "") + key for key in _keys(obj)}
    for var in container.get("env") or []:
        value_from = var.get("valueFrom")
        if not value_from:
            names.add(var["name"])
            continue
        failure, present = _env_ref(value_from, namespace, lookup)
        if failure:
            return names, failure
        if present:
            names.add(var["name"])
    return names, None


def _env_ref(value_from: Obj, namespace: str, lookup: Lookup) -> tuple[str | None, bool]:
    """(failure message, whether the variable is set) for one env valueFrom."""
    for kind in ("configMapKeyRef", "secretKeyRef"):
        if kind not in value_from:
            continue
        ref = value_from[kind]
        resource, noun, kind_name = ("configmaps", "configmap", "ConfigMap") if kind == "configMapKeyRef" \
            else ("secrets", "secret", "Secret")
        name, key = ref.get("name", ""), ref.get("key", "")
        obj = lookup(resource, namespace, name)
        if obj is None:
            return (None, False) if ref.get("optional") else (f'{noun} "{name}" not found', False)
        if key not in _keys(obj):
            return (None, False) if ref.get("optional") else (f"couldn't find key {key} in {kind_name} {namespace}/{name}", False)
        return None, True
    return None, True  # fieldRef / resourceFieldRef: the kubelet always fills them
