"""The bundled plan's actions dry-run cleanly against the demo platform (the live one, with its secrets operator and
Vault's Kubernetes auth) and change nothing while planning."""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from bot import messages
from bot.errors import UserError
from bot.local.demo.platform import point_lakefs_at
from bot.local.demo.seed import seed_vault
from bot.runs.planning import compute_plan
from tests.fixtures.postgres import AppDatabase


def test_every_bundled_action_plans_against_the_demo_platform(make_carbon: Any, migratable: Any,
                                                             vault_client: hvac.Client, app_database: AppDatabase) -> None:
    seed_vault(vault_client)
    point_lakefs_at(vault_client, app_database.url())  # as the demo does with its own PostgreSQL
    carbon = make_carbon(migratable)
    before = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"], o["metadata"]["resourceVersion"])
              for plural in ("deployments", "configmaps", "serviceaccounts", "networkpolicies", "schedules", "backups")
              for o in migratable.list(plural)}
    platform_before = {t.id: t.action.kind for t in carbon.services.plan.tasks() if t.action}
    assert platform_before == {
        "restore-services": "scale_deployments", "secrets-migration": "migrate_secrets",
        "network-policies": "apply_network_policies", "rbac-least-privilege": "apply_rbac",
        "vault-kubernetes-auth": "configure_vault_kubernetes_auth",
        "vault-database-credentials": "configure_database_credentials",
        "critical-replicas": "apply_disruption_budgets",
        "velero-schedules": "configure_backups", "restore-tested": "restore_drill",
    }
    assert carbon.services.plan.task("secrets-migration").approval.required == 2
    desk = carbon.services.runs
    counts = {task_id: len(compute_plan(desk, task_id, kind).changes) for task_id, kind in platform_before.items()
              if task_id != "restore-tested"}
    assert counts["velero-schedules"] == 2  # the schedule and one backup from it
    with pytest.raises(UserError) as no_backup:  # a drill needs a backup: recent-backup (after velero-schedules)
        compute_plan(desk, "restore-tested", "restore_drill")
    assert str(no_backup.value) == messages.no_completed_backup("velero", "platform-daily", ["data-platform"])
    assert counts["restore-services"] == 6
    # engine, connection, role; the root is not rotated while lakeFS still logs in with it (it would lose its login)
    assert counts["vault-database-credentials"] == 3
    database = compute_plan(desk, "vault-database-credentials", "configure_database_credentials")
    assert not [c for c in database.changes if c.op == "rotate"] and not database.impact.irreversible
    assert "is not rotated: deployment data-platform/lakefs still read it" in database.impact.warnings[0]
    assert counts["critical-replicas"] == 3 + 3  # a second replica and a budget for each of the three services
    assert counts["rbac-least-privilege"] >= 13  # a ServiceAccount and a patch per workload
    # default-deny for 5 namespaces less registry (seeded with one), 8 allow rules; no egress isolation
    assert counts["network-policies"] == (5 - 1) + 8
    secrets = compute_plan(carbon.services.runs, "secrets-migration", "migrate_secrets")
    assert sum(c.op == "remove-key" for c in secrets.changes) == 9  # 12 credential keys, 3 already in Vault
    assert compute_plan(carbon.services.runs, "secrets-migration", "migrate_secrets").hash == secrets.hash
    assert {c.target for c in secrets.changes if c.op == "patch"} >= {"deployment data-platform/superset",
                                                                      "deployment data-platform/trino-coordinator"}
    after = {(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"], o["metadata"]["resourceVersion"])
             for plural in ("deployments", "configmaps", "serviceaccounts", "networkpolicies", "schedules", "backups")
             for o in migratable.list(plural)}
    assert after == before  # planning is a dry run
