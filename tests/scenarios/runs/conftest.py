"""The run tests' bot: the small test plan on a tiny cluster (one Deployment `apps/web` scaled to 0)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import PLAN, web


@pytest.fixture
def small(kube: KubeEmulator) -> KubeEmulator:
    kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    return kube


@pytest.fixture
def bot(make_carbon: Any, small: KubeEmulator) -> Any:
    return make_carbon(small, CARBON_PLAN=str(PLAN))
