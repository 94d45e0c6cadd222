"""/carbon attest: who may, which tasks, undo, expiry; shown as attested, never as measured; audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot import messages
from bot.checks import State
from bot.local.emulator import KubeEmulator
from tests.fixtures.bot import Carbon
from tests.fixtures.clock import FakeClock

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def at(carbon: Carbon, when: datetime) -> Carbon:
    carbon.services.clock.now = lambda: when
    return carbon


def rows(carbon: Carbon) -> list[dict[str, Any]]:
    return carbon.services.store.query("SELECT * FROM attestations")


def test_attest_records_who_when_and_note_and_shows_attested(carbon: Carbon) -> None:
    at(carbon, NOW).slash("attest dr-runbook walked through with the on-call team", user="U0ALICE")
    answer = carbon.last_answer()
    assert answer["text"] == messages.attested("dr-runbook", "U0ALICE", "2027-02-25")
    assert answer["response_type"] == "in_channel"
    assert rows(carbon) == [{"task_id": "dr-runbook", "user_id": "U0ALICE", "at": NOW.isoformat(),
                             "note": "walked through with the on-call team"}]
    result = carbon.services.meter.measure().task("dr-runbook").result
    assert (result.state, result.fraction) == (State.ATTESTED, 1.0)
    assert result.summary == "attested by <@U0ALICE> on 2026-11-27: walked through with the on-call team"
    audit = carbon.services.store.audit_entries("dr-runbook")
    assert [(e["actor"], e["action"]) for e in audit] == [("U0ALICE", "attest")]


def test_attestation_expires_after_the_plans_ttl(carbon: Carbon) -> None:
    at(carbon, NOW).slash("attest dr-runbook")
    assert at(carbon, NOW + timedelta(days=89)).services.meter.measure().task("dr-runbook").result.state == State.ATTESTED
    assert at(carbon, NOW + timedelta(days=91)).services.meter.measure().task("dr-runbook").result.state == State.PENDING


def test_undo_withdraws_and_a_second_undo_changes_nothing(carbon: Carbon) -> None:
    at(carbon, NOW).slash("attest dr-runbook")
    carbon.slash("attest dr-runbook --undo", user="U0BOB")
    assert carbon.last_answer()["text"] == messages.attestation_withdrawn("dr-runbook", "U0BOB")
    assert rows(carbon) == []
    assert carbon.services.meter.measure().task("dr-runbook").result.state == State.PENDING
    carbon.slash("attest dr-runbook --undo", user="U0BOB")
    answer = carbon.last_answer()
    assert (answer["text"], answer["response_type"]) == (messages.nothing_to_withdraw("dr-runbook"), "ephemeral")
    actions = [e["action"] for e in carbon.services.store.audit_entries("dr-runbook")]
    assert actions == ["attest_undo", "attest"]


def test_a_measured_task_cannot_be_attested(carbon: Carbon) -> None:
    response = carbon.slash("attest secrets-migration all done")
    assert json.loads(response.body) == {"text": messages.not_manual("secrets-migration", "secrets_in_vault"),
                                         "response_type": "ephemeral"}
    assert rows(carbon) == [] and carbon.answers() == []


def test_an_unknown_task_gets_the_close_match(carbon: Carbon) -> None:
    response = carbon.slash("attest dr-runbok")
    assert json.loads(response.body)["text"] == messages.unknown_task("dr-runbok", ["dr-runbook"])
    response = carbon.slash("attest")
    assert "Which task?" in json.loads(response.body)["text"]
    response = carbon.slash("attest dr-runbook --undo please")
    assert "takes no note" in json.loads(response.body)["text"]
    assert rows(carbon) == []


def test_only_requesters_may_attest(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform, CARBON_REQUESTERS="U0BOB,S0OPS")
    carbon.slack.usergroups["S0OPS"] = ["U0CAROL"]
    carbon.slash("attest dr-runbook", user="U0MALLORY")
    answer = carbon.last_answer()
    assert (answer["text"], answer["response_type"]) == (messages.not_allowed_to_attest("U0MALLORY"), "ephemeral")
    assert rows(carbon) == []
    carbon.slash("attest dr-runbook", user="U0CAROL")
    assert [r["user_id"] for r in rows(carbon)] == ["U0CAROL"]
    carbon.slash("attest dr-runbook", user="U0BOB")
    assert [r["user_id"] for r in rows(carbon)] == ["U0BOB"]


def test_attest_is_rate_limited_per_user(carbon: Carbon) -> None:
    from bot.services.pace import LIMITS

    clock = FakeClock(NOW)
    carbon.services.clock.now = clock
    limit = LIMITS["attest"]
    for _ in range(limit.count):
        carbon.slash("attest dr-runbook")
    carbon.slash("attest dr-runbook --undo")
    assert carbon.last_answer()["text"] == messages.slow_down("attest", limit.count, limit.window_s, limit.window_s)
    assert len(rows(carbon)) == 1
    assert [e["action"] for e in carbon.services.store.audit_entries()].count("attest") == limit.count
