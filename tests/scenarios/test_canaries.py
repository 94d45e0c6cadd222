"""No secret value reaches Slack, the logs or the store: canary values planted in ConfigMaps and Vault
are looked for in every fake-Slack call, the captured log output and the raw bytes of the SQLite files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hvac
import pytest

from bot.local.emulator import KubeEmulator
from bot.snapshot.credentials import vault_path
from tests.fixtures.bot import Carbon

CANARIES = {
    "CANARY_DB_PASSWORD": "canary-7c1e-db-password",
    "CANARY_API_TOKEN": "canary-5b2d-api-token",
    "CANARY_DSN": "postgres://app:canary-9f4a-dsn-pass@db:5432/app",
}
IN_VAULT = {"CANARY_VAULT_SECRET": "canary-3e8b-vault-only"}


@pytest.fixture
def planted(carbon: Carbon, platform: KubeEmulator, vault_client: hvac.Client) -> Carbon:
    platform.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "canary-config", "namespace": "data-platform"},
                  "data": dict(CANARIES)})
    lakefs = platform.get("configmaps", "lakefs-config", "data-platform")
    lakefs["data"]["LAKEFS_LEFTOVER_SECRET"] = "canary-0d6c-leftover"
    platform.add(lakefs)
    vault_client.secrets.kv.v2.create_or_update_secret(path=vault_path("data-platform", "lakefs-config"),
                                                       secret={**IN_VAULT, "LAKEFS_LEFTOVER_SECRET": "canary-0d6c-leftover"},
                                                       mount_point="secret")
    return carbon


def canary_values() -> list[str]:
    return [*CANARIES.values(), *IN_VAULT.values(), "canary-0d6c-leftover", "canary-9f4a-dsn-pass"]


def test_canaries_never_leave_the_cluster_or_vault(planted: Carbon, tmp_path: Path, capsys: Any, caplog: Any) -> None:
    for text in ("status", "status p2", "tasks", "tasks p2", "attest dr-runbook checked", "attest secrets-migration",
                 "attest dr-runbook --undo", "status p5"):
        planted.slash(text)
    shown = json.dumps([call.params for call in planted.slack.calls], ensure_ascii=False)
    assert "canary-config/CANARY_DB_PASSWORD" in shown  # the key is named...
    view = planted.services.meter.measure()
    evidence = json.dumps([[t.result.summary, *t.result.evidence] for p in view.phases for t in p.tasks], ensure_ascii=False)
    assert "lakefs-config/LAKEFS_LEFTOVER_SECRET: in Vault but still in the ConfigMap" in evidence
    out = capsys.readouterr()
    logs = out.out + out.err + caplog.text
    planted.services.store.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("carbon.db*"))
    assert stored, "the store files were not found"
    for value in canary_values():  # ...its value never
        assert value not in shown
        assert value not in evidence
        assert value not in logs
        assert value.encode() not in stored
