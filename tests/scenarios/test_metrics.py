"""Each /metrics family moves when its event happens: checks, runs, risks, Slack and Kubernetes errors, leadership."""

from __future__ import annotations

from collections import Counter

from bot.cluster.lease import LeaderElector
from bot.local.emulator import KubeEmulator
from bot.risks import scan
from bot.risks.base import Severity
from jobs.risk_scan import risk_scan_job
from tests.fixtures.bot import Carbon
from tests.fixtures.runs import request


def sample(carbon: Carbon, name: str, **labels: str) -> float:
    return carbon.services.metrics.registry.get_sample_value(name, labels) or 0.0


def test_checks_are_timed_and_counted_by_kind_and_state(carbon: Carbon) -> None:
    carbon.slash("status")
    kinds = {t.check.kind for t in carbon.services.plan.tasks()}
    assert all(sample(carbon, "carbon_check_seconds_count", kind=k) >= 1 for k in kinds)
    assert sample(carbon, "carbon_checks_total", kind="manual", state="pending") >= 1
    assert sum(sample(carbon, "carbon_checks_total", kind="pods_ready", state=s)
               for s in ("done", "partial", "failing", "unknown")) >= 1


def test_runs_by_state_are_read_from_the_store(carbon: Carbon) -> None:
    assert sample(carbon, "carbon_runs", state="requested") == 0
    request(carbon, "network-policies")
    assert sample(carbon, "carbon_runs", state="requested") == 1


def test_open_risks_by_severity(carbon: Carbon) -> None:
    now = carbon.services.clock()
    assert all(sample(carbon, "carbon_open_risks", severity=s.value) == 0 for s in Severity)
    assert risk_scan_job(carbon.services, now) is not None
    found = Counter(f.severity.value for f in scan(carbon.services.meter.snapshot(), now))
    assert found  # the demo platform has open risks
    assert {s.value: sample(carbon, "carbon_open_risks", severity=s.value) for s in Severity} == {
        s.value: float(found[s.value]) for s in Severity}


def test_kubernetes_api_errors_by_verb_resource_and_status(carbon: Carbon, platform: KubeEmulator) -> None:
    platform.fail("pods", status=500)
    carbon.slash("status")
    assert sample(carbon, "carbon_kubernetes_api_errors_total", verb="list", resource="pods", status="500") == 1
    platform.fail("leases", status=403)
    LeaderElector(carbon.services.cluster, name="carbon-leader", namespace="carbon", identity="a", duration_s=15,
                  clock=carbon.services.clock).step()
    assert sample(carbon, "carbon_kubernetes_api_errors_total", verb="get", resource="leases", status="403") == 1


def test_slack_api_errors_by_method(carbon: Carbon) -> None:
    carbon.slack.fail("chat.postMessage", error="channel_not_found")
    carbon.slash("digest")
    assert sample(carbon, "carbon_slack_api_errors_total", method="chat.postMessage", error="channel_not_found") == 1


def test_leader_status(carbon: Carbon) -> None:
    assert sample(carbon, "carbon_leader") == 1  # no elector: the single instance runs the jobs
    elector = LeaderElector(None, name="carbon-leader", namespace="carbon", identity="a", duration_s=15,
                            clock=carbon.services.clock)
    carbon.services.runs.leadership = elector
    assert sample(carbon, "carbon_leader") == 0
    elector.step()
    assert sample(carbon, "carbon_leader") == 1
