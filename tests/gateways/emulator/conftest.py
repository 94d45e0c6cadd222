"""Fixtures: a started emulator per test and real kubernetes API objects bound to it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from kubernetes import client

from bot.local.emulator import KubeEmulator


@pytest.fixture
def emu() -> Iterator[KubeEmulator]:
    with KubeEmulator() as emulator:
        yield emulator


@pytest.fixture
def api(emu: KubeEmulator) -> Iterator[client.ApiClient]:
    with emu.api_client() as api_client:
        yield api_client


@pytest.fixture
def core(api: client.ApiClient) -> client.CoreV1Api:
    return client.CoreV1Api(api)


@pytest.fixture
def apps(api: client.ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(api)


@pytest.fixture
def custom(api: client.ApiClient) -> client.CustomObjectsApi:
    return client.CustomObjectsApi(api)


PRIVATE_REGISTRY = "harbor.254carbon.local"


@pytest.fixture
def cluster() -> Iterator[KubeEmulator]:
    """An emulator running the workload model (controllers and the kubelet stand-in), namespace `data` made."""
    with KubeEmulator(workloads=True, private_registries=(PRIVATE_REGISTRY,)) as emulator:
        emulator.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "data"}})
        yield emulator


@pytest.fixture
def kapi(cluster: KubeEmulator) -> Iterator[client.ApiClient]:
    with cluster.api_client() as api_client:
        yield api_client
