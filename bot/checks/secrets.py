"""Credentials moved out of ConfigMaps into Vault: migrated keys / credential keys found.

A key counts as found when a ConfigMap of the listed namespaces holds it (name matches a pattern, or
the value is a connection string with a password) or when it sits in Vault at the ConfigMap's
conventional path (bot.credentials) and a workload reading that ConfigMap is annotated for Vault
Agent. It counts as migrated when it is in Vault, referenced by the workload (annotations, or an
explicit `mapping` entry), and gone from the ConfigMap: a copy still in plain text is not done. Every
field at a conventional path counts (only moved credentials are put there; their values are not read).
Evidence names ConfigMap/key and the Vault path, never a value (values are dropped as soon as a key is
classified; Vault reads return field names only).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.credentials import (
    DEFAULT_PATTERNS,
    KV_MOUNT,
    compile_patterns,
    consumes,
    credential_keys,
    references_vault,
    vault_path,
)
from bot.snapshot.objects import meta
from bot.snapshot.snapshot import Snapshot


class Mapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    configmap: str = Field(description="namespace/name")
    key: str
    vault_path: str = Field(description="KV v2 path below the mount")
    field: str

    @field_validator("configmap")
    @classmethod
    def _ref(cls, value: str) -> str:
        if value.count("/") != 1 or not all(value.split("/")):
            raise ValueError(f"{value}: expected namespace/name")
        return value


class SecretsParams(Params):
    namespaces: tuple[str, ...] = Field(min_length=1)
    patterns: tuple[str, ...] = DEFAULT_PATTERNS
    mapping: tuple[Mapping, ...] = ()


def secrets_in_vault(params: SecretsParams, snapshot: Snapshot) -> CheckResult:
    patterns = compile_patterns(params.patterns)
    wanted = set(params.namespaces)
    configmaps = [c for c in snapshot.items("configmaps", wanted) if meta(c).get("namespace") in wanted]
    workloads = [w for plural in ("deployments", "statefulsets") for w in snapshot.items(plural, wanted)
                 if meta(w).get("namespace") in wanted]
    mapped = {(m.configmap, m.key): m for m in params.mapping}
    in_configmap = {(f"{k.namespace}/{k.configmap}", k.key) for c in configmaps for k in credential_keys(c, patterns)}
    status: dict[tuple[str, str], str] = {}  # (ns/configmap, key) -> "" when migrated, else why not
    for cm_ref, path in _conventional_paths(configmaps, workloads).items():
        for name in _field_names(snapshot, path):  # the conventional path holds only moved credentials
            status[(cm_ref, name)] = ""
    for key in in_configmap:
        mapping = mapped.get(key)
        copied = key in status or (mapping is not None and mapping.field in _field_names(snapshot, mapping.vault_path))
        status[key] = "in Vault but still in the ConfigMap" if copied else "still in the ConfigMap"
    for key, mapping in mapped.items():
        if key not in in_configmap and mapping.field in _field_names(snapshot, mapping.vault_path):
            status[key] = ""
    done = sum(not why for why in status.values())
    evidence = [f"{cm}/{key}: {why} → Vault {_target(cm, key, mapped)}"
                for (cm, key), why in sorted(status.items()) if why]
    evidence += [f"{cm}/{key} → Vault {_target(cm, key, mapped)}: migrated"
                 for (cm, key), why in sorted(status.items()) if not why]
    total = len(status)
    return CheckResult.measured(done, total, f"{done}/{total} credential keys in Vault", evidence,
                                migrated=done, found=total)


def _conventional_paths(configmaps: list[dict[str, Any]], workloads: list[dict[str, Any]]) -> dict[str, str]:
    """ConfigMaps (ns/name) whose readers are all annotated for Vault Agent -> their conventional Vault path."""
    found = {}
    for configmap in configmaps:
        ns, name = meta(configmap).get("namespace", ""), meta(configmap).get("name", "")
        readers = [w for w in workloads if meta(w).get("namespace") == ns and consumes(w, name)]
        if readers and all(references_vault(w, ns, name) for w in readers):
            found[f"{ns}/{name}"] = vault_path(ns, name)
    return found


def _field_names(snapshot: Snapshot, path: str) -> frozenset[str]:
    return snapshot.memo(("vault-fields", path), lambda: snapshot.vault.kv_field_names(path))


def _target(cm: str, key: str, mapped: dict[tuple[str, str], Mapping]) -> str:
    mapping = mapped.get((cm, key))
    if mapping is not None:
        return f"{KV_MOUNT}/{mapping.vault_path}#{mapping.field}"
    ns, name = cm.split("/", 1)
    return f"{KV_MOUNT}/{vault_path(ns, name)}#{key}"


SECRETS_IN_VAULT = CheckKind(
    "secrets_in_vault", SecretsParams, secrets_in_vault,
    "Credential keys in ConfigMaps of the namespaces vs. those in Vault KV v2 and referenced by the workload.",
    reads=("configmaps", "deployments", "statefulsets"),
)
