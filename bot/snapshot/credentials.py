"""Which ConfigMap keys are credentials, and where each one lives in Vault once migrated.

Shared by the `secrets_in_vault` check and the `migrate_secrets` action so that what the check counts
is exactly what the action moves. Only key names and Vault paths leave this module, never values.

Conventions (a plan may override the path per key with an explicit mapping):
- KV v2 mount `secret`, path `carbon/<namespace>/<configmap>`, one field per key (the key's name);
- a workload reads it through Vault Agent: annotations `vault.hashicorp.com/agent-inject: "true"`,
  `vault.hashicorp.com/role: <role>` and `vault.hashicorp.com/agent-inject-secret-<configmap>:
  secret/data/carbon/<namespace>/<configmap>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

DEFAULT_PATTERNS: tuple[str, ...] = (
    r"PASSWORD", r"PASSWD", r"SECRET", r"TOKEN", r"API_?KEY", r"ACCESS_?KEY", r"PRIVATE_?KEY", r"CREDENTIAL",
)
CONNECTION_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:[^@\s]+@", re.IGNORECASE)
KV_MOUNT = "secret"
PATH_PREFIX = "carbon"
AGENT_INJECT = "vault.hashicorp.com/agent-inject"
AGENT_ROLE = "vault.hashicorp.com/role"
AGENT_SECRET_PREFIX = "vault.hashicorp.com/agent-inject-secret-"


@dataclass(frozen=True)
class CredentialKey:
    namespace: str
    configmap: str
    key: str

    @property
    def ref(self) -> str:
        return f"{self.namespace}/{self.configmap}/{self.key}"


def compile_patterns(patterns: Iterable[str] = DEFAULT_PATTERNS) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def is_credential(key: str, value: Any, patterns: re.Pattern[str]) -> bool:
    """By name (PASSWORD, TOKEN, …) or by value: a connection string that carries a password.

    `value` is the string from the API, or what the view kept of it (bot/snapshot/trim.py's `Redacted`, which
    answers the one question asked of a value here without holding it)."""
    if patterns.search(key):
        return True
    if isinstance(value, str):
        return bool(value and CONNECTION_WITH_PASSWORD.match(value))
    return bool(getattr(value, "connection_with_password", False))


def credential_keys(configmap: dict[str, Any], patterns: re.Pattern[str]) -> list[CredentialKey]:
    meta = configmap.get("metadata") or {}
    return [
        CredentialKey(str(meta.get("namespace", "")), str(meta.get("name", "")), key)
        for key, value in sorted((configmap.get("data") or {}).items())
        if is_credential(key, value, patterns)
    ]


def vault_path(namespace: str, configmap: str) -> str:
    """The KV v2 path (below the mount) a ConfigMap's credentials move to."""
    return f"{PATH_PREFIX}/{namespace}/{configmap}"


def agent_secret_path(namespace: str, configmap: str) -> str:
    """What the Vault Agent annotation names: the KV v2 API path, with the mount and `data/`."""
    return f"{KV_MOUNT}/data/{vault_path(namespace, configmap)}"


def fingerprint(value: str, key: bytes) -> str:
    """A short keyed-hash prefix: enough to compare a value with its Vault copy in messages and the store.

    Keyed (HMAC with the install's own key, kept beside the store, never in it or in Slack) so that a channel
    member cannot test guesses of a weak password against the prefix shown in an approval request."""
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:12]


def consumes(workload: dict[str, Any], configmap: str) -> bool:
    """Does a Deployment/StatefulSet's pod template read this ConfigMap (envFrom, env, or a volume)?"""
    spec = ((workload.get("spec") or {}).get("template") or {}).get("spec") or {}
    for container in list(spec.get("containers") or []) + list(spec.get("initContainers") or []):
        if any((src.get("configMapRef") or {}).get("name") == configmap for src in container.get("envFrom") or []):
            return True
        for env in container.get("env") or []:
            if ((env.get("valueFrom") or {}).get("configMapKeyRef") or {}).get("name") == configmap:
                return True
    return any((vol.get("configMap") or {}).get("name") == configmap for vol in spec.get("volumes") or [])


def delivered_secret(configmap: str) -> str:
    """The Kubernetes Secret a migration delivers a ConfigMap's moved keys in (synced from Vault by an operator)."""
    return f"{configmap}-vault"


def references_vault(workload: dict[str, Any], namespace: str, configmap: str) -> bool:
    """Does the workload get this ConfigMap's credentials from Vault: annotated for Vault Agent, or reading the
    Secret an operator syncs from Vault?"""
    template = (workload.get("spec") or {}).get("template") or {}
    annotations = (template.get("metadata") or {}).get("annotations") or {}
    if (str(annotations.get(AGENT_INJECT, "")).lower() == "true"
            and annotations.get(AGENT_SECRET_PREFIX + configmap) == agent_secret_path(namespace, configmap)):
        return True
    return delivered_secret(configmap) in secrets_read(template.get("spec") or {})


def secrets_read(spec: dict[str, Any]) -> set[str]:
    """The names of the Secrets a pod spec reads (env, envFrom, volumes, projected sources)."""
    found: set[str] = set()
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        found |= {(s.get("secretRef") or {}).get("name", "") for s in container.get("envFrom") or []}
        found |= {((e.get("valueFrom") or {}).get("secretKeyRef") or {}).get("name", "") for e in container.get("env") or []}
    for volume in spec.get("volumes") or []:
        found.add((volume.get("secret") or {}).get("secretName", ""))
        found |= {(s.get("secret") or {}).get("name", "") for s in (volume.get("projected") or {}).get("sources") or []}
    return found - {""}
