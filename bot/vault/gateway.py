"""The Vault gateway: the only module that talks to Vault/OpenBao (through hvac).

Every failure becomes `Unavailable` with a reason that names the path, never hvac's own message, which
can carry the URL and response body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import hvac
import hvac.exceptions
import requests

from bot import messages
from bot.errors import Unavailable


@dataclass(frozen=True)
class VaultHealth:
    initialized: bool
    sealed: bool
    version: str

    @property
    def ok(self) -> bool:
        return self.initialized and not self.sealed


@dataclass(frozen=True)
class IssuedCredential:
    """A credential Vault issued; the password never prints (repr), and is never stored or shown."""

    username: str
    password: str = field(repr=False)
    lease_id: str = ""
    ttl_s: int = 0


class VaultGateway:
    def __init__(self, client: hvac.Client, *, kv_mount: str = "secret") -> None:
        self.client = client
        self.kv_mount = kv_mount

    @property
    def addr(self) -> str:
        return str(self.client.url)

    def health(self) -> VaultHealth:
        """sys/health answers 200/429/501/503 by state; all of them are data, not errors."""
        response = self._call("read health", lambda: self.client.adapter.get(
            "/v1/sys/health", params={"standbyok": "true", "sealedcode": 200, "uninitcode": 200}, raise_exception=False,
        ))
        body: dict[str, Any] = response if isinstance(response, dict) else _json(response)
        return VaultHealth(bool(body.get("initialized")), bool(body.get("sealed")), str(body.get("version", "")))

    def kv_field_names(self, path: str) -> frozenset[str]:
        """The field names of the latest KV v2 version at `path` (empty if nothing is there).

        Values are dropped here, inside the gateway: callers that only count migrated keys never hold one.
        """
        def read() -> Any:
            try:
                return self.client.secrets.kv.v2.read_secret_version(
                    path=path, mount_point=self.kv_mount, raise_on_deleted_version=False)
            except hvac.exceptions.InvalidPath:
                return None
        response = self._call(f"{self.kv_mount}/{path}", read)
        data = ((response or {}).get("data") or {}).get("data") or {}
        return frozenset(str(name) for name in data)

    def kv_metadata(self, path: str) -> dict[str, Any] | None:
        """Version metadata (current version, times) of a KV v2 path, or None if nothing is there; no values."""
        def read() -> Any:
            try:
                return self.client.secrets.kv.v2.read_secret_metadata(path=path, mount_point=self.kv_mount)
            except hvac.exceptions.InvalidPath:
                return None
        response = self._call(f"{self.kv_mount}/metadata/{path}", read)
        if not response:
            return None
        data = response.get("data") or {}
        return {"current_version": data.get("current_version"), "created_time": data.get("created_time"),
                "updated_time": data.get("updated_time")}

    # -- KV v2: values pass through here in memory only; callers keep hash prefixes, never values
    def kv_read(self, path: str) -> tuple[dict[str, str], int]:
        """The latest version's data and its number; ({}, 0) when nothing is stored at `path`."""
        def read() -> Any:
            try:
                return self.client.secrets.kv.v2.read_secret_version(path=path, mount_point=self.kv_mount,
                                                                     raise_on_deleted_version=True)
            except hvac.exceptions.InvalidPath:
                return None
        answer = self._call(f"{self.kv_mount}/{path}", read)
        if not answer:
            return {}, 0
        data = answer.get("data") or {}
        return dict(data.get("data") or {}), int((data.get("metadata") or {}).get("version") or 0)

    def kv_write(self, path: str, data: dict[str, str], cas: int) -> int:
        """Check-and-set write: `cas` is the version we read (0 = must not exist), so a concurrent writer is never
        overwritten silently. Returns the new version."""
        where = f"{self.kv_mount}/{path}"

        def write() -> Any:
            try:
                return self.client.secrets.kv.v2.create_or_update_secret(path=path, secret=data, cas=cas,
                                                                         mount_point=self.kv_mount)
            except hvac.exceptions.InvalidRequest:
                raise Unavailable(f"Vault refused the write to {where}: it changed since we read it (check-and-set)") from None
        answer = self._call(where, write)
        return int(((answer or {}).get("data") or {}).get("version") or 0)

    def policy(self, name: str) -> str | None:
        def read() -> Any:
            try:
                return self.client.sys.read_acl_policy(name=name)
            except hvac.exceptions.InvalidPath:
                return None
        answer = self._call(f"sys/policies/acl/{name}", read)
        return None if not answer else str((answer.get("data") or {}).get("policy") or answer.get("policy") or "")

    def put_policy(self, name: str, hcl: str) -> None:
        self._call(f"sys/policies/acl/{name}", lambda: self.client.sys.create_or_update_acl_policy(name=name, policy=hcl))

    def auth_methods(self) -> dict[str, str]:
        """Mounted auth methods: path (without the trailing slash) -> type."""
        answer = self._call("sys/auth", lambda: self.client.sys.list_auth_methods())
        data = answer.get("data") or answer
        return {path.rstrip("/"): str(info.get("type")) for path, info in data.items() if isinstance(info, dict)}

    def enable_auth(self, method: str, path: str) -> None:
        self._call(f"sys/auth/{path}", lambda: self.client.sys.enable_auth_method(method_type=method, path=path))

    def read(self, path: str) -> dict[str, Any] | None:
        """A generic logical read (auth config, roles); None when nothing is there."""
        def read() -> Any:
            try:
                return self.client.read(path)
            except hvac.exceptions.InvalidPath:
                return None
        answer = self._call(path, read)
        return None if not answer else dict(answer.get("data") or {})

    def list(self, path: str) -> list[str]:
        """The keys under a path (roles of an auth method, …); [] when there are none."""
        def listing() -> Any:
            try:
                return self.client.list(path)
            except hvac.exceptions.InvalidPath:
                return None
        answer = self._call(path, listing)
        return [str(k) for k in ((answer or {}).get("data") or {}).get("keys") or []]

    def login_works(self, path: str, role: str, jwt: str) -> None:
        """Log in with a ServiceAccount token as a workload would (on a separate client: the bot keeps its own
        token), then revoke the token that login got. Raises Unavailable with Vault's refusal."""
        client = hvac.Client(url=self.client.url, timeout=10)

        def login() -> Any:
            try:
                return client.auth.kubernetes.login(role=role, jwt=jwt, mount_point=path)
            except (hvac.exceptions.InvalidRequest, hvac.exceptions.Forbidden) as exc:
                errors = "; ".join(str(e) for e in (exc.errors or []))[:200] or type(exc).__name__
                raise Unavailable(f"Vault refused a ServiceAccount login at auth/{path} (role {role}): {errors}") from None
        self._call(f"auth/{path}/login", login)
        self._call("auth/token/revoke-self", lambda: client.auth.token.revoke_self())

    def write(self, path: str, data: dict[str, Any]) -> None:
        self._call(path, lambda: self.client.write_data(path, data=data))

    def write_explained(self, path: str, data: dict[str, Any], hide: tuple[str, ...] = ()) -> None:
        """A write whose refusal says Vault's reason (a database connection Vault could not verify, a bad
        statement): its errors, cut short, with every `hide` value (the passwords sent) and the URL removed."""
        def write() -> Any:
            try:
                return self.client.write_data(path, data=data)
            except hvac.exceptions.InvalidRequest as exc:
                raise Unavailable(f"Vault refused the write to {path}: {_scrubbed(exc, hide)}") from None
        self._call(path, write)

    def delete(self, path: str) -> None:
        """Delete a logical path (a role, a connection); nothing there is not an error."""
        def delete() -> Any:
            try:
                return self.client.delete(path)
            except hvac.exceptions.InvalidPath:
                return None
        self._call(path, delete)

    # -- secrets engines
    def secrets_engines(self) -> dict[str, str]:
        """Mounted secrets engines: path (without the trailing slash) -> type."""
        answer = self._call("sys/mounts", lambda: self.client.sys.list_mounted_secrets_engines())
        data = answer.get("data") or answer
        return {path.rstrip("/"): str(info.get("type")) for path, info in data.items() if isinstance(info, dict)}

    def enable_secrets_engine(self, kind: str, path: str) -> None:
        self._call(f"sys/mounts/{path}", lambda: self.client.sys.enable_secrets_engine(backend_type=kind, path=path))

    def disable_secrets_engine(self, path: str) -> None:
        self._call(f"sys/mounts/{path}", lambda: self.client.sys.disable_secrets_engine(path=path))

    def issue_database_credential(self, mount: str, role: str) -> IssuedCredential:
        """A short-lived database credential from `<mount>/creds/<role>` (a lease): held in memory by the caller
        only as long as a login proof takes, then revoked with `revoke_lease`."""
        def issue() -> Any:
            try:
                return self.client.read(f"{mount}/creds/{role}")
            except (hvac.exceptions.InvalidRequest, hvac.exceptions.InternalServerError) as exc:  # a statement failed
                raise Unavailable(f"Vault could not issue a credential from {mount}/creds/{role}: "
                                  f"{_scrubbed(exc, ())}") from None
        answer = self._call(f"{mount}/creds/{role}", issue) or {}
        data = answer.get("data") or {}
        if not data.get("username") or not data.get("password"):
            raise Unavailable(f"Vault issued no credential from {mount}/creds/{role}")
        return IssuedCredential(str(data["username"]), str(data["password"]), str(answer.get("lease_id") or ""),
                                int(answer.get("lease_duration") or 0))

    def revoke_lease(self, lease_id: str) -> None:
        self._call("sys/leases/revoke", lambda: self.client.sys.revoke_lease(lease_id=lease_id))

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except hvac.exceptions.Forbidden:
            raise Unavailable(f"Vault denied access to {what} (403): check the bot's Vault policy") from None
        except hvac.exceptions.VaultDown:
            raise Unavailable(messages.vault_sealed()) from None
        except hvac.exceptions.InvalidPath:
            raise Unavailable(f"Vault has nothing at {what}") from None
        except hvac.exceptions.VaultError as exc:
            raise Unavailable(f"Vault failed on {what} ({type(exc).__name__})") from None
        except requests.Timeout:
            raise Unavailable(messages.source_timed_out("Vault")) from None
        except requests.RequestException:
            raise Unavailable(messages.source_unreachable("Vault")) from None


_MULTI_ERROR = re.compile(r"\d+ errors? occurred: \* ")
_QUOTED_PASSWORD = re.compile(r"(?i)password\s+'[^']*'?")


def _scrubbed(exc: hvac.exceptions.VaultError, hide: tuple[str, ...]) -> str:
    """Vault's own error lines (hvac appends the request URL), with the values we sent taken out."""
    # Vault's "1 error occurred:\n\t* …", each on one line
    text = "; ".join(_MULTI_ERROR.sub("", " ".join(str(e).split())) for e in (exc.errors or [])) or type(exc).__name__
    text = _QUOTED_PASSWORD.sub("PASSWORD '**********'", text)  # a statement echoed back with a generated password
    for value in hide:
        if value:
            text = text.replace(value, "**********")
    return text[:300]


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
