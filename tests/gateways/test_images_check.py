"""images_from_registry counts what workloads' pod templates pull (scaled to zero included), read through the real
client from the emulated API, directly and through the watch-fed view with its trimming."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.checks.pods import ImagesParams, images_from_registry
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.local.demo.seed import REGISTRY
from bot.local.emulator import KubeEmulator
from bot.snapshot.snapshot import Snapshot
from bot.snapshot.trim import trimmer

HARBOR = "harbor.example.com"


def workload(kind: str, name: str, image: str, *, replicas: int | None = None,
             init: str | None = None) -> dict[str, Any]:
    pod: dict[str, Any] = {"containers": [{"name": "app", "image": image}]}
    if init:
        pod["initContainers"] = [{"name": "setup", "image": init}]
    spec: dict[str, Any] = {"selector": {"matchLabels": {"app": name}},
                            "template": {"metadata": {"labels": {"app": name}}, "spec": pod}}
    if replicas is not None:
        spec["replicas"] = replicas
    return {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": name, "namespace": "apps"}, "spec": spec}


@pytest.fixture
def apps(kube: KubeEmulator) -> KubeEmulator:
    kube.add_all([
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}},
        workload("Deployment", "web", f"{HARBOR}/apps/web:1", replicas=2),
        workload("Deployment", "idle", "docker.io/library/redis:7", replicas=0),  # scaled to zero: no pods
        workload("StatefulSet", "db", f"{HARBOR}/apps/postgres:16", replicas=1, init="busybox:1.36"),
        workload("DaemonSet", "agent", "grafana/promtail:2.9.3"),
        # a running pod pulling from Docker Hub that no workload owns: not a template, not counted
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "debug", "namespace": "apps"},
         "spec": {"containers": [{"name": "sh", "image": "alpine:3"}]}},
    ])
    return kube


def test_templates_are_counted_scaled_to_zero_and_init_containers_included(apps: KubeEmulator) -> None:
    snapshot = Snapshot(ClusterGateway(apps.api_client()), None, datetime.now(UTC))
    found = images_from_registry(ImagesParams(registry=HARBOR), snapshot)
    assert found.summary == f"2/5 images from {HARBOR}"
    assert list(found.evidence) == [
        "deployment apps/idle → docker.io/library/redis:7 (container app)",
        "statefulset apps/db → busybox:1.36 (container setup)",
        "daemonset apps/agent → grafana/promtail:2.9.3 (container app)",
    ]


def test_the_images_filter_and_namespaces_narrow_what_is_counted(apps: KubeEmulator) -> None:
    snapshot = Snapshot(ClusterGateway(apps.api_client()), None, datetime.now(UTC))
    narrowed = images_from_registry(ImagesParams(registry=HARBOR, images=("redis", "web")), snapshot)
    assert (narrowed.summary, len(narrowed.evidence)) == (f"1/2 images from {HARBOR}", 1)
    elsewhere = images_from_registry(ImagesParams(registry=HARBOR, namespaces=("other",)), snapshot)
    assert elsewhere.summary == f"0/0 images from {HARBOR}"


@pytest.fixture
def view(apps: KubeEmulator) -> Iterator[ClusterView]:
    """As `carbon serve` reads: list + watch per kind, each object trimmed as it arrives."""
    started = ClusterView(ClusterGateway(apps.api_client()), trim=trimmer(b"k" * 32)).start()
    yield started
    started.stop()


def test_the_watch_fed_view_keeps_template_images_and_reads_daemonsets(apps: KubeEmulator, view: ClusterView) -> None:
    assert view.covers("daemonsets")
    kinds = ("deployments", "statefulsets", "daemonsets")
    for plural in kinds:
        view.items(plural)  # each kind's first list is in (the feeds list in the background)
    snapshot = Snapshot(ClusterGateway(apps.api_client()), None, datetime.now(UTC), view=view)
    apps.reset_requests()
    found = images_from_registry(ImagesParams(registry=HARBOR), snapshot)
    assert found.summary == f"2/5 images from {HARBOR}" and len(found.evidence) == 3
    listed = [r.path for r in apps.requests if r.query.get("watch") != "true" and r.path.endswith(kinds)]
    assert listed == []  # read from the view's memory, not listed again


def test_the_demo_counts_its_scaled_down_services_by_their_templates(platform: KubeEmulator) -> None:
    snapshot = Snapshot(ClusterGateway(platform.api_client()), None, datetime.now(UTC))
    found = images_from_registry(ImagesParams(registry=REGISTRY, namespaces=("data-platform",)), snapshot)
    assert found.summary == f"8/13 images from {REGISTRY}"
    assert "deployment data-platform/superset → docker.io/apache/superset:3.0.1 (container superset)" in found.evidence
