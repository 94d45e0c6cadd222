"""The HTTP front's bot: the small run plan on a tiny cluster, served by `carbon serve`'s HTTP server on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.local.emulator import KubeEmulator
from tests.fixtures.bot import Carbon
from tests.fixtures.http import serving
from tests.fixtures.runs import PLAN, web


@pytest.fixture
def bot(make_carbon: Any, kube: KubeEmulator) -> Carbon:
    kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    carbon: Carbon = make_carbon(kube, CARBON_PLAN=str(PLAN))
    return carbon


@pytest.fixture
def front(bot: Carbon) -> Iterator[tuple[str, int]]:
    with serving(bot) as address:
        yield address
