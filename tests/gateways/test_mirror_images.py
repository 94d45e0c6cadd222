"""mirror_images against a fake private registry on loopback (Docker Registry v2 manifests, Basic and token auth) and
the emulated API with its workload model, whose kubelet pulls from that registry only with a matching pull secret."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from bot.actions.base import ActionContext
from bot.actions.mirror_images import MirrorParams, apply, plan, rollback, verify
from bot.cluster.gateway import ClusterGateway
from bot.errors import RollbackRefused, Unavailable
from bot.local.emulator import KubeEmulator
from bot.local.registry import FakeRegistry
from tests.gateways.test_scale_verify import Time

CANARY = "canary-robot-secret-5f1e"
USER = "robot$carbon"
HELD = ("team/minio/minio:RELEASE.1", "team/library/busybox:1.36")


def pull_secret(host: str, password: str = CANARY) -> dict[str, Any]:
    auths = {"auths": {f"https://{host}": {"auth": base64.b64encode(f"{USER}:{password}".encode()).decode()}}}
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": "registry-pull", "namespace": "apps"},
            "data": {".dockerconfigjson": base64.b64encode(json.dumps(auths).encode()).decode()}}


def web(account: str = "default") -> dict[str, Any]:
    pod = {"serviceAccountName": account, "initContainers": [{"name": "setup", "image": "busybox:1.36"}],
           "containers": [{"name": "app", "image": "docker.io/minio/minio:RELEASE.1"},
                          {"name": "cache", "image": "redis:7"}]}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}}, "spec": pod}}}


def start(auth: str, password: str = CANARY) -> tuple[FakeRegistry, KubeEmulator]:
    registry = FakeRegistry(USER, CANARY, auth=auth, images=HELD).start()  # type: ignore[arg-type]
    kube = KubeEmulator(workloads=True, private_registries=(registry.host,)).start()
    kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, pull_secret(registry.host, password),
                  {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default", "namespace": "apps"},
                   "imagePullSecrets": [{"name": "registry-pull"}]},
                  {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "bare", "namespace": "apps"}},
                  web()])
    return registry, kube


@pytest.fixture(params=["basic", "bearer"])
def world(request: pytest.FixtureRequest) -> Iterator[tuple[FakeRegistry, KubeEmulator]]:
    registry, kube = start(request.param)
    yield registry, kube
    kube.stop()
    registry.stop()


def params(registry: FakeRegistry) -> MirrorParams:
    return MirrorParams(registry=registry.host, project="team", namespaces=("apps",), registry_url=registry.url)


def context(kube: KubeEmulator, reports: list[str]) -> ActionContext:
    clock = Time()
    return ActionContext(ClusterGateway(kube.api_client()), None, report=reports.append, monotonic=clock.monotonic,
                         sleep=clock.sleep)


def images(kube: KubeEmulator) -> list[str]:
    spec = kube.get("deployments", "web", "apps")["spec"]["template"]["spec"]
    return [c["image"] for c in spec["initContainers"] + spec["containers"]]


def test_only_images_the_registry_holds_are_repointed_and_the_rollout_is_gated(
        world: tuple[FakeRegistry, KubeEmulator]) -> None:
    registry, kube = world
    p, reports = params(registry), []
    planned = plan(p, context(kube, reports))
    mirror = f"{registry.host}/team"
    assert [c.line() for c in planned.changes] == [
        f"patch deployment apps/web: setup image busybox:1.36 → {mirror}/library/busybox:1.36; "
        f"app image docker.io/minio/minio:RELEASE.1 → {mirror}/minio/minio:RELEASE.1"]
    assert planned.impact.rolls == ("deployment apps/web",)
    assert planned.impact.warnings == (messages.not_mirrored_yet("deployment apps/web", "redis:7",
                                                                 f"{mirror}/library/redis:7"),)
    assert images(kube) == ["busybox:1.36", "docker.io/minio/minio:RELEASE.1", "redis:7"]  # a dry run
    schemes = {seen.auth for seen in registry.requests if "/manifests/" in seen.path}
    assert schemes == ({"", "Basic"} if registry.auth == "basic" else {"", "Bearer"})
    assert registry.auth == "basic" or any(seen.path == "/token" for seen in registry.requests)

    ctx = context(kube, reports)
    apply(p, planned, ctx)
    assert images(kube) == [f"{mirror}/library/busybox:1.36", f"{mirror}/minio/minio:RELEASE.1", "redis:7"]
    pods = [o for o in kube.list("pods", "apps") if o["metadata"]["labels"].get("app") == "web"]
    assert len(pods) == 2 and all(c["ready"] for o in pods for c in o["status"]["containerStatuses"])
    assert verify(p, planned, ctx) == []
    assert plan(p, context(kube, [])).empty  # idempotent

    undo = context(kube, reports)
    undo.applied = frozenset(ctx.done)
    rollback(p, planned, undo)
    assert images(kube) == ["busybox:1.36", "docker.io/minio/minio:RELEASE.1", "redis:7"]
    assert CANARY not in json.dumps([planned.to_json(), reports])


def test_rollback_refuses_when_the_images_were_changed_since(world: tuple[FakeRegistry, KubeEmulator]) -> None:
    registry, kube = world
    p, reports = params(registry), []
    planned = plan(p, context(kube, reports))
    ctx = context(kube, reports)
    apply(p, planned, ctx)
    ClusterGateway(kube.api_client()).patch("deployments", "web", "apps", {"spec": {"template": {"spec": {
        "containers": [{"name": "app", "image": "minio/minio:RELEASE.2"}]}}}}, patch="strategic")
    undo = context(kube, reports)
    undo.applied = frozenset(ctx.done)
    with pytest.raises(RollbackRefused, match="deployment apps/web no longer runs the images this run set"):
        rollback(p, planned, undo)
    assert images(kube)[1] == "minio/minio:RELEASE.2"


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_a_pull_secret_the_registry_refuses_fails_the_plan_without_showing_it(auth: str) -> None:
    registry, kube = start(auth, password=CANARY + "-wrong")
    try:
        with pytest.raises(Unavailable) as refused:
            plan(params(registry), context(kube, []))
        assert str(refused.value) == messages.registry_refused(registry.host, 401, True)
        assert CANARY not in str(refused.value) and CANARY not in repr(refused.value)
    finally:
        kube.stop()
        registry.stop()


def test_a_workload_without_a_pull_secret_for_the_registry_is_left_alone_and_named(
        world: tuple[FakeRegistry, KubeEmulator]) -> None:
    registry, kube = world
    kube.add(web(account="bare"))
    planned = plan(params(registry), context(kube, []))
    assert planned.empty
    assert messages.mirror_unchecked("deployment apps/web", "busybox:1.36",
                                     messages.registry_refused(registry.host, 401, False)) in planned.impact.warnings


def test_an_unreachable_registry_fails_the_plan_naming_it(world: tuple[FakeRegistry, KubeEmulator]) -> None:
    registry, kube = world
    host = registry.host
    registry.stop()
    p = MirrorParams(registry=host, project="team", namespaces=("apps",), registry_url=f"http://{host}",
                     http_timeout_s=2)
    with pytest.raises(Unavailable, match=f"registry {host} is unreachable"):
        plan(p, context(kube, []))
