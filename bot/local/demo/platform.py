"""The demo platform: an emulated Kubernetes API seeded with 254Carbon, and a real OpenBao dev server.

Everything runs on loopback; `carbon console --demo` and the tests' scenarios use it, so what a
developer sees in the demo is what the tests assert on. The cluster runs the emulator's workload model
(pods start, block or crash by the kubelet's rules) and the stand-in for the External Secrets Operator, so
a run that would break an app shows it here as it would on the real platform. Velero is installed too, as a
stand-in (bot/local/demo/velero.py) with an Available storage location and no Schedule yet, so the demo can
configure backups and run a restore drill.

When the PostgreSQL binaries are installed (the `pgserver` package, a dev dependency `make run` installs), a real
PostgreSQL plays lakeFS's database, and the connection string the migration already moved to Vault points at it,
so `/carbon run vault-database-credentials` hands it to Vault for real. Without them, that task's dry run says
the database cannot be reached.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import hvac
from kubernetes.client import ApiClient

from bot.local.demo.external_secrets import ExternalSecretsStandIn
from bot.local.demo.openbao import OpenBaoDevServer
from bot.local.demo.postgres import PostgresServer, postgres_binaries
from bot.local.demo.seed import MIGRATED, REGISTRY, platform_objects, seed_vault
from bot.local.demo.velero import VeleroStandIn
from bot.local.emulator import KubeEmulator
from bot.snapshot.credentials import KV_MOUNT, vault_path

LAKEFS_URL_KEY = "LAKEFS_DATABASE_POSTGRES_CONNECTION_STRING"


class DemoPlatform:
    def __init__(self, *, extra_pods: int = 0, now: datetime | None = None) -> None:
        self.kube = KubeEmulator(workloads=True, private_registries=(REGISTRY,))
        self.bao = OpenBaoDevServer()
        self.extra_pods = extra_pods
        self.now = now
        self.external_secrets: ExternalSecretsStandIn | None = None
        self.postgres: PostgresServer | None = PostgresServer() if postgres_binaries() else None
        self.velero: VeleroStandIn | None = None

    def start(self) -> DemoPlatform:
        self.kube.start()
        self.kube.add_all(platform_objects(self.now, self.extra_pods, live=True))
        self.velero = VeleroStandIn(self.kube).install()
        try:
            self.bao.start()
            seed_vault(self.bao.client())
            self.external_secrets = ExternalSecretsStandIn(self.kube, self.bao.client()).install()
            if self.postgres is not None:
                self._start_lakefs_database(self.postgres)
        except Exception:
            self.stop()
            raise
        return self

    def _start_lakefs_database(self, server: PostgresServer) -> None:
        """lakeFS's database, owned by the user and password of its migrated connection string (demo values)."""
        server.start()
        server.create_owner("lakefs", "lakefs", "demo-lakefs-pg")
        point_lakefs_at(self.bao.client(),
                        f"postgres://lakefs:demo-lakefs-pg@{server.host}:{server.port}/lakefs?sslmode=disable")

    def api_client(self) -> ApiClient:
        return self.kube.api_client()

    def vault_client(self) -> hvac.Client:
        return self.bao.client()

    def stop(self) -> None:
        if self.postgres is not None:
            self.postgres.stop()
        self.bao.stop()
        self.kube.stop()

    def __enter__(self) -> DemoPlatform:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def point_lakefs_at(client: hvac.Client, url: str) -> None:
    """Make the connection string the migration moved to Vault name a database that really runs (the demo's, or a
    test's): what the bundled vault-database-credentials task reads its root login from."""
    data = {**MIGRATED["lakefs-config"], LAKEFS_URL_KEY: url}
    client.secrets.kv.v2.create_or_update_secret(path=vault_path("data-platform", "lakefs-config"), secret=data,
                                                 mount_point=KV_MOUNT)
