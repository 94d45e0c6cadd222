"""Do applications get short-lived database credentials from Vault: the listed roles exist and issue one.

Issuing is the proof (Vault runs the role's creation statements in the database); the lease is revoked at once, so
each measurement leaves no login behind. Vault unreachable or forbidden: `unknown` with the reason.
"""

from __future__ import annotations

from pydantic import Field

from bot.checks.base import CheckKind, CheckResult, Params
from bot.errors import Unavailable
from bot.snapshot.snapshot import Snapshot


class DatabaseCredentialsCheckParams(Params):
    mount: str = Field("database", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    roles: tuple[str, ...] = Field(min_length=1)
    issue: bool = True  # false: only that the roles exist (no credential issued while measuring)


def vault_database_credentials(params: DatabaseCredentialsCheckParams, snapshot: Snapshot) -> CheckResult:
    vault = snapshot.vault
    kind = vault.secrets_engines().get(params.mount)
    if kind != "database":
        summary = f"{params.mount}/: not enabled" if kind is None else f"{params.mount}/: a {kind} engine, not database"
        evidence = (f"the database secrets engine is not enabled at {params.mount}/" if kind is None
                    else f"{params.mount}/ is a {kind} secrets engine, not database")
        return CheckResult.measured(0, len(params.roles), summary, [evidence])
    existing = set(vault.list(f"{params.mount}/roles"))
    done, evidence = 0, []
    for role in params.roles:
        if role not in existing:
            evidence.append(f"{params.mount}/roles/{role}: missing")
            continue
        if params.issue:
            try:
                issued = vault.issue_database_credential(params.mount, role)
            except Unavailable as exc:
                evidence.append(f"{params.mount}/roles/{role}: {exc}")
                continue
            if issued.lease_id:
                vault.revoke_lease(issued.lease_id)
        done += 1
    proof = "issue credentials" if params.issue else "present"
    return CheckResult.measured(done, len(params.roles), f"{done}/{len(params.roles)} database roles {proof}", evidence)


VAULT_DATABASE_CREDENTIALS = CheckKind(
    "vault_database_credentials", DatabaseCredentialsCheckParams, vault_database_credentials,
    "Vault database roles present and each issues a short-lived credential (its lease revoked at once).")
