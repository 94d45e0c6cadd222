"""An in-process client for emulator controllers: the API verbs without HTTP.

Controllers must write the way a real controller does, through the API (so generation, uid,
validation, resourceVersion and watch events apply), but calling back over loopback HTTP from
inside a request would deadlock on the store lock; this calls Operations directly instead.
"""

from __future__ import annotations

from typing import Any

from bot.local.emulator.errors import ApiError
from bot.local.emulator.operations import Operations
from bot.local.emulator.store import Obj

Owner = dict[str, Any]


class InProcessClient:
    """get/list/create/update/update_status/delete by resource name ("pods", "deployments", ...)."""

    def __init__(self, ops: Operations) -> None:
        self.ops = ops
        self.store = ops.store
        self.registry = ops.registry

    def get(self, resource: str, namespace: str | None, name: str) -> Obj | None:
        return self.store.get(self.registry.resolve(resource), namespace, name)

    def list(self, resource: str, namespace: str | None = None) -> list[Obj]:
        return self.store.items(self.registry.resolve(resource), namespace)

    def owned(self, resource: str, owner: Obj) -> list[Obj]:
        """Objects in the owner's namespace whose controller ownerReference is the owner's uid."""
        uid = owner["metadata"]["uid"]
        return [o for o in self.list(resource, owner["metadata"].get("namespace"))
                if any(ref.get("uid") == uid and ref.get("controller") for ref in o["metadata"].get("ownerReferences") or [])]

    def create(self, resource: str, namespace: str | None, body: Obj) -> Obj:
        return self.ops.create(self.registry.resolve(resource), namespace, body)

    def update(self, resource: str, obj: Obj) -> Obj:
        meta = obj["metadata"]
        return self.ops.replace(self.registry.resolve(resource), meta.get("namespace"), meta["name"], obj)

    def update_status(self, resource: str, obj: Obj, status: Obj) -> Obj:
        """Write `.status` (a no-op when unchanged, so controllers settle)."""
        if obj.get("status") == status:
            return obj
        rt = self.registry.resolve(resource)
        meta = obj["metadata"]
        body = {**obj, "status": status}
        return self.ops.replace(rt, meta.get("namespace"), meta["name"], body,
                                subresource="status" if rt.has("status") else None)

    def delete(self, resource: str, obj: Obj) -> None:
        meta = obj["metadata"]
        try:
            self.ops.delete(self.registry.resolve(resource), meta.get("namespace"), meta["name"])
        except ApiError as exc:
            if exc.code != 404:
                raise


def controller_ref(owner: Obj) -> Owner:
    """The ownerReference a controller puts on what it creates (GC deletes it with the owner)."""
    return {"apiVersion": owner.get("apiVersion", ""), "kind": owner.get("kind", ""),
            "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}
