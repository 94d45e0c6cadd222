"""The secrets migration through Vault Secrets Operator: the emulator's workload model, the VSO stand-in reading the
real OpenBao (it logs in by the Vault role Carbon writes and reads with that role's policies), the fake Slack."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import hvac
import pytest

from bot import messages
from bot.actions.delivery import VSO_CRD
from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.seed import CREDENTIAL_CONFIGMAPS, DEMO_CLUSTER_CA
from bot.local.demo.vault_secrets_operator import VaultSecretsOperatorStandIn
from bot.local.emulator import KubeEmulator
from bot.runs.records import get_run, list_runs
from tests.fixtures.kube import unhealthy_pods
from tests.fixtures.runs import PLAN, click, message, request, state, thread

MOVED = {"DATABASE_PASSWORD", "SUPERSET_SECRET_KEY"}  # superset-config's credential keys


@pytest.fixture
def vso_platform(live_platform: KubeEmulator, vault_client: hvac.Client) -> KubeEmulator:
    """The live 254Carbon platform with Vault Secrets Operator (and no External Secrets Operator), Vault's Kubernetes
    auth configured as the bundled vault-kubernetes-auth task leaves it."""
    VaultSecretsOperatorStandIn(live_platform, vault_client).install()
    vault_client.sys.enable_auth_method("kubernetes", path="kubernetes")
    vault_client.write_data("auth/kubernetes/config", data={"kubernetes_host": live_platform.url,
                                                           "kubernetes_ca_cert": DEMO_CLUSTER_CA,
                                                           "disable_local_ca_jwt": True})
    return live_platform


def plan_with(tmp_path: Path, action: str) -> str:
    """The test plan with the secrets task's action line replaced."""
    text = PLAN.read_text().replace("action: {kind: migrate_secrets, namespaces: [data-platform]}", action)
    assert action in text
    path = tmp_path / "plan.yaml"
    path.write_text(text)
    return str(path)


def secret_data(platform: KubeEmulator, name: str) -> dict[str, str]:
    found = platform.get("secrets", name, "data-platform")
    assert found is not None, name
    return {k: base64.b64decode(v).decode() for k, v in (found.get("data") or {}).items()}


def test_a_migration_through_vso_keeps_every_consumer_running_and_rolls_back_exactly(
        make_carbon: Any, vso_platform: KubeEmulator) -> None:
    platform = vso_platform
    bot = make_carbon(platform, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    changes = {f"{op} {target}" for op, target, _ in run.plan["changes"]}
    assert {"create vaultconnection data-platform/carbon-vault", "create vaultauth data-platform/carbon-vault",
            "create serviceaccount data-platform/carbon-secrets",
            "create vaultstaticsecret data-platform/superset-config-vault"} <= changes
    assert not any("externalsecret" in c or "secretstore" in c for c in changes)
    assert not run.plan["impact"].get("warnings")
    text = str(message(bot, run)["blocks"])
    assert "creates 1 VaultConnection" in text and "creates 1 VaultAuth" in text
    assert "creates 5 VaultStaticSecrets" in text and "removes 9 ConfigMap keys" in text
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)

    assert set(platform.get("configmaps", "superset-config", "data-platform")["data"]) == {"SUPERSET_WEBSERVER_PORT"}
    assert secret_data(platform, "superset-config-vault") == {k: CREDENTIAL_CONFIGMAPS["superset-config"][k]
                                                               for k in MOVED}  # exactly the moved keys, no _raw
    vss = platform.get("vaultstaticsecrets", "superset-config-vault", "data-platform")
    assert vss["spec"]["path"] == "carbon/data-platform/superset-config" and vss["spec"]["type"] == "kv-v2"
    assert vss["status"]["lastGeneration"] == vss["metadata"]["generation"] and vss["status"]["secretMAC"]
    assert platform.get("vaultauths", "carbon-vault", "data-platform")["status"] == {"valid": True, "error": ""}
    env = platform.get("deployments", "superset", "data-platform")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "SUPERSET_DATABASE_PASSWORD",
                    "valueFrom": {"secretKeyRef": {"name": "superset-config-vault", "key": "DATABASE_PASSWORD"}}}]
    assert unhealthy_pods(platform) == []  # every consumer gets every credential from the delivered Secret

    bot.slash("run secrets", user="U0ALICE")
    assert bot.last_answer()["text"] == messages.nothing_to_change("secrets")

    assert click(bot, "carbon.rollback", run, "U0CAROL")
    assert state(bot, run) == "rolled_back", thread(bot, run)
    for name, data in CREDENTIAL_CONFIGMAPS.items():
        assert platform.get("configmaps", name, "data-platform")["data"] == data, name
    assert platform.list("vaultstaticsecrets", "data-platform") == []
    assert platform.get("vaultauths", "carbon-vault", "data-platform") is None
    assert platform.get("vaultconnections", "carbon-vault", "data-platform") is None
    assert platform.get("secrets", "superset-config-vault", "data-platform") is None  # owned: collected with it
    assert "superset-config-vault" not in str(platform.get("deployments", "superset", "data-platform")["spec"])
    assert unhealthy_pods(platform) == []


