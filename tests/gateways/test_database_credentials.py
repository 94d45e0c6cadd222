"""configure_database_credentials and vault_database_credentials against a real PostgreSQL and a real OpenBao.

The root credential sits in Vault KV where the secrets migration put it (copied from the application's ConfigMap);
the action hands the database to Vault, and the proofs are logins: what Vault issues logs in, stops working after
its TTL, and the root password the ConfigMap held no longer logs in once Vault rotated it.
"""

from __future__ import annotations

import time
from typing import Any

import hvac
import pytest

from bot import messages
from bot.actions.base import ActionContext
from bot.actions.database_credentials import CONFIGURE_DATABASE_CREDENTIALS as ACTION
from bot.actions.database_params import DatabaseCredentialsParams
from bot.checks.database_credentials import DatabaseCredentialsCheckParams, vault_database_credentials
from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable, UserError
from bot.local.demo.seed import deployment, namespace
from bot.local.emulator import KubeEmulator
from bot.snapshot.credentials import KV_MOUNT
from bot.snapshot.snapshot import Snapshot
from bot.store.store import utcnow
from bot.vault.gateway import VaultGateway
from tests.fixtures.postgres import AppDatabase

ROOT_PATH = "carbon/apps/app-config"


def params(**connection: Any) -> DatabaseCredentialsParams:
    conn = {"name": "appdb", "root": {"path": ROOT_PATH, "field": "DATABASE_URL"},
            "roles": [{"name": "app", "default_ttl": "1h", "max_ttl": "2h"}], **connection}
    return DatabaseCredentialsParams.model_validate({"connections": [conn]})


def migrated(vault_client: hvac.Client, db: AppDatabase, password: str | None = None) -> None:
    """What the secrets migration leaves: the application's connection string in Vault KV."""
    vault_client.secrets.kv.v2.create_or_update_secret(path=ROOT_PATH, mount_point=KV_MOUNT,
                                                       secret={"DATABASE_URL": db.url(password)})


def context(vault_client: hvac.Client, lines: list[str] | None = None, applied: frozenset[str] = frozenset()) -> ActionContext:
    sink = lines if lines is not None else []
    return ActionContext(None, VaultGateway(vault_client), sink.append, applied=applied)


def run(p: DatabaseCredentialsParams, vault_client: hvac.Client, lines: list[str] | None = None) -> Any:
    planned = ACTION.plan(p, context(vault_client))
    ctx = context(vault_client, lines)
    ACTION.apply(p, planned, ctx)
    assert ACTION.verify(p, planned, ctx) == []
    return planned, ctx


def test_the_database_is_handed_to_vault_proven_by_logins_and_a_second_run_plans_nothing(
        vault_client: hvac.Client, app_database: AppDatabase) -> None:
    db = app_database
    migrated(vault_client, db)
    p = params()
    planned = ACTION.plan(p, context(vault_client))
    assert [c.op for c in planned.changes] == ["enable", "configure", "write", "rotate"]  # rotation last
    assert planned.impact.irreversible == (messages.root_rotation_irreversible(
        db.owner, f"{db.host}:{db.port}/{db.name}", f"secret/{ROOT_PATH}#DATABASE_URL", []),)
    assert db.password not in str(planned.to_json())

    lines: list[str] = []
    _, ctx = run(p, vault_client, lines)
    assert ctx.done == [c.key for c in planned.changes]
    assert lines.count(messages.role_logged_in("app", f"{db.host}:{db.port}/{db.name}")) == 2  # before rotation, in verify
    assert not db.logs_in(db.owner, db.password)  # the password the ConfigMap held no longer works
    issued = VaultGateway(vault_client).issue_database_credential("database", "app")
    assert db.logs_in(issued.username, issued.password)
    assert 3500 <= issued.ttl_s <= 3600
    assert ACTION.plan(p, context(vault_client)).empty  # already rotated: the old password is refused, nothing to do


