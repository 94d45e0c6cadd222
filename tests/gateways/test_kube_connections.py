"""The Kubernetes client's connection pool holds every connection the bot keeps open at once: the watch-fed view's
watches (one per kind) and the requests of checks and actions beside them. A pool smaller than that makes urllib3
discard connections with a "Connection pool is full" warning on every stop of the view (seven lines at the end of
each `carbon console --demo`), and reconnect for requests that could have reused one."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.app.build import kube_api_client
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import VIEW_KINDS, ClusterView
from bot.local.emulator import KubeEmulator
from bot.settings import load_settings


def clients(emulator: KubeEmulator, tmp_path: Path) -> dict[str, Any]:
    settings = load_settings(KUBECONFIG=str(emulator.write_kubeconfig(tmp_path / "kubeconfig")))
    return {"kubeconfig": kube_api_client(settings), "emulator": emulator.api_client()}


@pytest.mark.parametrize("source", ["kubeconfig", "emulator"])
def test_stopping_the_view_returns_every_watch_connection_to_the_pool(platform: KubeEmulator, tmp_path: Path,
                                                                      caplog: Any, source: str) -> None:
    client = clients(platform, tmp_path)[source]
    assert client is not None
    view = ClusterView(ClusterGateway(client)).start()
    try:
        for plural in VIEW_KINDS:
            view.items(plural)  # every kind listed; its watch follows
        ClusterGateway(client).list_all("pods")  # a request beside the watches, as a status makes
    finally:
        with caplog.at_level(logging.WARNING, logger="urllib3.connectionpool"):
            view.stop()
    assert [r.getMessage() for r in caplog.records if "pool is full" in r.getMessage()] == []
