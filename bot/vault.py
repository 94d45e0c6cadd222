"""The Vault gateway: the only module that talks to Vault/OpenBao (through hvac).

Every failure becomes `Unavailable` with a reason that names the path, never hvac's own message, which
can carry the URL and response body.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import hvac
import hvac.exceptions
import requests

from bot.errors import Unavailable


@dataclass(frozen=True)
class VaultHealth:
    initialized: bool
    sealed: bool
    version: str

    @property
    def ok(self) -> bool:
        return self.initialized and not self.sealed


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

    def _call(self, what: str, fn: Any) -> Any:
        try:
            return fn()
        except hvac.exceptions.Forbidden:
            raise Unavailable(f"Vault denied access to {what} (403): check the bot's Vault policy") from None
        except hvac.exceptions.VaultDown:
            raise Unavailable("Vault is sealed") from None
        except hvac.exceptions.InvalidPath:
            raise Unavailable(f"Vault has nothing at {what}") from None
        except hvac.exceptions.VaultError as exc:
            raise Unavailable(f"Vault failed on {what} ({type(exc).__name__})") from None
        except requests.Timeout:
            raise Unavailable(f"Vault at {self.addr} did not answer in time") from None
        except requests.RequestException:
            raise Unavailable(f"Vault at {self.addr} is unreachable") from None


def _json(response: Any) -> dict[str, Any]:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
