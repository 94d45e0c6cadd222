"""Item 10 of issue 11: on shutdown a run in flight finishes before the Lease is released and the store closed."""

from __future__ import annotations

import sqlite3
import threading
from typing import Any

import pytest

from bot.app.bolt_request import bolt_request
from bot.app.shutdown import Shutdown
from bot.local.emulator import KubeEmulator
from jobs.runner import JobRunner, make_elector
from tests.fixtures.runs import request, state


def test_a_run_in_flight_keeps_the_store_open_and_the_lease_held_until_it_is_done(bot: Any, small: KubeEmulator) -> None:
    runner = JobRunner(bot.services, make_elector(bot.services, identity="bot-a"))
    runner.elector.step()  # leads: the Lease is ours
    assert runner.elector.leading()
    run = request(bot, "restore")
    hold = threading.Event()
    rule = small.fail("deployments/scale", status=0, method="PATCH", hold=hold)
    assert rule is not None
    body, headers = bot.signer.click("carbon.approve", run.id, "U0BOB", run.ts)
    assert bot.app.dispatch(bolt_request(body, headers, bot.signer.secret)).status == 200  # acked; the apply follows
    assert rule.reached.wait(30)  # the apply is in flight, held by the cluster

    shutdown = Shutdown(intake=[], pools=[bot.executor], jobs=runner, store=bot.services.store, grace_s=60)
    stopping = threading.Thread(target=shutdown.run)
    stopping.start()
    try:
        assert shutdown.draining.wait(30)
        assert state(bot, run) in ("approved", "running")  # the store still answers (the plan is being checked again)
        assert small.get("leases", "carbon-leader", "default")["spec"]["holderIdentity"] == "bot-a"
        assert shutdown.steps == ["stopped taking work"]
    finally:
        hold.set()
        stopping.join(60)
    assert shutdown.steps == ["stopped taking work", "work finished", "lease released", "store closed"]
    assert not small.get("leases", "carbon-leader", "default")["spec"].get("holderIdentity")
    with pytest.raises(sqlite3.ProgrammingError):
        bot.services.store.query("SELECT state FROM runs")


def test_a_run_still_running_after_the_grace_period_is_left_running(bot: Any, small: KubeEmulator) -> None:
    runner = JobRunner(bot.services, make_elector(bot.services, identity="bot-a"))
    runner.elector.step()
    run = request(bot, "restore")
    hold = threading.Event()
    rule = small.fail("deployments/scale", status=0, method="PATCH", hold=hold)
    assert rule is not None
    body, headers = bot.signer.click("carbon.approve", run.id, "U0BOB", run.ts)
    bot.app.dispatch(bolt_request(body, headers, bot.signer.secret))
    assert rule.reached.wait(30)
    shutdown = Shutdown(intake=[], pools=[bot.executor], jobs=runner, store=bot.services.store, grace_s=0)
    try:
        assert shutdown.run() is False
        assert shutdown.steps == ["stopped taking work", "grace period over", "lease released", "store closed"]
    finally:
        hold.set()
    rows = sqlite3.connect(bot.services.settings.db_path).execute("SELECT state FROM runs WHERE id = ?", (run.id,))
    assert rows.fetchone()[0] in ("running", "approved")  # never marked done: the next leader interrupts it
