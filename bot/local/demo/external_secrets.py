"""The demo's stand-in for the External Secrets Operator: ExternalSecrets synced from OpenBao KV v2.

Carbon's actions change where workloads get credentials (ExternalSecret -> Secret -> pods), so the
demo and tests need the operator's effect, with the real API shape (`external-secrets.io/v1`
ExternalSecret, SecretStore, ClusterSecretStore). It is an emulator controller: it reads KV v2
through the hvac client it is given (the demo's root client; a stand-in does not perform the
store's own `auth`), writes the target Secret (Opaque, owned by the ExternalSecret), and sets
status.conditions Ready (SecretSynced / SecretSyncedError, messages naming paths, never values).
It does not poll: call `resync()` after changing Vault, as tests do instead of waiting for
spec.refreshInterval. Supported: data[].remoteRef {key, property}, dataFrom[].extract {key},
target.creationPolicy Owner (default) / Merge / None.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Hashable, Iterable
from typing import Any

import hvac
from hvac.exceptions import Forbidden, InvalidPath, VaultError

from bot.local.emulator import KubeEmulator
from bot.local.emulator.inproc import controller_ref
from bot.local.emulator.meta import now_rfc3339
from bot.local.emulator.store import Change

Obj = dict[str, Any]
GROUP, VERSION = "external-secrets.io", "v1"
MANAGED_LABEL = "reconcile.external-secrets.io/managed"


class SyncError(Exception):
    """Why a sync failed, worded with paths and properties only."""


class ExternalSecretsStandIn:
    def __init__(self, emulator: KubeEmulator, vault: hvac.Client) -> None:
        self.emulator, self.vault, self.client = emulator, vault, emulator.client

    def install(self) -> ExternalSecretsStandIn:
        """Serve the three CRDs and start reconciling (existing ExternalSecrets included)."""
        self.emulator.register_resource(GROUP, VERSION, "ExternalSecret", "externalsecrets", True, ("status",))
        self.emulator.register_resource(GROUP, VERSION, "SecretStore", "secretstores", True, ("status",))
        self.emulator.register_resource(GROUP, VERSION, "ClusterSecretStore", "clustersecretstores", False, ("status",))
        self.emulator.add_controller(self)
        return self

    def resync(self) -> None:
        """Re-read Vault for every ExternalSecret now (the operator's refreshInterval, on demand)."""
        with self.emulator.store.lock:
            for es in self.client.list("externalsecrets"):
                self.reconcile((es["metadata"]["namespace"], es["metadata"]["name"]))
            self.emulator.settle()

    # -- the controller ------------------------------------------------------------------------------------
    def wants(self, change: Change) -> Iterable[Hashable]:
        meta = change.obj["metadata"]
        spec_changed = change.old is None or change.old.get("spec") != change.obj.get("spec")
        if change.resource == f"externalsecrets.{GROUP}" and change.type != "DELETED" and spec_changed:
            return [(meta["namespace"], meta["name"])]
        if change.resource in (f"secretstores.{GROUP}", f"clustersecretstores.{GROUP}"):
            return [(es["metadata"]["namespace"], es["metadata"]["name"]) for es in self.client.list("externalsecrets")
                    if (es.get("spec") or {}).get("secretStoreRef", {}).get("name") == meta["name"]]
        if change.resource == "secrets" and change.type == "DELETED":
            return [(meta.get("namespace", ""), ref["name"]) for ref in meta.get("ownerReferences") or []
                    if ref.get("kind") == "ExternalSecret"]
        return []

    def reconcile(self, key: Hashable) -> None:
        namespace, name = key  # type: ignore[misc]
        es = self.client.get("externalsecrets", namespace, name)
        if es is None:
            return
        try:
            values = self._fetch(es)
            self._write_target(es, values)
            ready = ("True", "SecretSynced", "secret synced")
        except SyncError as err:
            ready = ("False", "SecretSyncedError", str(err))
        status = dict(es.get("status") or {})
        before = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), {})
        now = now_rfc3339()
        status["conditions"] = [{"type": "Ready", "status": ready[0], "reason": ready[1], "message": ready[2],
                                 "lastTransitionTime": before.get("lastTransitionTime", now)
                                 if before.get("status") == ready[0] else now}]
        status["refreshTime"] = now
        status["binding"] = {"name": self._target_name(es)}
        self.client.update_status("externalsecrets", es, status)

    # -- reading the store ---------------------------------------------------------------------------------
    def _store(self, es: Obj) -> Obj:
        ref = (es.get("spec") or {}).get("secretStoreRef") or {}
        kind = ref.get("kind", "SecretStore")
        resource = "clustersecretstores" if kind == "ClusterSecretStore" else "secretstores"
        store = self.client.get(resource, None if kind == "ClusterSecretStore" else es["metadata"]["namespace"],
                                ref.get("name", ""))
        if store is None:
            raise SyncError(f'could not get {kind} "{ref.get("name", "")}"')
        vault = ((store.get("spec") or {}).get("provider") or {}).get("vault")
        if not vault:
            raise SyncError(f'{kind} "{ref.get("name", "")}" is not a vault provider')
        if vault.get("version", "v2") != "v2":
            raise SyncError("only KV version v2 is supported by the stand-in")
        return vault

    def _read(self, mount: str, key: str) -> Obj:
        path = key.removeprefix(f"{mount}/")
        try:
            answer = self.vault.secrets.kv.v2.read_secret_version(path=path, mount_point=mount,
                                                                  raise_on_deleted_version=True)
        except InvalidPath:
            raise SyncError(f"cannot read secret data from Vault: {mount}/{path}: secret not found") from None
        except (Forbidden, VaultError) as err:
            raise SyncError(f"cannot read secret data from Vault: {mount}/{path}: {type(err).__name__}") from None
        return dict(answer["data"]["data"] or {})

    def _fetch(self, es: Obj) -> dict[str, str]:
        vault, spec = self._store(es), es.get("spec") or {}
        mount = str(vault.get("path") or "secret").strip("/")
        values: dict[str, str] = {}
        for source in spec.get("dataFrom") or []:
            extract = source.get("extract") or {}
            if extract.get("key"):
                values.update({k: _text(v) for k, v in self._read(mount, extract["key"]).items()})
        for item in spec.get("data") or []:
            remote = item.get("remoteRef") or {}
            data = self._read(mount, remote.get("key", ""))
            prop = remote.get("property")
            if prop is None:
                values[item["secretKey"]] = json.dumps(data)
            elif prop in data:
                values[item["secretKey"]] = _text(data[prop])
            else:
                raise SyncError(f"cannot find property {prop} in secret {mount}/{remote.get('key', '')}")
        return values

    # -- writing the target --------------------------------------------------------------------------------
    @staticmethod
    def _target_name(es: Obj) -> str:
        return str(((es.get("spec") or {}).get("target") or {}).get("name") or es["metadata"]["name"])

    def _write_target(self, es: Obj, values: dict[str, str]) -> None:
        policy = ((es.get("spec") or {}).get("target") or {}).get("creationPolicy", "Owner")
        if policy == "None":
            return
        namespace, name = es["metadata"]["namespace"], self._target_name(es)
        data = {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}
        existing = self.client.get("secrets", namespace, name)
        if policy == "Merge":
            if existing is None:
                raise SyncError(f'could not merge into Secret "{name}": it does not exist')
            existing["data"] = {**(existing.get("data") or {}), **data}
            self.client.update("secrets", existing)
            return
        body: Obj = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque", "data": data,
                     "metadata": {"name": name, "namespace": namespace, "labels": {MANAGED_LABEL: "true"},
                                  "ownerReferences": [controller_ref(es)]}}
        if existing is None:
            self.client.create("secrets", namespace, body)
        else:
            body["metadata"] = {**existing["metadata"], **body["metadata"]}
            self.client.update("secrets", body)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)
