"""The watch-fed view against the emulated API server, with short timers so recoveries happen within a test."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.local.emulator import KubeEmulator

FAST = {"watch_s": 5, "fallback_s": 0.2, "backoff_s": (0.05, 0.5), "sync_wait_s": 5.0}


def wait_for(condition: Callable[[], Any], timeout: float = 15.0) -> Any:
    """Poll the view's state until `condition` holds (bounded); never asserts on elapsed time."""
    deadline = time.monotonic() + timeout
    while True:
        found = condition()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.02)


@pytest.fixture
def make_view(kube: KubeEmulator) -> Iterator[Callable[..., ClusterView]]:
    views: list[ClusterView] = []

    def make(kinds: tuple[str, ...] = ("pods",), **options: Any) -> ClusterView:
        view = ClusterView(ClusterGateway(kube.api_client()), kinds=kinds, **{**FAST, **options})
        views.append(view.start())
        return view

    yield make
    for view in views:
        view.stop()


def pod(name: str, namespace: str = "default", ready: bool = True) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace, "labels": {"app": name}},
            "spec": {"containers": [{"name": "app", "image": "nginx:1"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}}


def names(view: ClusterView, plural: str = "pods") -> set[str]:
    return {o["metadata"]["name"] for o in view.items(plural)}
