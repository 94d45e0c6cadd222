"""The run tests' bot: the small test plan on a tiny cluster (one Deployment `apps/web` scaled to 0) that runs the
emulator's workload model, so scaling it up starts pods and a template change rolls them."""

from __future__ import annotations

from typing import Any

import pytest

from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import PLAN, web


@pytest.fixture
def small(live_kube: KubeEmulator) -> KubeEmulator:
    live_kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    return live_kube


@pytest.fixture
def bot(make_carbon: Any, small: KubeEmulator) -> Any:
    return make_carbon(small, CARBON_PLAN=str(PLAN))
