"""Operators' view: one JSON log line per request with its id, user, subcommand and outcome; metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import hvac
import pytest

from bot.alerts import lifecycle as alerts
from bot.app import logs
from bot.local.demo.seed import seed_vault
from bot.local.emulator import KubeEmulator
from bot.render.risks import ACK, SNOOZE
from bot.snapshot.credentials import KV_MOUNT
from jobs.risk_scan import risk_scan_job
from tests.fixtures.bot import Carbon
from tests.fixtures.runs import click, request, state
from tests.scenarios.test_home import home_opened


@pytest.fixture
def json_logs() -> Iterator[None]:
    logs.configure(json_logs=True)
    yield
    logs.configure(json_logs=False)


def log_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_id_user_subcommand_outcome(
        carbon: Carbon, json_logs: None, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    carbon.slash("status", user="U0ALICE")
    carbon.slash("stauts", user="U0BOB")
    lines = [line for line in log_lines(capsys.readouterr().err) if line.get("event") == "slash_command"]
    assert [(x["user"], x["subcommand"], x["outcome"]) for x in lines] == [
        ("U0ALICE", "status", "ok"), ("U0BOB", "unknown", "refused"),
    ]
    assert all(len(str(x["request_id"])) == 10 and x["level"] == "info" and "timestamp" in x for x in lines)


def test_commands_are_counted_by_subcommand_and_outcome(carbon: Carbon) -> None:
    carbon.slash("status")
    carbon.slash("status p9")
    carbon.slash("help")
    exposition = carbon.services.metrics.exposition().decode()
    assert 'carbon_commands_total{outcome="ok",subcommand="status"} 1.0' in exposition
    assert 'carbon_commands_total{outcome="refused",subcommand="status"} 1.0' in exposition
    assert 'carbon_commands_total{outcome="ok",subcommand="help"} 1.0' in exposition


CANARIES = {"superset-config": {"DATABASE_PASSWORD": "CANARY-51a2-superset-db"},
            "minio-config": {"MINIO_ROOT_PASSWORD": "CANARY-62b3-minio-root"}}
VAULT_CANARY = "CANARY-73c4-vault-only"


def test_buttons_and_app_home_log_one_line_each_and_no_secret_value_is_logged(
        make_carbon: Any, migratable: KubeEmulator, vault_client: hvac.Client, json_logs: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    """A full migration (request, two approvals, rollback), a risk scan and its buttons, App Home: JSON logs only."""
    platform = migratable
    seed_vault(vault_client)
    vault_client.secrets.kv.v2.create_or_update_secret(path="carbon/canary", secret={"TOKEN": VAULT_CANARY},
                                                       mount_point=KV_MOUNT)
    for name, data in CANARIES.items():
        cm = platform.get("configmaps", name, "data-platform")
        platform.add({**cm, "data": {**cm["data"], **data}})
    carbon = make_carbon(platform)
    capsys.readouterr()

    run = request(carbon, "secrets-migration")
    click(carbon, "carbon.approve", run, "U0BOB")
    click(carbon, "carbon.approve", run, "U0BOB")  # a second click by the same approver is refused
    click(carbon, "carbon.approve", run, "U0CAROL")
    assert state(carbon, run) == "succeeded"
    click(carbon, "carbon.rollback", run, "U0BOB")
    assert state(carbon, run) == "rolled_back"
    risk_scan_job(carbon.services, carbon.services.clock())
    alert = alerts.alerts(carbon.services.store)[0]
    carbon.click(ACK, alert.fingerprint, "U0DAVE", message_ts=alert.ts)
    carbon.click(SNOOZE, alert.fingerprint, "U0DAVE", message_ts=alert.ts)
    home_opened(carbon, "U0ALICE")

    err = capsys.readouterr().err
    lines = log_lines(err)
    clicks = [(x["user"], x["subcommand"], x["outcome"]) for x in lines if x.get("event") == "button_click"]
    assert clicks == [("U0BOB", "carbon.approve", "ok"), ("U0BOB", "carbon.approve", "refused"),
                      ("U0CAROL", "carbon.approve", "ok"), ("U0BOB", "carbon.rollback", "ok"),
                      ("U0DAVE", ACK, "ok"), ("U0DAVE", SNOOZE, "ok")]
    homes = [x for x in lines if x.get("event") == "app_home_opened"]
    assert [(x["user"], x["subcommand"], x["outcome"]) for x in homes] == [("U0ALICE", "home", "ok")]
    assert all(len(str(x["request_id"])) == 10 for x in lines if "request_id" in x)
    assert all(line.startswith("{") for line in err.splitlines() if line.strip()), "every log line is JSON"
    for value in [v for data in CANARIES.values() for v in data.values()] + [VAULT_CANARY, "demo-superset-db-pass"]:
        assert value not in err
