"""What /readyz and `carbon check` report: which dependencies answer right now.

An unreachable cluster or Vault does not make the bot unready: it still answers Slack (those tasks
show `unknown`), so it stays in rotation and names what is degraded. Only a broken store is fatal.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from bot import messages
from bot.cluster.gateway import ClusterGateway, ping
from bot.errors import Unavailable
from bot.services import Services
from bot.store.store import Store
from bot.vault.gateway import VaultGateway


def probe(store: Store | None, cluster: ClusterGateway | None, vault: VaultGateway | None) -> dict[str, str]:
    """One line per dependency: 'ok' or why not."""
    found: dict[str, str] = {}
    if store is not None:
        try:
            store.query("SELECT 1")
            found["store"] = "ok"
        except Exception as exc:  # any sqlite failure means the store is unusable
            found["store"] = f"unusable ({type(exc).__name__})"
    if cluster is None:
        found["cluster"] = messages.cluster_not_configured()
    else:
        try:
            ping(cluster)
            found["cluster"] = "ok"
        except Unavailable as exc:
            found["cluster"] = str(exc)
    if vault is None:
        found["vault"] = messages.vault_not_configured()
    else:
        try:
            health = vault.health()
            found["vault"] = "ok" if health.ok else ("sealed" if health.sealed else "not initialized")
        except Unavailable as exc:
            found["vault"] = str(exc)
    return found


class Readiness:
    """Cached for a few seconds: kubelet probes every 10 s and must not turn into load."""

    def __init__(self, services: Services, ttl_s: float = 5.0) -> None:
        self.services = services
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._at = 0.0
        self._report: dict[str, Any] = {}

    def __call__(self) -> dict[str, Any]:
        with self._lock:
            if time.monotonic() - self._at > self.ttl_s:
                found = probe(self.services.store, self.services.cluster, self.services.vault)
                self._report = {
                    "ready": found["store"] == "ok",
                    "checks": found,
                    "degraded": sorted(name for name, state in found.items() if state != "ok"),
                    # a standby is healthy; this says which replica runs the jobs and executes runs
                    "leading": self.services.leadership.leading(),
                }
                if self.services.view is not None:  # per kind: synced, syncing, timed lists or why unavailable
                    self._report["view"] = {kind: row["state"] for kind, row in self.services.view.state().items()}
                self._at = time.monotonic()
            return self._report