def test_an_issued_credential_stops_logging_in_after_its_ttl(vault_client: hvac.Client, app_database: AppDatabase) -> None:
    db = app_database
    migrated(vault_client, db)
    p = params(rotate_root=False, roles=[{"name": "app", "default_ttl": 2, "max_ttl": 3}])
    run(p, vault_client)
    issued = VaultGateway(vault_client).issue_database_credential("database", "app")
    assert db.logs_in(issued.username, issued.password)
    for _ in range(120):  # bounded poll: Vault revokes the lease at its TTL, and VALID UNTIL ends the login
        if not db.logs_in(issued.username, issued.password):
            break
        time.sleep(0.25)
    assert not db.logs_in(issued.username, issued.password)
    assert db.logs_in(db.owner, db.password)  # not rotated when the plan says so


def test_rollback_removes_what_the_run_created(vault_client: hvac.Client, app_database: AppDatabase) -> None:
    migrated(vault_client, app_database)
    p = params(rotate_root=False)
    planned, ctx = run(p, vault_client)
    ACTION.rollback(p, planned, context(vault_client, applied=frozenset(ctx.done)))
    assert "database/" not in vault_client.sys.list_mounted_secrets_engines()["data"]


def test_rollback_after_rotation_keeps_the_connection_that_holds_the_only_root_password(
        vault_client: hvac.Client, app_database: AppDatabase) -> None:
    migrated(vault_client, app_database)
    p = params()
    planned, ctx = run(p, vault_client)
    lines: list[str] = []
    ACTION.rollback(p, planned, context(vault_client, lines, applied=frozenset(ctx.done)))
    assert vault_client.list("database/roles") is None  # the role went
    assert vault_client.read("database/config/appdb") is not None  # the connection stayed, and so did the engine
    assert ":lock: " + messages.connection_kept("appdb") in lines and ":lock: " + messages.mount_kept("database") in lines


def test_a_role_added_later_updates_the_connection_without_resending_the_rotated_password(
        vault_client: hvac.Client, app_database: AppDatabase) -> None:
    migrated(vault_client, app_database)
    run(params(), vault_client)
    more = params(roles=[{"name": "app", "default_ttl": "1h", "max_ttl": "2h"},
                         {"name": "reporting", "default_ttl": 60, "max_ttl": 120}])
    planned = ACTION.plan(more, context(vault_client))
    assert [c.op for c in planned.changes] == ["configure", "write"]  # allowed_roles grows; no rotation again
    run(more, vault_client)  # verify logs in with both roles: the connection still holds the rotated password


def test_a_wrong_root_password_is_refused_in_the_plan_and_nothing_is_written(
        vault_client: hvac.Client, app_database: AppDatabase) -> None:
    migrated(vault_client, app_database, password="not-the-password")
    with pytest.raises(UserError) as refused:
        ACTION.plan(params(), context(vault_client))
    assert "does not log in" in str(refused.value) and "28P01" in str(refused.value)
    assert "not-the-password" not in str(refused.value)
    assert "database/" not in vault_client.sys.list_mounted_secrets_engines()["data"]


def test_a_root_credential_not_in_vault_names_the_task_that_moves_it(vault_client: hvac.Client) -> None:
    with pytest.raises(UserError) as refused:
        ACTION.plan(params(), context(vault_client))
    assert str(refused.value) == messages.root_credential_missing(f"secret/{ROOT_PATH}#DATABASE_URL")


def test_an_unreachable_database_is_said_without_the_connection_string(vault_client: hvac.Client) -> None:
    vault_client.secrets.kv.v2.create_or_update_secret(path=ROOT_PATH, mount_point=KV_MOUNT,
                                                       secret={"DATABASE_URL": "postgres://u:CANARY-unreach@127.0.0.1:9/x"})
    with pytest.raises(Unavailable) as failed:
        ACTION.plan(params(), context(vault_client))
    assert str(failed.value) == "PostgreSQL 127.0.0.1:9/x could not be reached from Carbon"


