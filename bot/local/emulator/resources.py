"""The resource types the emulated API server knows, and how to find them by name.

The real API server decides everything (URL shape, scope, which subresources exist, what DELETE
answers) from its type registry; keeping the same table here lets the rest of the emulator stay
generic instead of special-casing kinds.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

# Kinds whose DELETE answers the deleted object rather than a Status (what kube-apiserver does for
# these built-ins; CRD-backed resources always answer the object).
_DELETE_RETURNS_OBJECT = {"Pod", "Service", "ServiceAccount", "Namespace"}


@dataclass(frozen=True)
class ResourceType:
    """One REST resource: enough to route URLs, validate bodies and publish discovery."""

    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True
    subresources: tuple[str, ...] = ()
    builtin: bool = True

    @property
    def api_version(self) -> str:
        """`apiVersion` as written in manifests: "v1" for the core group, else "group/version"."""
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def key(self) -> str:
        """Storage key; plural.group is unique across the cluster just as in etcd."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def delete_returns_object(self) -> bool:
        return not self.builtin or self.kind in _DELETE_RETURNS_OBJECT

    def has(self, subresource: str) -> bool:
        return subresource in self.subresources


def _core(kind: str, plural: str, namespaced: bool = True, sub: tuple[str, ...] = ()) -> ResourceType:
    return ResourceType("", "v1", kind, plural, namespaced, sub)


_STATUS = ("status",)
_SCALE = ("status", "scale")

BUILTIN_TYPES: tuple[ResourceType, ...] = (
    _core("Namespace", "namespaces", namespaced=False, sub=_STATUS),
    _core("Node", "nodes", namespaced=False, sub=_STATUS),
    _core("Pod", "pods", sub=_STATUS),
    _core("ConfigMap", "configmaps"),
    _core("Secret", "secrets"),
    _core("ServiceAccount", "serviceaccounts", sub=("token",)),
    _core("Service", "services", sub=_STATUS),
    _core("Event", "events"),
    ResourceType("apps", "v1", "Deployment", "deployments", True, _SCALE),
    ResourceType("apps", "v1", "StatefulSet", "statefulsets", True, _SCALE),
    ResourceType("apps", "v1", "DaemonSet", "daemonsets", True, _STATUS),
    ResourceType("apps", "v1", "ReplicaSet", "replicasets", True, _SCALE),
    ResourceType("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies"),
    ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses"),
    ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False),
    ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", False),
    ResourceType("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False),
    ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", False),
    ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True, _STATUS),
    ResourceType("coordination.k8s.io", "v1", "Lease", "leases"),
    ResourceType("cert-manager.io", "v1", "Certificate", "certificates", True, _STATUS, builtin=False),
    ResourceType("cert-manager.io", "v1", "Issuer", "issuers", True, _STATUS, builtin=False),
    ResourceType("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", False, _STATUS, builtin=False),
    ResourceType("velero.io", "v1", "Schedule", "schedules", True, _STATUS, builtin=False),
    ResourceType("velero.io", "v1", "Backup", "backups", True, _STATUS, builtin=False),
    ResourceType("velero.io", "v1", "Restore", "restores", True, _STATUS, builtin=False),
    ResourceType("velero.io", "v1", "BackupStorageLocation", "backupstoragelocations", True, _STATUS, builtin=False),
    ResourceType("velero.io", "v1", "DeleteBackupRequest", "deletebackuprequests", True, _STATUS, builtin=False),
    ResourceType("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors", builtin=False),
)


class ResourceRegistry:
    """Thread-safe table of resource types, addressable by URL parts or by a loose name."""

    def __init__(self, types: tuple[ResourceType, ...] = BUILTIN_TYPES) -> None:
        self._lock = threading.Lock()
        self._types: dict[tuple[str, str, str], ResourceType] = {}
        for rt in types:
            self.register(rt)

    def register(self, rt: ResourceType) -> None:
        with self._lock:
            self._types[(rt.group, rt.version, rt.plural)] = rt

    def unregister(self, plural: str) -> None:
        """Stop serving a type (a CRD deleted, or not yet installed): its URLs answer 404."""
        with self._lock:
            self._types = {k: rt for k, rt in self._types.items() if rt.plural != plural}

    def __iter__(self) -> Iterator[ResourceType]:
        with self._lock:
            return iter(list(self._types.values()))

    def by_path(self, group: str, version: str, plural: str) -> ResourceType | None:
        """The type served at /api(s)/{group}/{version}/{plural}, or None (the API answers 404)."""
        with self._lock:
            return self._types.get((group, version, plural))

    def by_api_version_kind(self, api_version: str, kind: str) -> ResourceType | None:
        """The type a manifest names, used when seeding objects."""
        group, _, version = api_version.rpartition("/")
        return next((rt for rt in self if (rt.group, rt.version, rt.kind) == (group, version, kind)), None)

    def resolve(self, name: str) -> ResourceType:
        """Find a type by kind ("Deployment"), plural ("deployments"), singular or "plural.group".

        Tests and the demo seeder use whichever spelling is at hand, like `kubectl get` accepts.
        """
        wanted = name.strip()
        lowered = wanted.lower()
        for rt in self:
            if wanted in (rt.kind, rt.plural, rt.key) or lowered in (rt.plural, rt.singular, rt.key):
                return rt
        raise KeyError(f"unknown resource {name!r}; register it with register_resource()")

    def groups(self) -> dict[str, list[str]]:
        """Group name -> versions served, for discovery ("" is the legacy core group)."""
        out: dict[str, list[str]] = {}
        for rt in self:
            versions = out.setdefault(rt.group, [])
            if rt.version not in versions:
                versions.append(rt.version)
        return out

    def in_group_version(self, group: str, version: str) -> list[ResourceType]:
        return [rt for rt in self if rt.group == group and rt.version == version]
