"""Write verbs with the API server's semantics: create, update, patch, delete, plus subresources.

This is where the behaviour clients depend on lives: AlreadyExists and Conflict, dry-run that
stores nothing, status writes that only touch `.status`, generation bumps, namespace and
owner-reference cascades. Everything runs under the store lock so each verb is atomic.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import yaml

from bot.local.emulator import meta as m
from bot.local.emulator.errors import (
    ApiError,
    already_exists,
    conflict,
    invalid,
    namespace_not_found,
    not_found,
    status_body,
)
from bot.local.emulator.patches import json_patch, merge_patch, strategic_merge_patch
from bot.local.emulator.resources import ResourceRegistry, ResourceType
from bot.local.emulator.scale import apply_scale, scale_view
from bot.local.emulator.store import Obj, ObjectStore, obj_key
from bot.local.emulator.validation import validate

MERGE = "application/merge-patch+json"
STRATEGIC = "application/strategic-merge-patch+json"
JSON_PATCH = "application/json-patch+json"
APPLY = "application/apply-patch+yaml"
PROTECTED_NAMESPACES = ("default", "kube-system", "kube-public")


class Operations:
    """Verb implementations over an ObjectStore; raise ApiError for any API-level failure."""

    settle_workloads = False

    def __init__(self, store: ObjectStore, registry: ResourceRegistry) -> None:
        self.store = store
        self.registry = registry

    def _fetch(self, rt: ResourceType, namespace: str | None, name: str) -> Obj:
        found = self.store.get(rt, namespace, name)
        if found is None:
            raise not_found(rt, name)
        return found

    def _scope(self, rt: ResourceType, obj: Obj, namespace: str | None) -> None:
        """Settle metadata.namespace from the URL; the namespace must exist (404 otherwise)."""
        meta = obj["metadata"]
        if not rt.namespaced:
            meta.pop("namespace", None)
            return
        body_ns = meta.get("namespace")
        if body_ns and namespace and body_ns != namespace:
            raise ApiError(400, "the namespace of the provided object does not match the namespace sent on the request")
        meta["namespace"] = namespace or body_ns or "default"
        if self.store.get(self.registry.resolve("namespaces"), None, meta["namespace"]) is None:
            raise namespace_not_found(meta["namespace"])

    def create(self, rt: ResourceType, namespace: str | None, body: Any, *, dry_run: bool = False) -> Obj:
        with self.store.lock:
            obj = m.check_type(rt, copy.deepcopy(body))
            meta = obj["metadata"]
            if meta.get("resourceVersion"):  # etcd3 storage refuses this, as an internal error
                raise ApiError(500, "resourceVersion should not be set on objects to be created")
            if not meta.get("name") and meta.get("generateName"):
                meta["name"] = m.generate_name(meta["generateName"])
            if not meta.get("name"):
                raise invalid(rt, "", "metadata.name", "Required value: name or generateName is required")
            m.validate_name(rt, meta["name"])
            self._scope(rt, obj, namespace)
            if self.store.get(rt, meta.get("namespace"), meta["name"]) is not None:
                raise already_exists(rt, meta["name"])
            m.initialize(rt, obj, seeding=False)
            m.fold_string_data(rt, obj)
            validate(rt, obj)
            return obj if dry_run else self.store.put(rt, obj)

    def seed(self, manifest: Obj) -> Obj:
        """Insert or overwrite an object as-is (status included), creating its namespace if needed."""
        rt = self.registry.by_api_version_kind(manifest.get("apiVersion", ""), manifest.get("kind", ""))
        if rt is None:
            raise ValueError(f"unknown apiVersion/kind {manifest.get('apiVersion')}/{manifest.get('kind')}")
        with self.store.lock:
            obj = m.check_type(rt, copy.deepcopy(manifest))
            if not obj["metadata"].get("name"):
                raise ValueError("seeded objects need metadata.name")
            if rt.namespaced:
                ns = obj["metadata"].setdefault("namespace", "default")
                ns_type = self.registry.resolve("namespaces")
                if self.store.get(ns_type, None, ns) is None:
                    self.seed({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            else:
                obj["metadata"].pop("namespace", None)
            old = self.store.get(rt, obj["metadata"].get("namespace"), obj["metadata"]["name"])
            if old is None:
                m.initialize(rt, obj, seeding=True)
            else:
                m.carry_over(rt, old, obj, status_from_old=False)
            return self.store.put(rt, obj)

    def _update(self, rt: ResourceType, old: Obj, new: Any, *, dry_run: bool, status_only: bool = False) -> Obj:
        """Shared tail of PUT and PATCH: identity and resourceVersion checks, then commit."""
        name, namespace = old["metadata"]["name"], old["metadata"].get("namespace")
        new = m.check_type(rt, new, name)
        meta = new["metadata"]
        if meta.setdefault("name", name) != name:
            raise ApiError(400, f"the name of the object ({meta['name']}) does not match the name on the URL ({name})")
        if rt.namespaced and meta.setdefault("namespace", namespace) != namespace:
            raise ApiError(400, "the namespace of the provided object does not match the namespace sent on the request")
        if meta.get("resourceVersion") and meta["resourceVersion"] != old["metadata"]["resourceVersion"]:
            raise conflict(rt, name)
        if status_only:
            status, new = new.get("status"), copy.deepcopy(old)
            new.pop("status", None)
            if status is not None:
                new["status"] = status
        new = m.fold_string_data(rt, m.carry_over(rt, old, new, status_from_old=not status_only))
        if new == old:
            return old
        if not status_only:
            validate(rt, new)
        if dry_run:
            return new
        stored = self.store.put(rt, new)
        if self.settle_workloads and not status_only and rt.plural in ("deployments", "statefulsets"):
            stored = self._settle(rt, stored)
        return stored

    def _settle(self, rt: ResourceType, obj: Obj) -> Obj:
        """What a kubelet and the workload controllers would do eventually, done at once: every replica ready.

        Off by default (tests seed the status they need); the demo turns it on so a restore can be watched."""
        replicas = int((obj.get("spec") or {}).get("replicas") or 0)
        status = obj.get("status") or {}
        if all(status.get(k) == replicas for k in ("replicas", "readyReplicas", "availableReplicas")):
            return obj
        settled = copy.deepcopy(obj)
        settled["status"] = {**status, "replicas": replicas, "readyReplicas": replicas, "availableReplicas": replicas,
                             "updatedReplicas": replicas, "observedGeneration": obj["metadata"].get("generation", 1)}
        return self.store.put(rt, settled)

    def replace(self, rt: ResourceType, namespace: str | None, name: str, body: Any, *,
                dry_run: bool = False, subresource: str | None = None) -> Obj:
        with self.store.lock:
            old = self._fetch(rt, namespace, name)
            if subresource == "scale":
                return scale_view(self._update(rt, old, apply_scale(rt, old, body), dry_run=dry_run))
            return self._update(rt, old, copy.deepcopy(body), dry_run=dry_run, status_only=subresource == "status")

    def patch(self, rt: ResourceType, namespace: str | None, name: str, raw: bytes, content_type: str, *,
              dry_run: bool = False, subresource: str | None = None,
              field_manager: str | None = None) -> tuple[int, Obj]:
        """Apply a PATCH body of the given media type; returns (HTTP code, resulting object)."""
        ctype = content_type.split(";")[0].strip().lower()
        if ctype == APPLY:
            return self._apply(rt, namespace, name, raw, dry_run=dry_run, field_manager=field_manager,
                               subresource=subresource)
        if ctype not in (MERGE, STRATEGIC, JSON_PATCH) or (ctype == STRATEGIC and not rt.builtin):
            raise ApiError(415, f"the body of the request was in an unknown format - accepted media types "
                                f"include: {JSON_PATCH}, {MERGE}, {APPLY}" + ("" if not rt.builtin else f", {STRATEGIC}"))
        try:
            doc = json.loads(raw or b"null")
        except ValueError as exc:
            raise ApiError(400, f"error decoding patch: {exc}") from None
        apply = {MERGE: merge_patch, STRATEGIC: strategic_merge_patch, JSON_PATCH: json_patch}[ctype]
        with self.store.lock:
            old = self._fetch(rt, namespace, name)
            return 200, self._patch_existing(rt, old, lambda base: apply(base, doc), subresource, dry_run)

    def _patch_existing(self, rt: ResourceType, old: Obj, patch: Callable[[Obj], Any], subresource: str | None,
                        dry_run: bool) -> Obj:
        """Patch the view the URL names (object, its status, or its Scale) and store the result."""
        if subresource == "scale":
            return scale_view(self._update(rt, old, apply_scale(rt, old, patch(scale_view(old))), dry_run=dry_run))
        return self._update(rt, old, patch(old), dry_run=dry_run, status_only=subresource == "status")

    def _apply(self, rt: ResourceType, namespace: str | None, name: str, raw: bytes, *,
               dry_run: bool, field_manager: str | None, subresource: str | None) -> tuple[int, Obj]:
        """Server-side apply, simplified: create when missing, else a strategic merge of the intent."""
        if not field_manager:
            raise invalid(rt, name, "fieldManager", "Required value: is required for apply patch")
        try:
            body = yaml.safe_load(raw or b"")
        except yaml.YAMLError as exc:
            raise ApiError(400, f"error decoding YAML: {exc}") from None
        if not isinstance(body, dict):
            raise ApiError(400, "apply patch body must be an object")
        with self.store.lock:
            old = self.store.get(rt, namespace, name)
            if old is None and subresource:
                raise not_found(rt, name)
            if old is None:
                body.setdefault("metadata", {}).setdefault("name", name)
                if body["metadata"]["name"] != name:
                    raise ApiError(400, f"the name of the object ({body['metadata']['name']}) does not match "
                                        f"the name on the URL ({name})")
                return 201, self.create(rt, namespace, body, dry_run=dry_run)
            merge = strategic_merge_patch if rt.builtin else merge_patch
            return 200, self._patch_existing(rt, old, lambda base: merge(base, body), subresource, dry_run)

    def delete(self, rt: ResourceType, namespace: str | None, name: str, options: Any = None, *,
               dry_run: bool = False) -> Obj:
        """Delete now (no finalizer wait); cascade to namespace contents and owned dependents."""
        options = options if isinstance(options, dict) else {}
        with self.store.lock:
            old = self._fetch(rt, namespace, name)
            if rt.kind == "Namespace" and name in PROTECTED_NAMESPACES:
                raise ApiError(403, f'namespaces "{name}" is forbidden: this namespace may not be deleted')
            pre = options.get("preconditions") or {}
            for field in ("uid", "resourceVersion"):
                if pre.get(field) and pre[field] != old["metadata"].get(field):
                    raise ApiError(409, f"Precondition failed: {field} in precondition: {pre[field]}, "
                                        f"{field} in object meta: {old['metadata'].get(field)}")
            final = old if dry_run else self.store.remove(rt.key, obj_key(old)) or old
            if not dry_run:
                if rt.kind == "Namespace":
                    for resource, key in self.store.namespaced_keys(name):
                        self.store.remove(resource, key)
                if options.get("propagationPolicy") != "Orphan":
                    self._collect_garbage({old["metadata"]["uid"]})
        if not rt.delete_returns_object:
            details = {"name": name, "kind": rt.plural, "uid": old["metadata"]["uid"]}
            return status_body(200, "", details=details | ({"group": rt.group} if rt.group else {}))
        final["metadata"]["deletionTimestamp"] = m.now_rfc3339()
        if rt.kind == "Namespace":
            final.setdefault("status", {})["phase"] = "Terminating"
        return final

    def _collect_garbage(self, owners: set[str]) -> None:
        """Delete, transitively, everything whose ownerReferences name a deleted uid."""
        while owners:
            doomed = [(res, obj) for res, obj in self.store.all_objects()
                      if any(ref.get("uid") in owners for ref in obj["metadata"].get("ownerReferences") or [])]
            owners = set()
            for resource, obj in doomed:
                if self.store.remove(resource, obj_key(obj)) is not None:
                    owners.add(obj["metadata"]["uid"])

    def read(self, rt: ResourceType, namespace: str | None, name: str, subresource: str | None = None) -> Obj:
        with self.store.lock:
            obj = self._fetch(rt, namespace, name)
        return scale_view(obj) if subresource == "scale" else obj
