"""Discovery documents (/version, /api, /apis, APIResourceLists) generated from the registry.

kubectl and dynamic clients resolve "pods" or "certificates" to URLs only through discovery, so
every registered type (including CRDs added at runtime) is published with its verbs and scope.
"""

from __future__ import annotations

from typing import Any

from bot.local.emulator.resources import ResourceRegistry, ResourceType

Obj = dict[str, Any]

_OBJECT_VERBS = ["create", "delete", "get", "list", "patch", "update", "watch"]
_SUB_VERBS = ["get", "patch", "update"]
_SHORT_NAMES = {
    "pods": ["po"], "services": ["svc"], "namespaces": ["ns"], "nodes": ["no"], "configmaps": ["cm"],
    "serviceaccounts": ["sa"], "events": ["ev"], "deployments": ["deploy"], "statefulsets": ["sts"],
    "daemonsets": ["ds"], "replicasets": ["rs"], "networkpolicies": ["netpol"], "ingresses": ["ing"],
    "poddisruptionbudgets": ["pdb"], "certificates": ["cert", "certs"], "servicemonitors": ["smon"],
}


_ALL_CATEGORY = {"pods", "services", "deployments", "statefulsets", "daemonsets", "replicasets"}


def version_info() -> Obj:
    return {
        "major": "1", "minor": "30", "gitVersion": "v1.30.0-carbon-emulator", "gitCommit": "emulator",
        "gitTreeState": "clean", "buildDate": "2024-01-01T00:00:00Z", "goVersion": "go1.22.0",
        "compiler": "gc", "platform": "linux/amd64",
    }


def core_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions", "versions": ["v1"],
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group(name: str, versions: list[str]) -> Obj:
    entries = [{"groupVersion": f"{name}/{v}", "version": v} for v in versions]
    return {"name": name, "versions": entries, "preferredVersion": entries[0]}


def group_list(registry: ResourceRegistry) -> Obj:
    groups = [_group(name, versions) for name, versions in sorted(registry.groups().items()) if name]
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}


def group(registry: ResourceRegistry, name: str) -> Obj:
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name, registry.groups()[name])}


def _resource(rt: ResourceType) -> list[Obj]:
    main: Obj = {
        "name": rt.plural, "singularName": rt.singular, "namespaced": rt.namespaced, "kind": rt.kind,
        "verbs": ["create"] if rt.kind == "TokenReview" else _OBJECT_VERBS,
    }
    if rt.plural in _SHORT_NAMES:
        main["shortNames"] = _SHORT_NAMES[rt.plural]
    if rt.builtin and rt.plural in _ALL_CATEGORY:
        main["categories"] = ["all"]
    subs = []
    for sub in rt.subresources:
        kind = "Scale" if sub == "scale" else rt.kind
        entry: Obj = {"name": f"{rt.plural}/{sub}", "singularName": "", "namespaced": rt.namespaced,
                      "kind": kind, "verbs": _SUB_VERBS}
        if sub == "scale":
            entry.update(group="autoscaling", version="v1")
        if sub == "token":
            entry.update(kind="TokenRequest", group="authentication.k8s.io", version="v1", verbs=["create"])
        subs.append(entry)
    return [main, *subs]


def resource_list(registry: ResourceRegistry, group_name: str, version: str) -> Obj:
    group_version = f"{group_name}/{version}" if group_name else version
    resources = [r for rt in sorted(registry.in_group_version(group_name, version), key=lambda t: t.plural)
                 for r in _resource(rt)]
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": group_version, "resources": resources}
