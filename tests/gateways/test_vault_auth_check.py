"""vault_kubernetes_auth against real OpenBao: not enabled, enabled, configured; measured by the action that sets it."""

from __future__ import annotations

from typing import Any

import hvac

from bot.checks.vault_auth import VaultAuthParams, vault_kubernetes_auth
from bot.local.emulator import KubeEmulator
from bot.snapshot.snapshot import Snapshot
from bot.store.store import utcnow
from bot.vault.gateway import VaultGateway

HOST = "https://kubernetes.default.svc"


def measure(vault_client: hvac.Client) -> Any:
    return vault_kubernetes_auth(VaultAuthParams(kubernetes_host=HOST), Snapshot(None, VaultGateway(vault_client), utcnow()))


def test_each_half_counts_and_evidence_says_what_is_missing(vault_client: hvac.Client) -> None:
    missing = measure(vault_client)
    assert (missing.fraction, missing.evidence) == (0.0, ("auth/kubernetes is not enabled in Vault",))
    vault_client.sys.enable_auth_method("kubernetes", path="kubernetes")
    enabled = measure(vault_client)
    assert enabled.fraction == 0.5 and "names kubernetes_host nothing" in enabled.evidence[0]


def test_the_bundled_task_is_done_after_its_action_runs(carbon: Any, platform: KubeEmulator) -> None:
    carbon.slash("status p2")
    assert "auth/kubernetes: not enabled" in str(carbon.last_answer())
    carbon.slash("run vault-kubernetes-auth")
    run_id = carbon.services.store.query("SELECT id FROM runs")[0]["id"]
    carbon.slash(f"approve {run_id}", user="U0BOB")
    carbon.slash("status p2")  # the API server Carbon talks to, proven by a ServiceAccount login
    assert f"auth/kubernetes: enabled, kubernetes_host {platform.url}" in str(carbon.last_answer())
