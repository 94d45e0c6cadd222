"""What the workload controllers share: template hashes, conditions, and creating a pod as admission does.

Names and labels follow the real controllers (`<deploy>-<pod-template-hash>`, `pod-template-hash`,
`controller-revision-hash`) because actions and checks find pods by them; pod creation applies the
ServiceAccount admission rules (the account must exist; its imagePullSecrets are copied onto a pod
that names none), since a missing account is a failure mode rollouts must surface.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from bot.local.emulator.errors import ApiError
from bot.local.emulator.inproc import InProcessClient, controller_ref
from bot.local.emulator.meta import now_rfc3339

Obj = dict[str, Any]
POD_TEMPLATE_HASH = "pod-template-hash"
REVISION_HASH = "controller-revision-hash"
_SAFE = "bcdfghjklmnpqrstvwxz2456789"  # apimachinery's rand.SafeEncodeString alphabet


def template_hash(template: Obj) -> str:
    """FNV-32a of the pod template, spelled with the safe alphabet as the real controllers do."""
    h = 0x811C9DC5
    for byte in json.dumps(template or {}, sort_keys=True).encode():
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return "".join(_SAFE[ord(c) % len(_SAFE)] for c in str(h))


def set_condition(conditions: list[Obj], kind: str, status: str, reason: str, message: str) -> list[Obj]:
    """Conditions with `kind` set; timestamps only move when something about it changed."""
    out = [c for c in conditions if c.get("type") != kind]
    prev = next((c for c in conditions if c.get("type") == kind), None)
    now = now_rfc3339()
    if prev and (prev.get("status"), prev.get("reason"), prev.get("message")) == (status, reason, message):
        out.append(prev)
    else:
        since = prev.get("lastTransitionTime", now) if prev and prev.get("status") == status else now
        out.append({"type": kind, "status": status, "reason": reason, "message": message, "lastUpdateTime": now,
                    "lastTransitionTime": since})
    return sorted(out, key=lambda c: str(c.get("type")))


def drop_condition(conditions: list[Obj], kind: str) -> list[Obj]:
    return [c for c in conditions if c.get("type") != kind]


def nonzero(**fields: int) -> Obj:
    """Status counters as Go's `omitempty` writes them: zeros left out."""
    return {k: v for k, v in fields.items() if v}


def create_pod(client: InProcessClient, owner: Obj, template: Obj, labels: dict[str, str], *,
               name: str | None = None) -> str | None:
    """Create a pod from `template` owned by `owner`; returns the admission error message, or None."""
    namespace = owner["metadata"]["namespace"]
    meta = copy.deepcopy(template.get("metadata") or {})
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    meta["ownerReferences"] = [controller_ref(owner)]
    if name:
        meta["name"] = name
    else:
        meta["generateName"] = f"{owner['metadata']['name']}-"
    spec = copy.deepcopy(template.get("spec") or {})
    account = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    sa = client.get("serviceaccounts", namespace, account)
    if sa is None:
        shown = name or meta["generateName"]
        return (f'pods "{shown}" is forbidden: error looking up service account {namespace}/{account}: '
                f'serviceaccount "{account}" not found')
    spec["serviceAccountName"] = spec["serviceAccount"] = account
    if not spec.get("imagePullSecrets") and sa.get("imagePullSecrets"):
        spec["imagePullSecrets"] = copy.deepcopy(sa["imagePullSecrets"])
    try:
        client.create("pods", namespace, {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
    except ApiError as exc:
        return exc.message
    return None


def owner_key(obj: Obj, kind: str) -> tuple[str, str] | None:
    """(namespace, name) of the object's controller of `kind`, if it has one."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            return obj["metadata"].get("namespace", ""), ref.get("name", "")
    return None
