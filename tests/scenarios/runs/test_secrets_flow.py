"""The secrets migration end to end: request, two approvals, apply, verify, against the emulator and real OpenBao."""

from __future__ import annotations

import hvac

from bot import messages
from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.seed import seed_vault
from bot.local.emulator import KubeEmulator
from bot.snapshot.credentials import KV_MOUNT, vault_path
from tests.fixtures.kube import unhealthy_pods
from tests.fixtures.runs import buttons, click, message, plan_thread, request, state, thread


def test_two_approvers_run_the_migration_and_it_is_verified(make_carbon, live_platform: KubeEmulator,
                                                             vault_client: hvac.Client) -> None:
    platform = live_platform
    seed_vault(vault_client)
    ExternalSecretsStandIn(platform, vault_client).install()
    carbon = make_carbon(platform)
    carbon.slash("run secrets-migration")
    assert carbon.last_answer()["text"] == messages.needs_not_done("secrets-migration", ["vault-kubernetes-auth"],
                                                                         ("run", "vault-kubernetes-auth"))
    auth = request(carbon, "vault-kubernetes-auth")
    click(carbon, "carbon.approve", auth, "U0BOB")
    assert state(carbon, auth) == "succeeded"
    run = request(carbon, "secrets-migration")
    msg = message(carbon, run)
    assert buttons(msg) == [("carbon.approve", run.id), ("carbon.reject", run.id)]
    text = str(msg["blocks"])
    assert "writes 9 Vault keys" in text and "patches 9 Deployments" in text and "removes 9 ConfigMap keys" in text
    full = plan_thread(carbon, run)
    assert full.startswith("plan 1/1 · hash ") and "secret/carbon/data-platform/superset-config#DATABASE_PASSWORD" in full
    assert "demo-superset-db-pass" not in text + full and "len " not in text
    assert "approvals 0/2" in text
    impact = run.plan["impact"]
    assert "deployment data-platform/superset" in impact["rolls"]
    assert any("env SUPERSET_DATABASE_PASSWORD ← secret superset-config-vault" in line for line in impact["sources"])
    assert any("file /etc/trino/secrets/TRINO_SHARED_SECRET" in line for line in impact["sources"])
    assert any("DATABASE_PASSWORD from configmap data-platform/superset-config" in line for line in impact["irreversible"])
    assert "Impact" in text

    assert click(carbon, "carbon.approve", run, "U0BOB") == messages.approval_recorded(run.id, 1, 2)
    assert state(carbon, run) == "requested"
    click(carbon, "carbon.approve", run, "U0CAROL")
    assert state(carbon, run) == "succeeded", thread(carbon, run)

    superset = platform.get("configmaps", "superset-config", "data-platform")
    assert superset["data"] == {"SUPERSET_WEBSERVER_PORT": "8088"}
    stored = vault_client.secrets.kv.v2.read_secret_version(
        path=vault_path("data-platform", "superset-config"), mount_point=KV_MOUNT, raise_on_deleted_version=True)["data"]["data"]
    assert stored["DATABASE_PASSWORD"] == "demo-superset-db-pass"
    env = platform.get("deployments", "superset", "data-platform")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "SUPERSET_DATABASE_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": "superset-config-vault", "key": "DATABASE_PASSWORD"}}}]
    assert unhealthy_pods(platform) == []  # every consumer still gets every credential, the same way
    assert messages.run_finished("succeeded") in thread(carbon, run)
    assert buttons(message(carbon, run)) == []

    runs_before = carbon.services.store.query("SELECT COUNT(*) AS n FROM runs")[0]["n"]
    again = carbon.slash("run secrets-migration", user="U0ALICE")
    assert again.status == 200
    assert carbon.last_answer()["text"] == messages.nothing_to_change("secrets-migration")
    assert carbon.services.store.query("SELECT COUNT(*) AS n FROM runs")[0]["n"] == runs_before  # no run was recorded
