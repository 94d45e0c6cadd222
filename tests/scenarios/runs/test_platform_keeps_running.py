"""Every action the bundled plan offers, in any order, on a platform that behaves like 254Carbon's: no workload
broken, no credential lost. A rollout that fails is rolled back with the reason in the thread; without a secrets
operator the migration copies to Vault and removes nothing, saying why."""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from bot import messages
from bot.cluster.gateway import ClusterGateway
from bot.local.demo.seed import CREDENTIAL_CONFIGMAPS, MIGRATED, PULL_SECRET, seed_vault
from bot.local.emulator import KubeEmulator
from bot.runs.records import list_runs
from bot.services.pace import Pace
from bot.snapshot.credentials import KV_MOUNT, vault_path
from tests.fixtures.bot import Carbon
from tests.fixtures.kube import unhealthy_pods
from tests.fixtures.runs import PLAN, click, request, state, thread

ACTIONS = ("restore-services", "secrets-migration", "network-policies", "rbac-least-privilege", "vault-kubernetes-auth",
           "critical-replicas", "velero-schedules", "restore-tested")
# restore-tested needs recent-backup, which velero-schedules makes done: the drill always comes after it
ORDERS = [ACTIONS, ("velero-schedules", *reversed(ACTIONS[:-2]), "restore-tested"),
          ("rbac-least-privilege", "critical-replicas", "velero-schedules", "secrets-migration", "restore-services",
           "restore-tested", "vault-kubernetes-auth", "network-policies")]


def vault_data(vault: hvac.Client, configmap: str) -> dict[str, str]:
    try:
        answer = vault.secrets.kv.v2.read_secret_version(path=vault_path("data-platform", configmap), mount_point=KV_MOUNT,
                                                         raise_on_deleted_version=True)
    except hvac.exceptions.InvalidPath:
        return {}
    return dict(answer["data"]["data"])


def no_credential_lost(platform: KubeEmulator, vault: hvac.Client) -> None:
    """Every credential is in its ConfigMap or in Vault, with its value; the already-migrated ones stay in Vault."""
    for name, data in CREDENTIAL_CONFIGMAPS.items():
        live, stored = platform.get("configmaps", name, "data-platform")["data"], vault_data(vault, name)
        for key, value in data.items():
            assert live.get(key) == value or stored.get(key) == value, f"{name}#{key} lost"
    for name, data in MIGRATED.items():
        assert vault_data(vault, name) == data


def run_task(carbon: Carbon, task_id: str) -> None:
    """Request and approve; a task already done answers that nothing is to change."""
    carbon.slash(f"run {task_id}")
    if carbon.last_answer().get("text") == messages.nothing_to_change(task_id):
        return
    found = list_runs(carbon.services.store, task_id, limit=1)[0]
    for approver in ("U0BOB", "U0CAROL")[:carbon.services.plan.task(task_id).approval.required]:  # type: ignore[union-attr]
        click(carbon, "carbon.approve", found, approver)
    assert state(carbon, found) == "succeeded", (task_id, thread(carbon, found)[-3:])


@pytest.mark.parametrize("order", ORDERS, ids=["plan-order", "reversed", "mixed"])
def test_every_bundled_action_in_any_order_leaves_every_workload_running(
        make_carbon: Any, migratable: KubeEmulator, vault_client: hvac.Client, order: tuple[str, ...]) -> None:
    seed_vault(vault_client)
    carbon = make_carbon(migratable)
    carbon.services.pace = Pace(limits={})  # this test requests many runs as one person
    for task_id in order:
        run_task(carbon, task_id)
        assert unhealthy_pods(migratable) == [], task_id
        no_credential_lost(migratable, vault_client)
    view = carbon.services.meter.measure()
    results = {task_id: view.task(task_id).result for task_id in ACTIONS}  # type: ignore[union-attr]
    assert {t: r.state.value for t, r in results.items() if t != "rbac-least-privilege"} == dict.fromkeys(
        set(ACTIONS) - {"rbac-least-privilege"}, "done")
    # apply_rbac gives every workload its own ServiceAccount; the cluster-admin binding is a person's call
    rbac = results["rbac-least-privilege"]
    assert rbac.summary == "14/15 RBAC requirements met" and "cluster-admin" in " ".join(rbac.evidence)


def test_a_rollout_that_fails_is_rolled_back_with_the_reason_in_the_thread(make_carbon: Any,
                                                                         live_platform: KubeEmulator) -> None:
    """Harbor's pull secret is gone: the new ServiceAccounts' pods cannot pull, so the run puts every workload back."""
    carbon = make_carbon(live_platform)
    assert live_platform.get("secrets", PULL_SECRET, "data-platform") is not None
    ClusterGateway(live_platform.api_client()).delete("secrets", PULL_SECRET, "data-platform")
    run = request(carbon, "rbac-least-privilege")
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "rolled_back"
    said = "\n".join(thread(carbon, run))
    assert "ImagePullBackOff" in said and messages.rolled_back_automatically() in said
    for deployment in live_platform.list("deployments", "data-platform"):
        assert deployment["spec"]["template"]["spec"].get("serviceAccountName", "default") in ("default", "lakefs",
                                                                                               "portal")
    assert unhealthy_pods(live_platform) == []


def test_without_a_secrets_operator_the_migration_copies_and_removes_nothing(make_carbon: Any, live_platform: KubeEmulator,
                                                                           vault_client: hvac.Client) -> None:
    carbon = make_carbon(live_platform, CARBON_PLAN=str(PLAN))
    run = request(carbon, "secrets")
    assert not [c for c in run.plan["changes"] if c[0] in ("remove-key", "patch")]
    warnings = run.plan["impact"]["warnings"]
    assert warnings[0] == messages.no_secrets_operator()
    assert messages.no_delivery("deployment data-platform/superset", "env SUPERSET_DATABASE_PASSWORD",
                                "DATABASE_PASSWORD") in warnings
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "succeeded", thread(carbon, run)
    for name, data in CREDENTIAL_CONFIGMAPS.items():
        assert live_platform.get("configmaps", name, "data-platform")["data"] == data  # nothing removed
    assert vault_data(vault_client, "superset-config")["DATABASE_PASSWORD"] == "demo-superset-db-pass"
    assert unhealthy_pods(live_platform) == []
