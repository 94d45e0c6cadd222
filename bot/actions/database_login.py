"""Where a database connection's root credential comes from, and the login proofs of the database action.

The root credential is read from Vault KV v2 (what the secrets migration moved there) at each plan and apply; it
lives in memory only, in a `RootLogin` whose password never prints. A proof issues a credential from Vault, logs in
to the database with it through the PostgreSQL gateway, and revokes its lease at once, whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import parse_qs, unquote, urlsplit

from bot import messages
from bot.actions.base import ActionContext
from bot.actions.database_params import DatabaseConnection, RootCredential
from bot.actions.workloads import WORKLOAD_PLURALS, workloads_in
from bot.errors import Unavailable, UserError
from bot.postgres.gateway import Address, LoginRefused, check_login
from bot.snapshot.credentials import PATH_PREFIX, consumes, references_vault
from bot.vault.gateway import VaultGateway


@dataclass(frozen=True)
class RootLogin:
    connection: str
    address: Address
    username: str
    password: str = field(repr=False)
    source: str = ""


def resolve(conn: DatabaseConnection, vault: VaultGateway) -> RootLogin:
    """The connection's address and root login: the plan's fields first, then the connection string in Vault."""
    source = conn.root.source
    data, _ = vault.kv_read(conn.root.path)
    value = str(data.get(conn.root.field) or "")
    if not value:
        raise UserError(messages.root_credential_missing(source))
    try:
        parsed = urlsplit(value) if value.startswith(("postgres://", "postgresql://")) else None
        port = conn.port or (parsed.port if parsed else None) or 5432
    except ValueError:  # a malformed host or port in the stored string: say where, never the string
        raise UserError(messages.root_credential_incomplete(conn.name, "port", source)) from None
    password = unquote(parsed.password or "") if parsed else value
    username = conn.root.username or (str(data.get(conn.root.username_field) or "") if conn.root.username_field else "")
    username = username or (unquote(parsed.username or "") if parsed else "")
    host = conn.host or (parsed.hostname if parsed else None)
    database = conn.database or (parsed.path.lstrip("/") if parsed else "")
    ssl = conn.ssl_mode or ((parse_qs(parsed.query).get("sslmode") or ["prefer"])[0] if parsed else "prefer")
    for name, got in (("username", username), ("password", password), ("host", host), ("database", database)):
        if not got:
            raise UserError(messages.root_credential_incomplete(conn.name, name, source))
    return RootLogin(conn.name, Address(str(host), int(port), database, ssl), username, password, source)


def refusal_reason(root: RootLogin, timeout: float) -> str | None:
    """Why the database refuses the root password from Vault's KV (None: it still logs in). Unreachable raises
    Unavailable: the bot must reach the database to prove anything."""
    try:
        check_login(root.address, root.username, root.password, timeout=timeout)
    except LoginRefused as exc:
        return str(exc).rsplit("(", 1)[-1].rstrip(")")
    return None


def root_readers(ctx: ActionContext, root: RootCredential) -> list[str]:
    """The workloads that read the ConfigMap the root credential came from, or its copy from Vault (the secrets
    migration's convention `carbon/<namespace>/<configmap>`): they lose their login when the root is rotated."""
    parts = root.path.split("/")
    if ctx.cluster is None or len(parts) != 3 or parts[0] != PATH_PREFIX:
        return []
    _, namespace, configmap = parts
    return sorted(f"{WORKLOAD_PLURALS[plural]} {namespace}/{obj['metadata']['name']}"
                  for plural, obj in workloads_in(ctx.cluster, [namespace])
                  if consumes(obj, configmap) or references_vault(obj, namespace, configmap))


def prove_role(vault: VaultGateway, mount: str, role: str, address: Address, timeout: float) -> str:
    """Issue a credential of `role`, log in with it, revoke its lease; the report line, or Unavailable."""
    issued = vault.issue_database_credential(mount, role)
    try:
        try:
            check_login(address, issued.username, issued.password, timeout=timeout)
        except Unavailable as exc:
            raise Unavailable(f"role {role}: a credential Vault issued did not log in: {exc}") from None
    finally:
        if issued.lease_id:
            vault.revoke_lease(issued.lease_id)
    return messages.role_logged_in(role, str(address))
