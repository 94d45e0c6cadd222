"""Slack refusing a call never leaves a run hidden or a change unrecorded."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.local.emulator import KubeEmulator
from bot.runs.records import list_runs
from tests.fixtures.runs import PLAN, click, request, state


def test_an_approval_request_slack_refuses_ends_the_run_and_says_so(make_carbon: Any, small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN))
    carbon.slack.fail("chat.postMessage", error="not_in_channel")
    carbon.slash("run restore")
    [run] = list_runs(carbon.services.store, "restore")
    assert carbon.last_answer()["text"] == messages.approval_not_posted(run.id, "C0CARBON", "not_in_channel")
    assert run.state == "expired"
    entry = carbon.services.store.audit_entries(run.id)[0]
    assert entry["detail"]["slack_error"] == "not_in_channel"
    assert small.get("deployments", "web", "apps")["spec"]["replicas"] == 0


def test_a_message_update_slack_refuses_is_in_the_audit_log(make_carbon: Any, small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN))
    run = request(carbon, "restore")
    carbon.slack.fail("chat.update", error="message_not_found", times=None)
    click(carbon, "carbon.approve", run, "U0BOB")
    assert state(carbon, run) == "succeeded"  # the run went on; Slack is the view
    failed = [e["detail"] for e in carbon.services.store.audit_entries(run.id) if e["action"] == "run.slack_failed"]
    assert failed and all(d == {"method": "chat.update", "error": "message_not_found"} for d in failed)
