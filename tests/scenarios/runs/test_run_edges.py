"""Edges of the run flow: free-text reasons, the team's time zone, a plan that changed, a Lease won back."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.local.emulator import KubeEmulator
from bot.runs.lifecycle import recover_interrupted
from bot.runs.model import RunState
from bot.runs.planning import compute_plan
from bot.runs.records import create_run, get_run, transition
from jobs.execute_approved import execute_approved
from tests.fixtures.runs import PLAN, message, request, state


def test_a_reason_with_an_apostrophe_is_taken_as_written(make_carbon: Any, small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN))
    run = request(carbon, "restore")
    carbon.slash(f"reject {run.id} don't scale before the freeze ends", user="U0BOB")
    assert state(carbon, run) == "rejected"
    assert "don't scale before the freeze ends" in str(message(carbon, run)["blocks"])


def test_run_times_are_shown_in_the_teams_time_zone(make_carbon: Any, small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN), CARBON_TIMEZONE="Europe/Berlin")
    run = request(carbon, "restore")
    shown = str(message(carbon, run)["blocks"])
    expires = run.expires_at.astimezone(carbon.services.settings.zone)
    assert f"expires {expires:%Y-%m-%d %H:%M} {expires:%Z}" in shown and "UTC" not in shown


def test_an_approved_run_whose_task_left_the_plan_fails_and_does_not_block_others(make_carbon: Any,
                                                                                  small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN))
    services = carbon.services
    planned = compute_plan(services.runs, "restore", "scale_deployments")
    orphan = create_run(services.store, task_id="gone", action="scale_deployments", requester="U0ALICE", required=1,
                        ttl_hours=1, plan_hash=planned.hash, plan=planned.to_json(), now=services.clock())
    assert transition(services.store, orphan.id, RunState.REQUESTED, RunState.APPROVED, actor="U0BOB", now=services.clock())
    good = request(carbon, "restore")
    assert transition(services.store, good.id, RunState.REQUESTED, RunState.APPROVED, actor="U0BOB", now=services.clock())
    assert sorted(execute_approved(services)) == sorted([orphan.id, good.id])
    gone = get_run(services.store, orphan.id)
    assert gone is not None and gone.state == "failed" and messages.task_left_the_plan("gone") in gone.outcome["reason"]
    assert state(carbon, good) == "succeeded"


def test_winning_the_lease_back_does_not_interrupt_a_run_this_process_is_executing(make_carbon: Any,
                                                                                    small: KubeEmulator) -> None:
    carbon = make_carbon(small, CARBON_PLAN=str(PLAN))
    services = carbon.services
    run = request(carbon, "restore")
    for frm, to in ((RunState.REQUESTED, RunState.APPROVED), (RunState.APPROVED, RunState.RUNNING)):
        assert transition(services.store, run.id, frm, to, actor="U0BOB", now=services.clock())
    services.runs.executing.add(run.id)
    assert recover_interrupted(services.runs) == []
    assert state(carbon, run) == "running"
    services.runs.executing.discard(run.id)
    assert recover_interrupted(services.runs) == [run.id]
