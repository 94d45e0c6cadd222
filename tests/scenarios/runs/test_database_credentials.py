"""configure_database_credentials through the whole bot (signed requests, approvals, the fake Slack, the store) against
a real PostgreSQL and OpenBao, with canaries: no root or issued password reaches Slack, the store, logs or errors.

Vault generates every password from a test password policy over the letters `Z` and `q` (24 of them), so any
password Vault issued or rotated, whichever it was, is found by `[Zq]{24}` wherever it might leak.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

import hvac
import pytest

from bot import messages
from bot.plan.loader import PlanError
from bot.render.blocks import escape
from bot.snapshot.credentials import KV_MOUNT
from bot.vault.gateway import VaultGateway
from tests.fixtures.postgres import AppDatabase
from tests.fixtures.runs import click, request, state, thread

GENERATED = re.compile(r"[Zq]{24}")
ROOT_PATH = "carbon/apps/app-config"

PLAN = """
name: test
phases:
  - id: p2
    title: Security
    tasks:
      - id: db-creds
        title: Short-lived database credentials from Vault
        weight: 1
        check: {{kind: vault_database_credentials, roles: [app]}}
        action:
          kind: configure_database_credentials
          connections:
            - name: appdb
              password_policy: canary
              root: {{path: {path}, field: DATABASE_URL}}
              roles:
                - name: app
                  default_ttl: 10m
                  max_ttl: 1h
{statements}
"""


def plan_file(tmp_path: Path, statements: list[str] | None = None) -> str:
    extra = ("                  creation_statements: " + json.dumps(statements)) if statements else ""
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN.format(path=ROOT_PATH, statements=extra))
    return str(path)


@pytest.fixture
def database(vault_client: hvac.Client, app_database: AppDatabase) -> AppDatabase:
    vault_client.write_data("sys/policies/password/canary",
                            data={"policy": 'length = 24\nrule "charset" {\n  charset = "Zq"\n}\n'})
    vault_client.secrets.kv.v2.create_or_update_secret(path=ROOT_PATH, mount_point=KV_MOUNT,
                                                       secret={"DATABASE_URL": app_database.url()})
    return app_database


def leaked(bot: Any, tmp_path: Path, capfd: Any, caplog: Any, canary: str) -> list[str]:
    out, err = capfd.readouterr()
    bot.services.store.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("carbon.db*")).decode("utf-8", errors="replace")
    places = {"slack": json.dumps([call.params for call in bot.slack.calls]), "stdout": out, "stderr": err,
              "logs": caplog.text, "store": stored}
    return [where for where, text in places.items() if canary in text or GENERATED.search(text)]


def test_a_run_hands_the_database_to_vault_and_no_password_leaves_memory(
        make_carbon: Any, database: AppDatabase, vault_client: hvac.Client, tmp_path: Path, capfd: Any,
        caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    bot = make_carbon(None, CARBON_PLAN=plan_file(tmp_path))
    bot.slash("status p2")
    assert "database/: not enabled" in str(bot.last_answer())
    run = request(bot, "db-creds")
    assert [c[0] for c in run.plan["changes"]] == ["enable", "configure", "write", "rotate"]
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "succeeded", thread(bot, run)
    said = "\n".join(thread(bot, run))
    address = f"{database.host}:{database.port}/{database.name}"
    assert escape(messages.role_logged_in("app", address)) in said
    assert escape(messages.root_no_longer_logs_in(database.owner, address, f"secret/{ROOT_PATH}#DATABASE_URL")) in said
    bot.slash("status p2")
    assert "1/1 database roles issue credentials" in str(bot.last_answer())
    bot.slash("run db-creds")
    assert bot.last_answer()["text"] == messages.nothing_to_change("db-creds")

    issued = VaultGateway(vault_client).issue_database_credential("database", "app")
    assert GENERATED.fullmatch(issued.password) and database.logs_in(issued.username, issued.password)  # a live canary
    VaultGateway(vault_client).revoke_lease(issued.lease_id)

    assert click(bot, "carbon.rollback", run, "U0CAROL")
    assert state(bot, run) == "rolled_back", thread(bot, run)
    assert vault_client.read("database/roles/app") is None
    assert vault_client.read("database/config/appdb") is not None  # holds the rotated root: kept, and said
    assert escape(messages.connection_kept("appdb")) in "\n".join(thread(bot, run))
    assert leaked(bot, tmp_path, capfd, caplog, database.password) == []


def test_a_role_whose_credentials_cannot_be_issued_fails_before_rotation_and_rolls_back(
        make_carbon: Any, database: AppDatabase, vault_client: hvac.Client, tmp_path: Path, capfd: Any,
        caplog: Any) -> None:
    caplog.set_level(logging.DEBUG)
    broken = ["CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
              'GRANT no_such_role TO "{{name}}";']
    bot = make_carbon(None, CARBON_PLAN=plan_file(tmp_path, broken))
    run = request(bot, "db-creds")
    click(bot, "carbon.approve", run, "U0BOB")
    assert state(bot, run) == "rolled_back", thread(bot, run)
    said = "\n".join(thread(bot, run))
    assert ('Vault could not issue a credential from database/creds/app: failed to execute query: ERROR: role '
            '"no_such_role" does not exist (SQLSTATE 42704)') in said
    assert "database/" not in vault_client.sys.list_mounted_secrets_engines()["data"]  # all undone, engine too
    assert database.logs_in(database.owner, database.password)  # the root was never rotated
    assert leaked(bot, tmp_path, capfd, caplog, database.password) == []


def test_bad_parameters_are_refused_when_the_plan_loads(make_carbon: Any, tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(plan_file(tmp_path) and (tmp_path / "plan.yaml").read_text()
                    .replace("default_ttl: 10m", "default_ttl: 2h").replace("name: appdb", "name: app/db"))
    with pytest.raises(PlanError) as refused:
        make_carbon(None, CARBON_PLAN=str(path))
    text = str(refused.value)
    assert "default_ttl (7200s) is longer than max_ttl (3600s)" in text
    assert "phases[0].tasks[0].action.connections[0].name" in text
