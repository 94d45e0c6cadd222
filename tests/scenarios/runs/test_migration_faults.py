"""migrate_secrets under faults: Vault sealed, Vault answering 403, the Kubernetes API failing mid-run.

Whatever fails, no key leaves a ConfigMap unless its Vault copy was verified, what the run applied is rolled
back automatically, every workload keeps running, the thread says what was and was not done, and running
the task again finishes the job.
"""

from __future__ import annotations

from typing import Any

import hvac

from bot import messages
from bot.local.demo.seed import CREDENTIAL_CONFIGMAPS
from bot.local.emulator import KubeEmulator
from bot.runs.records import get_run
from bot.snapshot.credentials import KV_MOUNT, vault_path
from tests.fixtures.kube import unhealthy_pods
from tests.fixtures.runs import PLAN, buttons, click, message, request, state, thread

LIMITED = """
path "secret/data/carbon/*" { capabilities = ["read"] }
path "secret/data/carbon/data-platform/datahub-config" { capabilities = ["create", "read", "update"] }
path "sys/policies/acl/*" { capabilities = ["read"] }
path "sys/auth" { capabilities = ["read", "sudo"] }
path "auth/kubernetes/role/*" { capabilities = ["read"] }
path "auth/kubernetes/config" { capabilities = ["read"] }
"""


def no_key_lost(platform: KubeEmulator, vault: hvac.Client) -> None:
    """Every seeded credential is still in its ConfigMap, or in Vault with the same value."""
    for name, data in CREDENTIAL_CONFIGMAPS.items():
        live = platform.get("configmaps", name, "data-platform")["data"]
        try:
            stored = vault.secrets.kv.v2.read_secret_version(path=vault_path("data-platform", name), mount_point=KV_MOUNT,
                                                             raise_on_deleted_version=True)["data"]["data"]
        except hvac.exceptions.InvalidPath:
            stored = {}
        for key, value in data.items():
            assert live.get(key) == value or stored.get(key) == value, f"{name}#{key} lost"


def all_migrated(platform: KubeEmulator) -> None:
    for name in CREDENTIAL_CONFIGMAPS:
        keys = set(platform.get("configmaps", name, "data-platform")["data"])
        assert not keys & {"DATABASE_PASSWORD", "EBEAN_DATASOURCE_PASSWORD", "MINIO_ROOT_PASSWORD", "DS_API_TOKEN",
                           "TRINO_SHARED_SECRET", "SUPERSET_SECRET_KEY"}, name


def rerun(bot: Any, platform: KubeEmulator) -> None:
    run = request(bot, "secrets")
    click(bot, "carbon.approve", run, "U0CAROL")
    assert state(bot, run) == "succeeded", thread(bot, run)
    assert unhealthy_pods(platform) == []


def test_vault_sealed_fails_the_run_before_anything_changes(make_carbon: Any, migratable: KubeEmulator, openbao: Any,
                                                            vault_client: hvac.Client) -> None:
    platform = migratable
    bot = make_carbon(platform, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    openbao.seal()
    try:
        click(bot, "carbon.approve", run, "U0BOB")
    finally:
        openbao.unseal()
    assert state(bot, run) == "failed"
    assert any("Vault is sealed" in t for t in thread(bot, run))
    no_key_lost(platform, vault_client)
    assert platform.get("configmaps", "superset-config", "data-platform")["data"] == CREDENTIAL_CONFIGMAPS["superset-config"]
    rerun(bot, platform)
    all_migrated(platform)


def test_vault_403_mid_run_keeps_every_plaintext_key_and_a_rerun_finishes(make_carbon: Any, migratable: KubeEmulator,
                                                                          vault_client: hvac.Client) -> None:
    platform = migratable
    vault_client.sys.create_or_update_acl_policy(name="carbon-limited", policy=LIMITED)
    token = vault_client.auth.token.create(policies=["carbon-limited"], ttl="10m")["auth"]["client_token"]
    limited = hvac.Client(url=vault_client.url, token=token)
    bot = make_carbon(platform, vault=limited, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "rolled_back"  # it had written datahub's keys: what it applied is undone at once
    outcome = get_run(bot.services.store, run.id).outcome  # type: ignore[union-attr]
    assert "403" in outcome["reason"]
    assert any("datahub-config#EBEAN_DATASOURCE_PASSWORD" in d for d in outcome["done"])
    assert any("remove-key" in d for d in outcome["not_done"])
    assert not any("remove-key" in d or d.startswith("patch") for d in outcome["done"])
    said = thread(bot, run)
    assert any(t.startswith(messages.step_failed("")) and "403" in t for t in said)
    assert messages.rolled_back_automatically() in said
    assert buttons(message(bot, run)) == []
    no_key_lost(platform, vault_client)
    assert platform.get("configmaps", "datahub-config", "data-platform")["data"] == CREDENTIAL_CONFIGMAPS["datahub-config"]
    assert unhealthy_pods(platform) == []
    rerun(make_carbon(platform, vault=vault_client, CARBON_PLAN=str(PLAN)), platform)
    all_migrated(platform)


def test_kubernetes_failing_mid_removal_is_rolled_back_and_every_key_is_back(make_carbon: Any, migratable: KubeEmulator,
                                                                            vault_client: hvac.Client) -> None:
    platform = migratable
    bot = make_carbon(platform, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    # The recomputed plan dry-runs 5 ConfigMap patches; the apply's first 2 real removals pass, the 3rd fails;
    # the rollback's patches pass again.
    platform.fail("configmaps", method="PATCH", namespace="data-platform", status=0, times=7)
    platform.fail("configmaps", method="PATCH", namespace="data-platform", status=500, times=1)
    click(bot, "carbon.approve", run, "U0BOB")
    platform.clear_failures()
    assert state(bot, run) == "rolled_back", thread(bot, run)
    outcome = get_run(bot.services.store, run.id).outcome  # type: ignore[union-attr]
    removed = [d for d in outcome["done"] if d.startswith("remove-key")]
    assert removed and len(removed) < 9
    assert any("remove-key" in d for d in outcome["not_done"])
    assert any(t.startswith(messages.step_failed("")) for t in thread(bot, run))
    no_key_lost(platform, vault_client)
    for name, data in CREDENTIAL_CONFIGMAPS.items():  # the rollback wrote the removed keys back
        assert platform.get("configmaps", name, "data-platform")["data"] == data, name
    assert unhealthy_pods(platform) == []
    rerun(bot, platform)
    all_migrated(platform)
