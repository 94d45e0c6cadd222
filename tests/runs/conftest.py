"""The run tests' bot: the small test plan on a tiny cluster (one Deployment `apps/web` scaled to 0)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.local.emulator import KubeEmulator

PLAN = Path(__file__).with_name("plan.yaml")


def web(replicas: int = 0, ready: int = 2) -> dict[str, Any]:
    """`ready` stands for pods that are up already, so the bounded readiness wait can succeed without a controller."""
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [{"name": "web", "image": "web:1"}]}}},
            "status": {"replicas": replicas, "readyReplicas": ready}}


@pytest.fixture
def small(kube: KubeEmulator) -> KubeEmulator:
    kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    return kube


@pytest.fixture
def bot(make_carbon: Any, small: KubeEmulator) -> Any:
    return make_carbon(small, CARBON_PLAN=str(PLAN))
