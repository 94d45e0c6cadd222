"""Only the Lease holder executes: an approval on a replica that is not leading queues the run for the leader."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.local.emulator import KubeEmulator
from jobs.execute_approved import execute_approved
from tests.fixtures.runs import PLAN, click, request, state


class Standby:
    """What a replica that lost (or never won) the Lease answers."""

    def leading(self) -> bool:
        return False


def test_an_approval_on_a_standby_replica_waits_for_the_leader(make_carbon: Any, small: KubeEmulator) -> None:
    standby = make_carbon(small, CARBON_PLAN=str(PLAN))
    standby.services.runs.leadership = Standby()
    run = request(standby, "restore")
    assert click(standby, "carbon.approve", run, "U0BOB") == messages.run_approved_queued(run.id)
    assert state(standby, run) == "approved"
    assert execute_approved(standby.services) == []  # the standby's job does nothing either
    assert small.get("deployments", "web", "apps")["spec"]["replicas"] == 0

    leader = make_carbon(small, CARBON_PLAN=str(PLAN))  # another replica on the same store, leading
    assert execute_approved(leader.services) == [run.id]
    assert state(leader, run) == "succeeded"
    assert small.get("deployments", "web", "apps")["spec"]["replicas"] > 0
