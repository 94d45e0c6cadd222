"""Task history: one row per task per change (not per poll), at most one a minute, retention; and the
views built on it (change since the last digest in status, since-when in tasks)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import hvac

from bot import messages
from bot.local.demo.seed import seed_vault
from bot.progress import history
from bot.progress.marks import DigestMark, record_digest
from bot.render.status import change
from bot.render.text import render_text
from tests.fixtures.bot import Carbon

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(carbon: Carbon, when: datetime) -> Carbon:
    carbon.services.clock.now = lambda: when
    return carbon


def history_rows(carbon: Carbon, task_id: str | None = None) -> list[dict[str, Any]]:
    where, params = ("WHERE task_id = ?", (task_id,)) if task_id else ("", ())
    return carbon.services.store.query(f"SELECT task_id, at, state, fraction FROM task_history {where} ORDER BY id", params)


def shown(carbon: Carbon) -> str:
    params = carbon.last_answer()
    return render_text(params.get("blocks") or []) or str(params.get("text", ""))


def test_one_row_per_task_per_change_not_per_poll(carbon: Carbon, vault_client: hvac.Client) -> None:
    tasks = len(carbon.services.plan.tasks())
    for minutes in (0, 5, 10):
        at(carbon, T0 + timedelta(minutes=minutes)).services.meter.measure()
    assert len(history_rows(carbon)) == tasks
    seed_vault(vault_client)
    at(carbon, T0 + timedelta(minutes=15)).services.meter.measure()
    assert len(history_rows(carbon)) == tasks + 1
    assert [(r["state"], r["fraction"]) for r in history_rows(carbon, "secrets-migration")] == [
        ("failing", 0.0), ("partial", 0.25)]


def test_at_most_one_row_per_task_per_minute(carbon: Carbon, vault_client: hvac.Client) -> None:
    at(carbon, T0).services.meter.measure()
    seed_vault(vault_client)
    at(carbon, T0 + timedelta(seconds=30)).services.meter.measure()
    rows = history_rows(carbon, "secrets-migration")
    assert [(r["at"], r["state"]) for r in rows] == [(T0.isoformat(), "partial")]


def test_retention_prunes_old_rows_but_keeps_each_tasks_latest(make_carbon: Any, platform: Any,
                                                               vault_client: hvac.Client) -> None:
    carbon = make_carbon(platform, CARBON_HISTORY_DAYS="30")
    at(carbon, T0).services.meter.measure()
    seed_vault(vault_client)
    at(carbon, T0 + timedelta(days=10)).services.meter.measure()
    vault_client.secrets.kv.v2.delete_metadata_and_all_versions(path="carbon/data-platform/portal-config",
                                                                mount_point="secret")
    at(carbon, T0 + timedelta(days=40)).services.meter.measure()
    secrets_rows = history_rows(carbon, "secrets-migration")
    assert [r["fraction"] for r in secrets_rows] == [0.25, round(2 / 11, 4)]  # the portal key is gone from both
    assert len(history_rows(carbon, "harbor-registry")) == 1  # unchanged for 40 days: its one row stays


def test_status_shows_the_change_since_the_last_digest(carbon: Carbon, vault_client: hvac.Client) -> None:
    seed_vault(vault_client)
    view = at(carbon, T0).services.meter.measure()
    phases = {p.phase.id: p.fraction for p in view.phases}
    record_digest(carbon.services.store, DigestMark(T0 - timedelta(days=1), "C0CARBON", "1.0",
                                                    {**phases, "p2": phases["p2"] - 0.25, "p1": phases["p1"] + 0.1}, {}))
    carbon.slash("status")
    text = shown(carbon)
    p1_line = next(line for line in text.splitlines() if "%" in line and text.index(line) > text.index("P1"))
    assert "▼ −10%" in p1_line
    assert "▲ +25%" in text
    assert messages.change_since_digest("2026-11-26 09:00") in text


def test_without_a_digest_status_compares_with_the_last_24h(carbon: Carbon, vault_client: hvac.Client) -> None:
    before = at(carbon, T0).services.meter.measure().phase("p2").fraction
    seed_vault(vault_client)
    at(carbon, T0 + timedelta(hours=2)).slash("status")
    after = carbon.services.meter.measure().phase("p2").fraction
    text = shown(carbon)
    assert change(after - before) and change(after - before) in text
    assert messages.change_last_day() in text


def test_tasks_show_the_date_each_entered_its_state(carbon: Carbon, vault_client: hvac.Client) -> None:
    at(carbon, T0).slash("tasks p2")
    seed_vault(vault_client)
    at(carbon, T0 + timedelta(days=3)).slash("tasks p2")
    lines = shown(carbon).splitlines()
    assert "partial since 2026-11-30" in next(line for line in lines if " secrets-migration " in line)
    assert "partial since 2026-11-27" in next(line for line in lines if " tls-certificates " in line)
    assert history.last_state_changes(carbon.services.store, ["secrets-migration"]) == {
        "secrets-migration": T0 + timedelta(days=3)}
