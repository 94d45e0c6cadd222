"""scale_deployments' bounded readiness wait against the emulated API, with time driven by the test (no sleeping)."""

from __future__ import annotations

from collections.abc import Callable

from bot.actions.base import ActionContext, ActionPlan
from bot.actions.scale import ScaleParams, Target, verify
from bot.cluster.gateway import ClusterGateway
from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import web

PLANNED = ActionPlan((), {"targets": [{"namespace": "apps", "name": "web", "from": 0, "to": 2}]})


class Time:
    """ctx.monotonic and ctx.sleep: sleeping moves the clock and runs what the test wants to happen meanwhile."""

    def __init__(self, meanwhile: Callable[[int], None] = lambda naps: None) -> None:
        self.now, self.naps, self.meanwhile = 1000.0, [], meanwhile

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.naps.append(seconds)
        self.now += seconds
        self.meanwhile(len(self.naps))


def context(kube: KubeEmulator, clock: Time) -> ActionContext:
    return ActionContext(ClusterGateway(kube.api_client()), None, monotonic=clock.monotonic, sleep=clock.sleep)


def params(wait_s: float) -> ScaleParams:
    return ScaleParams(targets=(Target(namespace="apps", name="web", replicas=2),), wait_s=wait_s)


def test_verify_polls_every_2s_until_the_replicas_are_ready(kube: KubeEmulator) -> None:
    kube.add(web(replicas=2, ready=0))
    clock = Time(meanwhile=lambda naps: kube.add(web(replicas=2, ready=naps)))  # one more pod Ready per nap
    assert verify(params(120), PLANNED, context(kube, clock)) == []
    assert clock.naps == [2.0, 2.0]


def test_verify_names_what_is_not_ready_when_the_bound_passes(kube: KubeEmulator) -> None:
    kube.add(web(replicas=2, ready=1))
    clock = Time()
    assert verify(params(5), PLANNED, context(kube, clock)) == ["deployment apps/web 1/2 ready"]
    assert clock.naps == [2.0, 2.0, 1.0]  # never past the bound


def test_verify_without_a_wait_looks_once(kube: KubeEmulator) -> None:
    kube.add(web(replicas=2, ready=0))
    clock = Time()
    assert verify(params(0), PLANNED, context(kube, clock)) == ["deployment apps/web 0/2 ready"]
    assert clock.naps == []
