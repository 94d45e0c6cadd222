"""Unit tests take plain data: a unit test that asks for a server fixture is refused at collection,
so the level means what it says. Tests that need a server belong in tests/gateways/ or tests/scenarios/."""

from __future__ import annotations

from pathlib import Path

import pytest

UNIT = Path(__file__).parent

SERVER_FIXTURES = {"kube", "platform", "openbao", "vault_client", "fake_slack", "slack_signer", "make_carbon", "carbon",
                   "prometheus"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if UNIT not in item.path.parents:
            continue
        servers = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        if servers:
            raise pytest.UsageError(f"{item.nodeid} is a unit test but uses {sorted(servers)}:"
                                    " move it to gateways/ or scenarios/")