def test_a_vault_auth_whose_role_cannot_log_in_fails_the_sync_and_nothing_is_removed(
        make_carbon: Any, vso_platform: KubeEmulator, tmp_path: Path) -> None:
    """The plan names the team's VaultAuth, whose Vault role does not exist: VSO cannot log in, so the Secrets never
    come; the run rolls back what it applied and every plaintext key stays."""
    platform = vso_platform
    platform.add({"apiVersion": "secrets.hashicorp.com/v1beta1", "kind": "VaultConnection",
                  "metadata": {"name": "team", "namespace": "data-platform"}, "spec": {"address": "http://elsewhere"}})
    platform.add({"apiVersion": "secrets.hashicorp.com/v1beta1", "kind": "VaultAuth",
                  "metadata": {"name": "team", "namespace": "data-platform"},
                  "spec": {"method": "kubernetes", "mount": "kubernetes", "vaultConnectionRef": "team",
                           "kubernetes": {"role": "team-reader", "serviceAccount": "default"}}})
    bot = make_carbon(platform, CARBON_PLAN=plan_with(
        tmp_path, "action: {kind: migrate_secrets, namespaces: [data-platform], vault_auth: team, sync_timeout_s: 0}"))
    run = request(bot, "secrets")
    changes = [c[1] for c in run.plan["changes"]]
    assert not any("carbon-vault" in c or "carbon-secrets" in c for c in changes)  # the named one is used as is
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "rolled_back", thread(bot, run)
    outcome = get_run(bot.services.store, run.id).outcome  # type: ignore[union-attr]
    assert "vaultstaticsecret data-platform/superset-config-vault not synced yet" in outcome["reason"]
    event = platform.get("events", "superset-config-vault.vso", "data-platform")
    assert event["reason"] == "VaultClientError" and "cannot reach Vault at http://elsewhere" in event["message"]
    for name, data in CREDENTIAL_CONFIGMAPS.items():
        assert platform.get("configmaps", name, "data-platform")["data"] == data, name
    assert platform.list("vaultstaticsecrets", "data-platform") == []
    assert platform.get("vaultauths", "team", "data-platform") is not None  # not Carbon's: kept
    assert unhealthy_pods(platform) == []


@pytest.mark.parametrize("action, answer", [
    ("action: {kind: migrate_secrets, namespaces: [data-platform], delivery: eso}",
     messages.delivery_operator_missing("eso", "externalsecrets.external-secrets.io")),
    ("action: {kind: migrate_secrets, namespaces: [data-platform], vault_auth: missing}",
     messages.vault_auth_missing("data-platform", "missing")),
], ids=["operator-not-installed", "vault-auth-missing"])
def test_a_plan_naming_what_is_not_there_is_answered_and_changes_nothing(
        make_carbon: Any, vso_platform: KubeEmulator, tmp_path: Path, action: str, answer: str) -> None:
    bot = make_carbon(vso_platform, CARBON_PLAN=plan_with(tmp_path, action))
    before = len(vso_platform.requests)
    bot.slash("run secrets")
    assert answer in bot.last_answer()["text"]
    assert list_runs(bot.services.store, "secrets", limit=5) == []
    writes = [r for r in vso_platform.requests[before:] if r.method != "GET" and r.query.get("dryRun") != "All"]
    assert writes == []


def test_with_both_operators_auto_keeps_external_secrets_and_vso_can_be_chosen(
        make_carbon: Any, vso_platform: KubeEmulator, vault_client: hvac.Client, tmp_path: Path) -> None:
    ExternalSecretsStandIn(vso_platform, vault_client).install()
    assert vso_platform.get("customresourcedefinitions", VSO_CRD) is not None
    auto = request(make_carbon(vso_platform, CARBON_PLAN=str(PLAN)), "secrets")
    assert any(target.startswith("externalsecret ") for _, target, _ in auto.plan["changes"])
    assert not any(target.startswith("vaultstaticsecret ") for _, target, _ in auto.plan["changes"])
    chosen = make_carbon(vso_platform, CARBON_PLAN=plan_with(
        tmp_path, "action: {kind: migrate_secrets, namespaces: [data-platform], delivery: vso}"))
    run = request(chosen, "secrets")
    assert any(target.startswith("vaultstaticsecret ") for _, target, _ in run.plan["changes"])
    click(chosen, "carbon.approve", run, "U0BOB")
    assert state(chosen, run) == "succeeded", thread(chosen, run)
    assert vso_platform.list("externalsecrets", "data-platform") == []
    assert unhealthy_pods(vso_platform) == []


