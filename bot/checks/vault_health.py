"""Is Vault initialized and unsealed: the precondition of every secret task."""

from __future__ import annotations

from bot import messages
from bot.checks.base import CheckKind, CheckResult, Params
from bot.snapshot.snapshot import Snapshot


class VaultHealthParams(Params):
    pass


def vault_health(params: VaultHealthParams, snapshot: Snapshot) -> CheckResult:
    health = snapshot.vault_health()
    evidence = []
    if not health.initialized:
        evidence.append(messages.vault_not_initialized())
    if health.sealed:
        evidence.append(messages.vault_sealed())
    met = int(health.initialized) + int(health.initialized and not health.sealed)
    state = "initialized and unsealed" if health.ok else "sealed" if health.initialized else "not initialized"
    return CheckResult.measured(met, 2, f"Vault {health.version} {state}".replace("  ", " "), evidence)


VAULT_HEALTH = CheckKind("vault_health", VaultHealthParams, vault_health, "Vault initialized and unsealed.")
