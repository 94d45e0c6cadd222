"""The check kinds. `default_registry()` builds a fresh registry; nothing registers on import."""

from __future__ import annotations

from bot.checks.availability import NODES_READY, REPLICAS
from bot.checks.base import CheckKind, CheckRegistry, CheckResult, State
from bot.checks.certificates import CERTIFICATES_READY
from bot.checks.crd_objects import CRD_OBJECTS
from bot.checks.database_credentials import VAULT_DATABASE_CREDENTIALS
from bot.checks.manual import MANUAL
from bot.checks.network import NETWORK_POLICIES
from bot.checks.pods import IMAGES_FROM_REGISTRY, PODS_READY
from bot.checks.prometheus import PROMETHEUS_QUERY
from bot.checks.rbac import RBAC
from bot.checks.secrets import SECRETS_IN_VAULT
from bot.checks.vault_auth import VAULT_KUBERNETES_AUTH
from bot.checks.vault_health import VAULT_HEALTH
from bot.checks.workloads import DEPLOYMENTS_SCALED

BUILTIN_KINDS: tuple[CheckKind, ...] = (
    PODS_READY, DEPLOYMENTS_SCALED, VAULT_HEALTH, CERTIFICATES_READY, IMAGES_FROM_REGISTRY, MANUAL,
    SECRETS_IN_VAULT, NETWORK_POLICIES, RBAC, NODES_READY, REPLICAS, CRD_OBJECTS, PROMETHEUS_QUERY, VAULT_KUBERNETES_AUTH,
    VAULT_DATABASE_CREDENTIALS,
)


def default_registry() -> CheckRegistry:
    return CheckRegistry(BUILTIN_KINDS)


__all__ = ["BUILTIN_KINDS", "CheckKind", "CheckRegistry", "CheckResult", "State", "default_registry"]