def test_a_malformed_connection_string_is_refused_without_showing_it(vault_client: hvac.Client) -> None:
    vault_client.secrets.kv.v2.create_or_update_secret(path=ROOT_PATH, mount_point=KV_MOUNT,
                                                       secret={"DATABASE_URL": "postgres://u:CANARY-bad@db:notaport/x"})
    with pytest.raises(UserError) as refused:
        ACTION.plan(params(), context(vault_client))
    assert str(refused.value) == messages.root_credential_incomplete("appdb", "port", f"secret/{ROOT_PATH}#DATABASE_URL")


def test_a_mount_of_another_kind_is_refused(vault_client: hvac.Client, app_database: AppDatabase) -> None:
    migrated(vault_client, app_database)
    vault_client.sys.enable_secrets_engine("kv", path="database")
    with pytest.raises(UserError, match="already a kv secrets engine"):
        ACTION.plan(params(), context(vault_client))


def measure(vault: VaultGateway, **p: Any) -> Any:
    return vault_database_credentials(DatabaseCredentialsCheckParams.model_validate({"roles": ["app"], **p}),
                                      Snapshot(None, vault, utcnow()))


def test_the_check_measures_roles_that_issue_credentials_and_is_unknown_when_vault_forbids(
        vault_client: hvac.Client, app_database: AppDatabase) -> None:
    vault = VaultGateway(vault_client)
    assert measure(vault).fraction == 0.0
    assert measure(vault).evidence == ("the database secrets engine is not enabled at database/",)
    migrated(vault_client, app_database)
    run(params(rotate_root=False), vault_client)
    done = measure(vault, roles=["app", "missing"])
    assert (done.fraction, done.evidence) == (0.5, ("database/roles/missing: missing",))
    leases = vault_client.list("sys/leases/lookup/database/creds/app")
    assert leases is None  # the check's credential was revoked at once

    token = vault_client.auth.token.create(policies=["default"], ttl="5m")["auth"]["client_token"]
    forbidden = hvac.Client(url=vault_client.url, token=token)
    with pytest.raises(Unavailable, match="Vault denied access to sys/mounts"):
        measure(VaultGateway(forbidden))


def reading_the_root(kube: KubeEmulator) -> ClusterGateway:
    """The application still logs in with the root credential: its Deployment reads the Secret synced from the
    Vault copy of its ConfigMap (what the secrets migration leaves)."""
    kube.add(namespace("apps"))
    app = deployment("apps", "app", "harbor.254carbon.com/apps/app:1", 1, 1)
    app["spec"]["template"]["spec"]["containers"][0]["envFrom"] = [{"secretRef": {"name": "app-config-vault"}}]
    kube.add(app)
    return ClusterGateway(kube.api_client())


@pytest.mark.parametrize("rotate_while_read", [False, True])
def test_a_root_that_workloads_still_log_in_with_is_not_rotated_unless_the_plan_says_they_do_not(
        rotate_while_read: bool, kube: KubeEmulator, vault_client: hvac.Client, app_database: AppDatabase) -> None:
    db = app_database
    migrated(vault_client, db)
    cluster = reading_the_root(kube)
    p = params(rotate_while_read=rotate_while_read)
    planned = ACTION.plan(p, ActionContext(cluster, VaultGateway(vault_client)))
    ctx = ActionContext(cluster, VaultGateway(vault_client))
    ACTION.apply(p, planned, ctx)
    assert ACTION.verify(p, planned, ctx) == []
    if rotate_while_read:
        assert [c.op for c in planned.changes][-1] == "rotate" and "deployment apps/app" in planned.impact.irreversible[0]
        assert not db.logs_in(db.owner, db.password)
    else:
        assert "rotate" not in [c.op for c in planned.changes] and not planned.impact.irreversible
        assert planned.impact.warnings == (messages.root_rotation_deferred(
            db.owner, f"{db.host}:{db.port}/{db.name}", ["deployment apps/app"], ["app"]),)
        assert db.logs_in(db.owner, db.password)  # the application keeps its login
        assert ACTION.plan(p, ActionContext(cluster, VaultGateway(vault_client))).empty  # until it stops reading it
