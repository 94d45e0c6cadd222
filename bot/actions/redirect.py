"""Rewrite a pod spec so the keys moved out of a ConfigMap come from a Secret instead, the same way as before.

Same env var names (envFrom gets the Secret beside the ConfigMap, with the same prefix; a configMapKeyRef
becomes a secretKeyRef), same file paths (a configMap volume becomes a projected volume of the ConfigMap's
remaining keys and the Secret's moved keys). `restore` is the exact inverse, so a rollback needs no copy of
the old spec (a pod spec may hold inline values, which must not reach the store). Pure functions.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from bot.snapshot.consumers import containers

Obj = dict[str, Any]


def redirect(spec: Obj, configmap: str, moved: Iterable[str], secret: str) -> tuple[Obj, list[str]]:
    """(the new pod spec, the names of configMap volumes turned into projected ones)."""
    spec, moved = copy.deepcopy(spec), set(moved)
    for container in containers(spec):
        sources: list[Obj] = []
        for source in container.get("envFrom") or []:
            sources.append(source)
            if (source.get("configMapRef") or {}).get("name") == configmap:
                ref: Obj = {"secretRef": {"name": secret}}
                if source.get("prefix"):
                    ref["prefix"] = source["prefix"]
                if ref not in (container.get("envFrom") or []):
                    sources.append(ref)
        if sources:
            container["envFrom"] = sources
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("configMapKeyRef") or {}
            if ref.get("name") == configmap and ref.get("key") in moved:
                env["valueFrom"] = {"secretKeyRef": {**ref, "name": secret}}
    converted = []
    for volume in spec.get("volumes") or []:
        source = volume.get("configMap")
        if source and source.get("name") == configmap and _moves_files(source, moved):
            projected: Obj = {"sources": _split(source, moved, secret)}
            if "defaultMode" in source:
                projected["defaultMode"] = source["defaultMode"]
            volume.pop("configMap")
            volume["projected"] = projected
            converted.append(volume["name"])
        elif volume.get("projected"):
            current = volume["projected"].get("sources") or []
            if any((item.get("secret") or {}).get("name") == secret for item in current):
                continue  # already redirected
            sources = []
            for item in current:
                cm = item.get("configMap")
                sources += _split(cm, moved, secret) if cm and cm.get("name") == configmap and _moves_files(cm, moved) \
                    else [item]
            volume["projected"]["sources"] = sources
    return spec, converted


def restore(spec: Obj, configmap: str, secret: str, converted: Iterable[str]) -> Obj:
    """The pod spec as it was before `redirect` (the Secret's references go back to the ConfigMap)."""
    spec, converted = copy.deepcopy(spec), set(converted)
    for container in containers(spec):
        if container.get("envFrom"):
            container["envFrom"] = [s for s in container["envFrom"] if (s.get("secretRef") or {}).get("name") != secret]
        for env in container.get("env") or []:
            ref = (env.get("valueFrom") or {}).get("secretKeyRef") or {}
            if ref.get("name") == secret:
                env["valueFrom"] = {"configMapKeyRef": {**ref, "name": configmap}}
    for volume in spec.get("volumes") or []:
        projected = volume.get("projected")
        if not projected:
            continue
        sources = projected.get("sources") or []
        if volume["name"] in converted:
            volume.pop("projected")
            volume["configMap"] = _joined(sources, configmap, secret, projected.get("defaultMode"))
        else:
            projected["sources"] = _unsplit(sources, configmap, secret)
    return spec


def _moves_files(source: Obj, moved: set[str]) -> bool:
    items = source.get("items")
    return bool(moved) if not items else any(i.get("key") in moved for i in items)


def _split(source: Obj, moved: set[str], secret: str) -> list[Obj]:
    """A configMap source as a configMap source of the kept keys and a secret source of the moved ones."""
    items = source.get("items")
    secret_source: Obj = {"name": secret}
    if "optional" in source:
        secret_source["optional"] = source["optional"]
    if not items:
        return [{"configMap": dict(source)}, {"secret": secret_source}]
    kept = [i for i in items if i.get("key") not in moved]
    secret_source["items"] = [i for i in items if i.get("key") in moved]
    found: list[Obj] = [{"configMap": {**source, "items": kept}}] if kept else []
    return [*found, {"secret": secret_source}]


def _joined(sources: list[Obj], configmap: str, secret: str, mode: Any) -> Obj:
    cm = next((s["configMap"] for s in sources if (s.get("configMap") or {}).get("name") == configmap), None)
    sec = next((s["secret"] for s in sources if (s.get("secret") or {}).get("name") == secret), {})
    joined: Obj = dict(cm) if cm else {"name": configmap}
    if "items" in sec:
        joined["items"] = [*(joined.get("items") or []), *sec["items"]]
    if "optional" in sec and "optional" not in joined:
        joined["optional"] = sec["optional"]
    if mode is not None:
        joined["defaultMode"] = mode
    return joined


def _unsplit(sources: list[Obj], configmap: str, secret: str) -> list[Obj]:
    found: list[Obj] = []
    for source in sources:
        if (source.get("secret") or {}).get("name") == secret:
            items = source["secret"].get("items")
            cm = next((s for s in found if (s.get("configMap") or {}).get("name") == configmap), None)
            if items and cm is not None and "items" in cm["configMap"]:
                cm["configMap"]["items"] = [*cm["configMap"]["items"], *items]
            elif items and cm is None:
                found.append({"configMap": {"name": configmap, "items": items}})
            continue
        found.append(source)
    return found
