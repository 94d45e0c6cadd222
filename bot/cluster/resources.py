"""The resource kinds Carbon reads and writes, by plural: the one table API paths are built from.

Keeping it as data lets the deployment's RBAC be checked against it (every kind read needs `list`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceType:
    group: str
    version: str
    kind: str
    plural: str
    namespaced: bool = True

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(self, namespace: str | None = None, name: str | None = None, subresource: str | None = None) -> str:
        base = f"/apis/{self.group}/{self.version}" if self.group else f"/api/{self.version}"
        if namespace and self.namespaced:
            base += f"/namespaces/{namespace}"
        path = f"{base}/{self.plural}"
        if name:
            path += f"/{name}"
            if subresource:
                path += f"/{subresource}"
        return path


RESOURCES: dict[str, ResourceType] = {
    r.plural: r
    for r in (
        ResourceType("", "v1", "Namespace", "namespaces", namespaced=False),
        ResourceType("", "v1", "Node", "nodes", namespaced=False),
        ResourceType("", "v1", "Pod", "pods"),
        ResourceType("", "v1", "ConfigMap", "configmaps"),
        ResourceType("", "v1", "ServiceAccount", "serviceaccounts"),
        ResourceType("", "v1", "Service", "services"),
        ResourceType("", "v1", "Secret", "secrets"),
        ResourceType("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
                     namespaced=False),
        ResourceType("external-secrets.io", "v1", "ExternalSecret", "externalsecrets"),
        ResourceType("external-secrets.io", "v1", "SecretStore", "secretstores"),
        ResourceType("external-secrets.io", "v1", "ClusterSecretStore", "clustersecretstores", namespaced=False),
        ResourceType("secrets.hashicorp.com", "v1beta1", "VaultStaticSecret", "vaultstaticsecrets"),
        ResourceType("secrets.hashicorp.com", "v1beta1", "VaultAuth", "vaultauths"),
        ResourceType("secrets.hashicorp.com", "v1beta1", "VaultConnection", "vaultconnections"),
        ResourceType("apps", "v1", "Deployment", "deployments"),
        ResourceType("apps", "v1", "StatefulSet", "statefulsets"),
        ResourceType("apps", "v1", "DaemonSet", "daemonsets"),
        ResourceType("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies"),
        ResourceType("networking.k8s.io", "v1", "Ingress", "ingresses"),
        ResourceType("rbac.authorization.k8s.io", "v1", "Role", "roles"),
        ResourceType("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
        ResourceType("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", namespaced=False),
        ResourceType("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets"),
        ResourceType("coordination.k8s.io", "v1", "Lease", "leases"),
        ResourceType("cert-manager.io", "v1", "Certificate", "certificates"),
        ResourceType("cert-manager.io", "v1", "Issuer", "issuers"),
        ResourceType("cert-manager.io", "v1", "ClusterIssuer", "clusterissuers", namespaced=False),
        ResourceType("velero.io", "v1", "Schedule", "schedules"),
        ResourceType("velero.io", "v1", "Backup", "backups"),
        ResourceType("velero.io", "v1", "Restore", "restores"),
        ResourceType("velero.io", "v1", "BackupStorageLocation", "backupstoragelocations"),
        ResourceType("velero.io", "v1", "DeleteBackupRequest", "deletebackuprequests"),
    )
}


def resource(plural: str) -> ResourceType:
    try:
        return RESOURCES[plural]
    except KeyError:
        raise ValueError(f"unknown resource {plural!r}; known: {', '.join(sorted(RESOURCES))}") from None
