"""The run tests' bot: the small test plan on a tiny cluster (one Deployment `apps/web` scaled to 0) that runs the
emulator's workload model, so scaling it up starts pods and a template change rolls them."""

from __future__ import annotations

from typing import Any

import hvac
import pytest

from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.seed import DEMO_CLUSTER_CA
from bot.local.emulator import KubeEmulator
from tests.fixtures.runs import PLAN, web


@pytest.fixture
def small(live_kube: KubeEmulator) -> KubeEmulator:
    live_kube.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}}, web()])
    return live_kube


@pytest.fixture
def bot(make_carbon: Any, small: KubeEmulator) -> Any:
    return make_carbon(small, CARBON_PLAN=str(PLAN))


@pytest.fixture
def migratable(live_platform: KubeEmulator, vault_client: hvac.Client) -> KubeEmulator:
    """The live 254Carbon platform with a secrets operator (the demo's External Secrets stand-in, reading this
    OpenBao) and Vault's Kubernetes auth configured: what a migration needs to remove plaintext."""
    ExternalSecretsStandIn(live_platform, vault_client).install()
    vault_client.sys.enable_auth_method("kubernetes", path="kubernetes")
    vault_client.write_data("auth/kubernetes/config", data={"kubernetes_host": live_platform.url,
                                                           "kubernetes_ca_cert": DEMO_CLUSTER_CA,
                                                           "disable_local_ca_jwt": True})
    return live_platform


def unhealthy_pods(kube: KubeEmulator, namespace: str = "data-platform") -> list[str]:
    """Pods that cannot run, besides doris-be (crash-looping before any run, as in the report)."""
    found = []
    for pod in kube.list("pods", namespace):
        if pod["metadata"]["name"].startswith("doris-be-"):
            continue
        for status in (pod.get("status") or {}).get("containerStatuses") or []:
            waiting = (status.get("state") or {}).get("waiting")
            if waiting:
                found.append(f"{pod['metadata']['name']}: {waiting.get('reason')}")
    return found
