"""The demo platform: an emulated Kubernetes API seeded with 254Carbon, and a real OpenBao dev server.

Everything runs on loopback; `carbon console --demo` and the tests' scenarios use it, so what a
developer sees in the demo is what the tests assert on. The cluster runs the emulator's workload model
(pods start, block or crash by the kubelet's rules) and the stand-in for the External Secrets Operator, so
a run that would break an app shows it here as it would on the real platform. Velero is installed too, as a
stand-in (bot/local/demo/velero.py) with an Available storage location and no Schedule yet, so the demo can
configure backups and run a restore drill.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import hvac
from kubernetes.client import ApiClient

from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.openbao import OpenBaoDevServer
from bot.local.demo.seed import REGISTRY, platform_objects, seed_vault
from bot.local.demo.velero import VeleroStandIn
from bot.local.emulator import KubeEmulator


class DemoPlatform:
    def __init__(self, *, extra_pods: int = 0, now: datetime | None = None) -> None:
        self.kube = KubeEmulator(workloads=True, private_registries=(REGISTRY,))
        self.bao = OpenBaoDevServer()
        self.extra_pods = extra_pods
        self.now = now
        self.external_secrets: ExternalSecretsStandIn | None = None
        self.velero: VeleroStandIn | None = None

    def start(self) -> DemoPlatform:
        self.kube.start()
        self.kube.add_all(platform_objects(self.now, self.extra_pods, live=True))
        self.velero = VeleroStandIn(self.kube).install()
        try:
            self.bao.start()
            seed_vault(self.bao.client())
            self.external_secrets = ExternalSecretsStandIn(self.kube, self.bao.client()).install()
        except Exception:
            self.kube.stop()
            raise
        return self

    def api_client(self) -> ApiClient:
        return self.kube.api_client()

    def vault_client(self) -> hvac.Client:
        return self.bao.client()

    def stop(self) -> None:
        self.bao.stop()
        self.kube.stop()

    def __enter__(self) -> DemoPlatform:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()