CANARIES = {"superset-config": {"DATABASE_PASSWORD": "CANARY-5b2e-vso-superset", "SUPERSET_SECRET_KEY": "CANARY-9f01-vso-key"},
            "minio-config": {"MINIO_ROOT_PASSWORD": "CANARY-c3a7-vso-minio"}}


def test_canary_values_never_reach_slack_logs_the_store_or_the_operators_objects(
        make_carbon: Any, vso_platform: KubeEmulator, capfd: Any, tmp_path: Path) -> None:
    platform = vso_platform
    for name, data in CANARIES.items():
        cm = platform.get("configmaps", name, "data-platform")
        platform.add({**cm, "data": {**cm["data"], **data}})
    platform.reset_requests()
    bot = make_carbon(platform, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    assert secret_data(platform, "superset-config-vault")["DATABASE_PASSWORD"] == CANARIES["superset-config"]["DATABASE_PASSWORD"]
    operator_objects = json.dumps([platform.list(kind, "data-platform")
                                   for kind in ("vaultstaticsecrets", "vaultauths", "vaultconnections", "events")])
    assert click(bot, "carbon.rollback", run, "U0CAROL")
    assert state(bot, run) == "rolled_back"

    out, err = capfd.readouterr()
    slack = json.dumps([call.params for call in bot.slack.calls])
    to_operator = json.dumps([r.body for r in platform.requests if "secrets.hashicorp.com" in r.path], default=str)
    bot.services.store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("carbon.db*"))
    for value in (v for data in CANARIES.values() for v in data.values()):
        assert value not in slack and value not in out and value not in err
        assert value.encode() not in stored
        assert value not in operator_objects and value not in to_operator


@pytest.fixture(params=[("vso_platform", "vaultstaticsecrets"), ("migratable", "externalsecrets")],
                ids=["vso", "eso"])
def with_operator(request: pytest.FixtureRequest) -> tuple[KubeEmulator, str]:
    """The live platform with one secrets operator, and the plural of the object Carbon has it sync through."""
    fixture, plural = request.param
    return request.getfixturevalue(fixture), plural


def test_a_key_found_later_widens_the_synced_object_keeping_the_earlier_keys_and_rollback_narrows_it(
        with_operator: tuple[KubeEmulator, str], make_carbon: Any) -> None:
    """minio reads minio-config with envFrom. After the first migration a new credential key appears there: the second
    run moves it and widens the VaultStaticSecret (or the ExternalSecret) to every key at the Vault path, keeping the
    keys the first run moved (listing only the new one would drop them from the Secret minio reads), and its rollback
    puts the first run's object back."""
    platform, plural = with_operator
    bot = make_carbon(platform, CARBON_PLAN=str(PLAN))
    first = request(bot, "secrets")
    click(bot, "carbon.approve", first, "U0BOB")
    assert state(bot, first) == "succeeded", thread(bot, first)
    before = platform.get(plural, "minio-config-vault", "data-platform")["spec"]
    moved = dict(CREDENTIAL_CONFIGMAPS["minio-config"])
    moved.pop("MINIO_ROOT_USER")
    assert secret_data(platform, "minio-config-vault") == moved

    cm = platform.get("configmaps", "minio-config", "data-platform")
    platform.add({**cm, "data": {**cm["data"], "MINIO_SECRET_KEY": "later-minio-secret"}})
    second = request(bot, "secrets")
    assert ["update", f"{plural.removesuffix('s')} data-platform/minio-config-vault", ""] in second.plan["changes"]
    click(bot, "carbon.approve", second, "U0CAROL")
    assert state(bot, second) == "succeeded", thread(bot, second)
    assert secret_data(platform, "minio-config-vault") == {**moved, "MINIO_SECRET_KEY": "later-minio-secret"}
    assert "MINIO_SECRET_KEY" not in platform.get("configmaps", "minio-config", "data-platform")["data"]
    assert unhealthy_pods(platform) == []

    assert click(bot, "carbon.rollback", second, "U0BOB")
    assert state(bot, second) == "rolled_back", thread(bot, second)
    assert platform.get(plural, "minio-config-vault", "data-platform")["spec"] == before
    assert secret_data(platform, "minio-config-vault") == moved  # the first run's delivery is untouched
    assert platform.get("configmaps", "minio-config", "data-platform")["data"]["MINIO_SECRET_KEY"] == "later-minio-secret"
    assert unhealthy_pods(platform) == []
