"""The tests' stand-in for Vault Secrets Operator (VSO): VaultStaticSecrets synced from OpenBao KV v2.

It serves VSO's API shape (`secrets.hashicorp.com/v1beta1` VaultStaticSecret, VaultAuth, VaultConnection) and
does what the operator does for the fields Carbon uses, as an emulator controller:
- a VaultConnection is valid when its `address` is the OpenBao this stand-in reads (it reaches no other);
- a VaultAuth (`method: kubernetes`) is valid when its connection is, and it logs in the way Vault's Kubernetes
  auth would let it: the role exists at `auth/<mount>/role/<role>`, binds the ServiceAccount and the namespace,
  and the ServiceAccount exists. Vault's own login cannot be used here (Vault's TokenReview would call back into
  the emulator while a controller holds its lock), so the stand-in then reads with a short-lived token carrying
  the role's policies: the real OpenBao enforces them;
- a VaultStaticSecret (`type: kv-v2`) reads `mount`/`path`, keeps the `transformation.includes`/`excludes` keys,
  adds `_raw` unless `excludeRaw`, writes `destination.name` (created and owned when `create: true`, so deleting the
  VaultStaticSecret deletes it), and sets `status.lastGeneration` and `status.secretMAC` (a keyed MAC, never a
  value). A failure leaves the status as it was and says why in a Warning Event (reason VaultClientError), as VSO
  does; messages name paths and roles, never values.
It does not poll: call `resync()` after changing Vault, as tests do instead of waiting for `refreshAfter`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Hashable, Iterable
from typing import Any

import hvac
from hvac.exceptions import Forbidden, InvalidPath, VaultError

from bot.local.emulator import KubeEmulator
from bot.local.emulator.inproc import controller_ref
from bot.local.emulator.meta import now_rfc3339
from bot.local.emulator.store import Change

Obj = dict[str, Any]
GROUP, VERSION = "secrets.hashicorp.com", "v1beta1"
KINDS = (("VaultStaticSecret", "vaultstaticsecrets"), ("VaultAuth", "vaultauths"), ("VaultConnection", "vaultconnections"))


class SyncError(Exception):
    """Why a sync failed, worded with paths and names only."""


class VaultSecretsOperatorStandIn:
    def __init__(self, emulator: KubeEmulator, vault: hvac.Client) -> None:
        self.emulator, self.vault, self.client = emulator, vault, emulator.client
        self._mac_key = secrets.token_bytes(32)

    def install(self) -> VaultSecretsOperatorStandIn:
        """Serve the three CRDs and start reconciling (existing objects included)."""
        for kind, plural in KINDS:
            self.emulator.register_resource(GROUP, VERSION, kind, plural, True, ("status",))
        self.emulator.add_controller(self)
        return self

    def resync(self) -> None:
        """Re-read Vault for every VaultStaticSecret now (the operator's refreshAfter, on demand)."""
        with self.emulator.store.lock:
            for vss in self.client.list("vaultstaticsecrets"):
                self.reconcile(("vaultstaticsecrets", vss["metadata"]["namespace"], vss["metadata"]["name"]))
            self.emulator.settle()

    # -- the controller ------------------------------------------------------------------------------------
    def wants(self, change: Change) -> Iterable[Hashable]:
        meta, plural = change.obj["metadata"], change.resource.removesuffix(f".{GROUP}")
        spec_changed = change.old is None or change.old.get("spec") != change.obj.get("spec")
        if change.resource.endswith(f".{GROUP}") and change.type != "DELETED" and spec_changed:
            keys: list[Hashable] = [(plural, meta["namespace"], meta["name"])]
            if plural != "vaultstaticsecrets":  # what uses it is reconciled again
                keys += [("vaultstaticsecrets", v["metadata"]["namespace"], v["metadata"]["name"])
                         for v in self.client.list("vaultstaticsecrets")]
            return keys
        if change.resource == "secrets" and change.type == "DELETED":
            return [("vaultstaticsecrets", meta.get("namespace", ""), ref["name"])
                    for ref in meta.get("ownerReferences") or [] if ref.get("kind") == "VaultStaticSecret"]
        return []

    def reconcile(self, key: Hashable) -> None:
        plural, namespace, name = key  # type: ignore[misc]
        obj = self.client.get(plural, namespace, name)
        if obj is None:
            return
        if plural == "vaultconnections":
            self.client.update_status(plural, obj, self._valid(lambda: self._connection_ok(obj)))
        elif plural == "vaultauths":
            self.client.update_status(plural, obj, self._valid(lambda: self._login_policies(obj, namespace)))
        else:
            self._sync(obj)

    @staticmethod
    def _valid(check: Any) -> Obj:
        try:
            check()
        except SyncError as err:
            return {"valid": False, "error": str(err)}
        return {"valid": True, "error": ""}

    # -- authenticating ------------------------------------------------------------------------------------
    def _ref(self, plural: str, ref: str, namespace: str) -> Obj:
        found_ns, _, rest = ref.partition("/")
        ns, name = (found_ns, rest) if rest else (namespace, ref)
        if not name:
            raise SyncError(f"no {plural.removesuffix('s')} named (the stand-in has no operator default)")
        obj = self.client.get(plural, ns, name)
        if obj is None:
            raise SyncError(f"{plural.removesuffix('s')} {ns}/{name} not found")
        return obj

    def _connection_ok(self, connection: Obj) -> None:
        address = str((connection.get("spec") or {}).get("address") or "").rstrip("/")
        if address != self.vault.url.rstrip("/"):
            raise SyncError(f"cannot reach Vault at {address or '(no address)'}")

    def _login_policies(self, auth: Obj, consumer_ns: str) -> list[str]:
        """The policies a Kubernetes-auth login through this VaultAuth would get, or why it would fail."""
        spec, auth_ns = auth.get("spec") or {}, auth["metadata"]["namespace"]
        allowed = spec.get("allowedNamespaces") or []
        if consumer_ns != auth_ns and consumer_ns not in allowed and "*" not in allowed:
            raise SyncError(f"vaultauth {auth_ns}/{auth['metadata']['name']} does not allow namespace {consumer_ns}")
        self._connection_ok(self._ref("vaultconnections", spec.get("vaultConnectionRef") or "", auth_ns))
        kube = spec.get("kubernetes") or {}
        if spec.get("method") != "kubernetes" or not kube.get("role") or not kube.get("serviceAccount"):
            raise SyncError("the stand-in supports method kubernetes with a role and a serviceAccount")
        mount, role_name, account = spec.get("mount") or "kubernetes", kube["role"], kube["serviceAccount"]
        try:
            config = self.vault.read(f"auth/{mount}/config")
            role = self.vault.read(f"auth/{mount}/role/{role_name}")
        except (InvalidPath, Forbidden, VaultError):
            config = role = None
        if not config or not (config.get("data") or {}).get("kubernetes_host"):
            raise SyncError(f"Vault auth/{mount} is not configured")
        if not role:
            raise SyncError(f"login failed: role {role_name!r} not found at auth/{mount}")
        data = role["data"]
        names, spaces = data.get("bound_service_account_names") or [], data.get("bound_service_account_namespaces") or []
        if (account not in names and "*" not in names) or (consumer_ns not in spaces and "*" not in spaces):
            raise SyncError(f"login failed: role {role_name!r} does not bind serviceaccount {consumer_ns}/{account}")
        if self.client.get("serviceaccounts", consumer_ns, account) is None:
            raise SyncError(f"login failed: serviceaccount {consumer_ns}/{account} not found")
        return list(data.get("token_policies") or data.get("policies") or [])

    # -- syncing -------------------------------------------------------------------------------------------
    def _sync(self, vss: Obj) -> None:
        namespace, spec = vss["metadata"]["namespace"], vss.get("spec") or {}
        try:
            if spec.get("type") != "kv-v2":
                raise SyncError(f"unsupported secret type {spec.get('type')!r} (the stand-in reads kv-v2)")
            auth = self._ref("vaultauths", spec.get("vaultAuthRef") or "", namespace)
            data = self._read(self._login_policies(auth, namespace), spec.get("mount") or "", spec.get("path") or "")
            self._write(vss, _transform(data, (spec.get("destination") or {}).get("transformation") or {}))
            self.client.update_status("vaultauths", auth, {"valid": True, "error": ""})  # it logged in just now
        except SyncError as err:
            self._event(vss, str(err))
            return
        mac = hmac.new(self._mac_key, json.dumps(data, sort_keys=True).encode(), hashlib.sha256).digest()
        status = {**(vss.get("status") or {}), "lastGeneration": vss["metadata"].get("generation", 1),
                  "secretMAC": base64.b64encode(mac).decode()}
        self.client.update_status("vaultstaticsecrets", vss, status)

    def _read(self, policies: list[str], mount: str, path: str) -> dict[str, str]:
        token = self.vault.auth.token.create(policies=policies or ["default"], ttl="1m", renewable=False)
        reader = hvac.Client(url=self.vault.url, token=token["auth"]["client_token"])
        try:
            answer = reader.secrets.kv.v2.read_secret_version(path=path, mount_point=mount, raise_on_deleted_version=True)
        except InvalidPath:
            raise SyncError(f"failed to read Vault secret {mount}/{path}: not found") from None
        except Forbidden:
            raise SyncError(f"failed to read Vault secret {mount}/{path}: permission denied") from None
        except VaultError as err:
            raise SyncError(f"failed to read Vault secret {mount}/{path}: {type(err).__name__}") from None
        finally:
            self.vault.auth.token.revoke(token["auth"]["client_token"])
        return {k: v if isinstance(v, str) else json.dumps(v) for k, v in (answer["data"]["data"] or {}).items()}

    def _write(self, vss: Obj, values: dict[str, str]) -> None:
        namespace, destination = vss["metadata"]["namespace"], (vss.get("spec") or {}).get("destination") or {}
        name = destination.get("name") or ""
        data = {k: base64.b64encode(v.encode()).decode() for k, v in values.items()}
        existing = self.client.get("secrets", namespace, name)
        owned = existing is not None and any(r.get("uid") == vss["metadata"]["uid"]
                                             for r in existing["metadata"].get("ownerReferences") or [])
        if not destination.get("create"):
            if existing is None:
                raise SyncError(f"destination secret {namespace}/{name} does not exist and create is false")
            self.client.update("secrets", {**existing, "data": data})
            return
        if existing is not None and not owned and not destination.get("overwrite"):
            raise SyncError(f"destination secret {namespace}/{name} exists and is not owned by this VaultStaticSecret")
        body: Obj = {"apiVersion": "v1", "kind": "Secret", "type": destination.get("type") or "Opaque", "data": data,
                     "metadata": {"name": name, "namespace": namespace, "ownerReferences": [controller_ref(vss)],
                                  "labels": {"app.kubernetes.io/managed-by": "hashicorp-vso",
                                             **(destination.get("labels") or {})}}}
        if existing is None:
            self.client.create("secrets", namespace, body)
        else:
            self.client.update("secrets", {**body, "metadata": {**existing["metadata"], **body["metadata"]}})

    def _event(self, vss: Obj, message: str) -> None:
        """The Warning Event VSO records when a sync fails (one per VaultStaticSecret here, replaced each time)."""
        namespace, name = vss["metadata"]["namespace"], vss["metadata"]["name"]
        body: Obj = {"apiVersion": "v1", "kind": "Event", "type": "Warning", "reason": "VaultClientError",
                     "message": message, "lastTimestamp": now_rfc3339(),
                     "metadata": {"name": f"{name}.vso", "namespace": namespace},
                     "involvedObject": {"apiVersion": f"{GROUP}/{VERSION}", "kind": "VaultStaticSecret",
                                        "name": name, "namespace": namespace, "uid": vss["metadata"]["uid"]}}
        existing = self.client.get("events", namespace, body["metadata"]["name"])
        if existing is None:
            self.client.create("events", namespace, body)
        elif existing.get("message") != message:
            self.client.update("events", {**body, "metadata": existing["metadata"]})


def _transform(data: dict[str, str], transformation: Obj) -> dict[str, str]:
    """Excludes first, then includes (RE2 patterns on top-level keys), then `_raw` unless excluded: VSO's order."""
    kept = {k: v for k, v in data.items()
            if not any(re.search(p, k) for p in transformation.get("excludes") or [])}
    includes = transformation.get("includes") or []
    if includes:
        kept = {k: v for k, v in kept.items() if any(re.search(p, k) for p in includes)}
    if not transformation.get("excludeRaw"):
        kept["_raw"] = json.dumps({"data": data})
    return kept
