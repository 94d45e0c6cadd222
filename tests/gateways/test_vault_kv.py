"""VaultGateway's KV v2 reads against real OpenBao: field names and metadata, never values."""

from __future__ import annotations

import uuid

import hvac

from bot.vault.gateway import VaultGateway


def test_field_names_and_metadata_without_values(vault_client: hvac.Client) -> None:
    path = f"carbon/{uuid.uuid4().hex}/app"
    vault_client.secrets.kv.v2.create_or_update_secret(path=path, secret={"A_TOKEN": "canary-kv-1", "B": "x"},
                                                       mount_point="secret")
    gateway = VaultGateway(vault_client)
    assert gateway.kv_field_names(path) == frozenset({"A_TOKEN", "B"})
    meta = gateway.kv_metadata(path)
    assert meta is not None and meta["current_version"] == 1
    assert "canary-kv-1" not in repr(meta)
    assert gateway.kv_field_names("carbon/ns/missing") == frozenset()
    assert gateway.kv_metadata("carbon/ns/missing") is None
