"""A bot killed mid-run, and canary values that must never leave the cluster and Vault."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import hvac
import pytest

from bot import messages
from bot.actions.migrate_secrets import MIGRATE_SECRETS
from bot.errors import Unavailable
from bot.local.emulator import KubeEmulator
from bot.render.blocks import escape
from bot.runs.model import RunState
from bot.runs.planning import action_context, compute_plan
from bot.runs.records import create_run, get_run, set_message, transition
from bot.snapshot.credentials import KV_MOUNT, vault_path
from jobs.execute_approved import execute_approved
from tests.fixtures.bot import CHANNEL
from tests.fixtures.kube import unhealthy_pods
from tests.fixtures.runs import PLAN, buttons, click, message, request, state, thread


def die_mid_migration(make_carbon: Any, platform: KubeEmulator) -> str:
    """A run whose bot stops after delivering and rolling the workloads, before removing any plaintext."""
    first = make_carbon(platform, CARBON_PLAN=str(PLAN))
    services = first.services
    planned = compute_plan(services.runs, "secrets", "migrate_secrets")
    run = create_run(services.store, task_id="secrets", action="migrate_secrets", requester="U0ALICE", required=1,
                     ttl_hours=24, plan_hash=planned.hash, plan=planned.to_json(), now=services.clock())
    assert services.chat is not None
    ts = services.chat.post(CHANNEL, [{"type": "section", "text": {"type": "mrkdwn", "text": "run"}}], "run")
    set_message(services.store, run.id, CHANNEL, ts)
    for frm, to in ((RunState.REQUESTED, RunState.APPROVED), (RunState.APPROVED, RunState.RUNNING)):
        assert transition(services.store, run.id, frm, to, actor="U0BOB", now=services.clock())
    live = get_run(services.store, run.id)
    assert live is not None
    # The bot "dies" in the middle: keys in Vault, delivered, workloads rolled; no plaintext removed yet. Each
    # applied step was recorded as it happened (the executor's own action context).
    platform.fail("configmaps", method="PATCH", status=500)
    with pytest.raises(Unavailable):
        MIGRATE_SECRETS.apply(services.plan.action_params["secrets"], planned,
                              action_context(services.runs, live, lambda text: None))
    platform.clear_failures()
    assert "superset-config-vault" in str(platform.get("deployments", "superset", "data-platform")["spec"])
    return run.id


def test_a_run_left_running_is_interrupted_at_next_start_and_can_be_rolled_back_then_run_again(
        make_carbon: Any, migratable: KubeEmulator, vault_client: hvac.Client) -> None:
    platform = migratable
    run_id = die_mid_migration(make_carbon, platform)
    versions = {name: version(vault_client, name) for name in ("superset-config", "minio-config", "datahub-config")}
    assert set(versions.values()) == {1}

    again = make_carbon(platform, CARBON_PLAN=str(PLAN))  # a fresh bot on the same database
    run = get_run(again.services.store, run_id)
    assert run is not None and run.state == RunState.INTERRUPTED
    assert any(escape(messages.interrupted()) in t for t in thread(again, run))
    assert ("carbon.rollback", run.id) in buttons(message(again, run))
    assert click(again, "carbon.rollback", run, "U0BOB")
    assert state(again, run) == "rolled_back", thread(again, run)
    assert ("carbon.rollback", run.id) not in buttons(message(again, run))
    assert "superset-config-vault" not in str(platform.get("deployments", "superset", "data-platform")["spec"])
    assert platform.get("externalsecrets", "superset-config-vault", "data-platform") is None
    assert unhealthy_pods(platform) == []

    retry = request(again, "secrets")
    assert not [c for c in retry.plan["changes"] if c[0] == "write"]  # already in Vault: not written twice
    click(again, "carbon.approve", retry, "U0BOB")
    assert state(again, retry) == "succeeded", thread(again, retry)
    assert {name: version(vault_client, name) for name in versions} == versions
    assert "DATABASE_PASSWORD" not in platform.get("configmaps", "superset-config", "data-platform")["data"]
    assert unhealthy_pods(platform) == []
    assert click(again, "carbon.rollback", retry, "U0CAROL")
    assert state(again, retry) == "rolled_back"
    assert "DATABASE_PASSWORD" in platform.get("configmaps", "superset-config", "data-platform")["data"]
    assert unhealthy_pods(platform) == []


def version(vault: hvac.Client, configmap: str) -> int:
    meta = vault.secrets.kv.v2.read_secret_metadata(path=vault_path("data-platform", configmap), mount_point=KV_MOUNT)
    return int(meta["data"]["current_version"])


CANARIES = {"superset-config": {"DATABASE_PASSWORD": "CANARY-7c1e-superset-db", "SUPERSET_SECRET_KEY": "CANARY-88aa-secret"},
            "minio-config": {"MINIO_ROOT_PASSWORD": "CANARY-41d0-minio-root"},
            "datahub-config": {"DATAHUB_URL": "postgres://datahub:CANARY-d00d-conn@db:5432/datahub"}}


@pytest.fixture
def canary_platform(migratable: KubeEmulator) -> KubeEmulator:
    platform = migratable
    for name, data in CANARIES.items():
        cm = platform.get("configmaps", name, "data-platform")
        platform.add({**cm, "data": {**cm["data"], **data}})
    return platform


def test_canary_values_never_reach_slack_logs_or_the_store(make_carbon: Any, canary_platform: KubeEmulator,
                                                           vault_client: hvac.Client, capfd: Any, tmp_path: Path) -> None:
    bot = make_carbon(canary_platform, CARBON_PLAN=str(PLAN))
    run = request(bot, "secrets")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    bot.slash("runs secrets", user="U0BOB")
    assert click(bot, "carbon.rollback", run, "U0CAROL")
    assert state(bot, run) == "rolled_back"
    cm = canary_platform.get("configmaps", "superset-config", "data-platform")
    assert cm["data"]["DATABASE_PASSWORD"] == CANARIES["superset-config"]["DATABASE_PASSWORD"]

    out, err = capfd.readouterr()
    slack = json.dumps([call.params for call in bot.slack.calls])
    bot.services.store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("carbon.db*"))
    values = [v for data in CANARIES.values() for v in data.values()] + ["CANARY-d00d-conn"]
    for value in values:
        assert value not in slack
        assert value not in out and value not in err
        assert value.encode() not in stored


def test_a_run_approved_but_never_started_is_executed_by_the_leader_once(make_carbon: Any, small: KubeEmulator) -> None:
    first = make_carbon(small, CARBON_PLAN=str(PLAN))
    run = request(first, "restore")
    assert transition(first.services.store, run.id, RunState.REQUESTED, RunState.APPROVED, actor="U0BOB",
                      now=first.services.clock())
    again = make_carbon(small, CARBON_PLAN=str(PLAN))
    assert state(again, run) == "approved"  # not interrupted: nothing of it ran, the plan is checked again first
    assert execute_approved(again.services) == [run.id]
    assert execute_approved(again.services) == []
    assert state(again, run) == "succeeded"
    actions = [e["action"] for e in again.services.store.audit_entries(run.id)]
    assert actions.count("run.running") == 1


def test_a_rollback_that_would_strand_a_consumer_is_refused(make_carbon: Any, migratable: KubeEmulator) -> None:
    """An interrupted run pointed the workloads at the delivered Secret; a later run removed the plaintext. Rolling
    the first back would point them at a ConfigMap without their keys: refused, nothing changes."""
    run_id = die_mid_migration(make_carbon, migratable)
    again = make_carbon(migratable, CARBON_PLAN=str(PLAN))
    retry = request(again, "secrets")
    click(again, "carbon.approve", retry, "U0BOB")
    assert state(again, retry) == "succeeded"
    spec_before = migratable.get("deployments", "superset", "data-platform")["spec"]
    run = get_run(again.services.store, run_id)
    assert run is not None
    answer = click(again, "carbon.rollback", run, "U0CAROL")
    assert state(again, run) == "interrupted"  # refused before anything changed: the run is where it was
    assert "deployment data-platform/datahub-frontend would read" in answer and "no longer holds them" in answer
    assert migratable.get("deployments", "superset", "data-platform")["spec"] == spec_before
    assert unhealthy_pods(migratable) == []
