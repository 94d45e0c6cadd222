"""One leader: two bot instances against one emulated API and one channel, time moved by hand.

Each instance has its own store, so it is the Lease, not a shared database, that keeps the digest single.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.cluster.lease import LeaderElector
from bot.local.emulator import KubeEmulator
from bot.local.fakeslack import FakeSlack
from bot.settings import SettingsError, load_settings
from jobs.runner import JobRunner, make_elector
from tests.fixtures.bot import CHANNEL
from tests.fixtures.clock import FakeClock

START = datetime(2026, 11, 27, 8, 59, 0, tzinfo=UTC)  # a Friday, one minute before the 09:00 digest
DURATION = 15


@dataclass
class Instance:
    name: str
    runner: JobRunner
    alive: bool = True

    @property
    def elector(self) -> LeaderElector:
        return self.runner.elector

    def has_jobs(self) -> bool:
        return self.runner.scheduler.get_job("digest") is not None

    def fire(self, job_id: str) -> Any:
        """What the scheduler does at a tick: call the job as scheduled (it reads the injected clock)."""
        job = self.runner.scheduler.get_job(job_id)
        return job.func() if job is not None else None


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def instances(make_carbon: Any, platform: KubeEmulator, tmp_path: Any, clock: FakeClock) -> list[Instance]:
    platform.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "carbon"}})
    built = []
    for name in ("bot-a", "bot-b"):
        services = make_carbon(platform, CARBON_DB=str(tmp_path / f"{name}.db"), CARBON_LEASE_NAMESPACE="carbon",
                               CARBON_LEASE_DURATION_S=str(DURATION)).services
        services.clock.now = clock
        runner = JobRunner(services, make_elector(services, identity=name))
        runner.scheduler.start(paused=True)  # jobs are added and removed as in production; time is ours
        built.append(Instance(name, runner))
    yield built
    for instance in built:
        if instance.runner.scheduler.running:
            instance.runner.scheduler.shutdown(wait=False)


def run_for(clock: FakeClock, instances: list[Instance], seconds: int) -> None:
    """Every live instance runs its lease round each retry period (duration / 3) while time passes."""
    period = DURATION // 3
    for _ in range(seconds // period):
        clock.advance(seconds=period)
        for instance in instances:
            if instance.alive:
                instance.elector.step()


def leaders(instances: list[Instance]) -> list[str]:
    return [i.name for i in instances if i.alive and i.elector.leading()]


def tick(instances: list[Instance], job_id: str = "digest") -> None:
    for instance in instances:
        if instance.alive:
            instance.fire(job_id)


def test_exactly_one_leader_posts_each_digest_and_a_stopped_leader_hands_over(
        instances: list[Instance], clock: FakeClock, platform: KubeEmulator, fake_slack: FakeSlack) -> None:
    a, b = instances
    run_for(clock, instances, 30)
    assert leaders(instances) == ["bot-a"] and a.has_jobs() and not b.has_jobs()
    run_for(clock, instances, 30)
    assert clock() == datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    tick(instances)
    assert len(fake_slack.messages(CHANNEL)) == 1
    run_for(clock, instances, 60)
    tick(instances)  # the same fire time again: nothing more
    assert len(fake_slack.messages(CHANNEL)) == 1
    a.alive = False  # the leader's process dies without releasing the Lease
    died = clock()
    while leaders(instances) != ["bot-b"]:
        run_for(clock, instances, 5)
        assert clock() - died <= timedelta(seconds=DURATION)  # within the lease duration of its last renewal
    assert b.has_jobs()
    lease = platform.get("leases", "carbon-leader", "carbon")
    assert lease["spec"]["holderIdentity"] == "bot-b" and lease["spec"]["leaseTransitions"] == 1
    assert lease["metadata"]["annotations"]["carbon-bot/last-digest"].startswith("2026-11-27T09:00")
    tick(instances, "digest-catch-up")  # what a new leader runs first: b's own store has no digest, the Lease has
    assert len(fake_slack.messages(CHANNEL)) == 1
    run_for(clock, instances, 30)
    clock.set(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))  # Monday's tick
    run_for(clock, [b], 5)
    tick(instances)
    tick(instances)
    tick(instances, "digest-catch-up")
    assert len(fake_slack.messages(CHANNEL)) == 2


def test_a_leader_that_loses_its_lease_stops_its_jobs_at_once(instances: list[Instance], clock: FakeClock) -> None:
    a, b = instances
    run_for(clock, instances, 10)
    a.alive = False  # partitioned: no renewals get through
    run_for(clock, instances, DURATION * 2)
    assert b.elector.leading()
    assert not a.elector.leading()  # past its renew deadline, a runs nothing even before its next round
    assert a.fire("risk-scan") is None
    a.alive = True
    a.elector.step()  # its next round finds the Lease taken
    assert not a.has_jobs() and leaders(instances) == ["bot-b"]


def test_a_clean_stop_releases_the_lease_for_the_next_round(instances: list[Instance], clock: FakeClock) -> None:
    a = instances[0]
    run_for(clock, instances, 10)
    assert a.has_jobs()
    a.runner.stop()
    a.alive = False
    assert not a.elector.is_leader and not a.has_jobs()
    run_for(clock, instances, DURATION // 3)
    assert leaders(instances) == ["bot-b"]


def test_risk_alerts_are_posted_by_the_leader_only(instances: list[Instance], clock: FakeClock, fake_slack: FakeSlack) -> None:
    run_for(clock, instances, 10)
    tick(instances, "risk-scan")
    tick(instances, "risk-scan")
    posted = fake_slack.calls_to("chat.postMessage")
    assert posted and len({c.params["text"] for c in posted}) == len(posted)
    assert instances[1].runner.services.store.query("SELECT COUNT(*) AS n FROM findings")[0]["n"] == 0


def test_without_a_cluster_the_single_instance_leads(make_carbon: Any, clock: FakeClock) -> None:
    services = make_carbon(None, vault=None).services
    services.clock.now = clock
    runner = JobRunner(services, make_elector(services, identity="solo"))
    runner.scheduler.start(paused=True)
    try:
        assert runner.elector.step() and runner.elector.leading()
        assert runner.scheduler.get_job("risk-scan") is not None
    finally:
        runner.scheduler.shutdown(wait=False)


def test_without_a_channel_the_jobs_refuse_to_start_but_commands_work(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform, CARBON_CHANNEL="")
    runner = JobRunner(carbon.services, make_elector(carbon.services, identity="solo"))
    assert runner.start() is False and not runner.scheduler.running
    carbon.slash("risks")
    assert "Open risks" in str(carbon.last_answer()["blocks"])


def test_lease_settings_are_checked_with_one_clear_line() -> None:
    with pytest.raises(SettingsError, match=r"^CARBON_LEASE_NAME: 'Carbon_Leader' is not a Kubernetes name"):
        load_settings(CARBON_LEASE_NAME="Carbon_Leader")
    with pytest.raises(SettingsError, match=r"^CARBON_LEASE_DURATION_S: "):
        load_settings(CARBON_LEASE_DURATION_S="1")
    assert load_settings(CARBON_LEASE_NAME="").lease_name == "carbon-leader"
