"""`configure_database_credentials`: applications get short-lived database logins from Vault, not a static password.

Plan: enable the database secrets engine at `<mount>/` when it is not mounted; per connection, `<mount>/config/<name>`
(PostgreSQL: `postgresql-database-plugin`) whose root login is read from Vault KV (where the secrets migration put
it), a role per application (`<mount>/roles/<role>`: creation statements, default and max TTL), and the root
rotation (`<mount>/rotate-root/<name>`), which is irreversible: listed in the impact and applied last. Before any
write the plan logs in with the root credential, so a wrong one is refused, not discovered half-way; once the
connection exists, that login tells whether the root was rotated already (the old password is refused).

Apply writes the engine, connections and roles (Vault verifies each connection by logging in), then proves every
role: a credential it issues logs in to the database, its lease revoked at once. Only then is the root rotated.
Verify repeats the role proofs and checks the old root password no longer logs in. Rollback undoes what the run
applied: roles deleted (or put back as they were), connections deleted, the engine disabled if the run enabled it;
a connection whose root was rotated is kept (Vault holds the only copy of its password), and so is its engine.

Needs RBAC: `list` deployments and statefulsets in the root credential's namespace (the impact names the workloads
that read it and would lose their login); the bot's pod must reach the database (the proofs log in).
Needs Vault policy: `sys/mounts` read; `sys/mounts/<mount>` create/update/delete; `<mount>/config/*`,
`<mount>/roles/*` create/read/update/delete; `<mount>/creds/*` read; `<mount>/rotate-root/*` update;
`sys/leases/revoke` update; `secret/data/<root.path>` read.
"""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact
from bot.actions.database_login import RootLogin, prove_role, refusal_reason, resolve, root_readers
from bot.actions.database_params import DatabaseConnection, DatabaseCredentialsParams, DatabaseRole, default_creation_statements
from bot.errors import Unavailable, UserError
from bot.vault.gateway import VaultGateway

PLUGIN = "postgresql-database-plugin"


def _connection_url(root: RootLogin) -> str:
    a = root.address
    return f"postgresql://{{{{username}}}}:{{{{password}}}}@{a.host}:{a.port}/{a.database}?sslmode={a.ssl_mode}"


def _config(conn: DatabaseConnection, root: RootLogin) -> dict[str, Any]:
    """The connection as Vault stores it, without the password (never sent unless Vault has none yet)."""
    return {"plugin_name": PLUGIN, "connection_url": _connection_url(root), "username": root.username,
            "allowed_roles": sorted(r.name for r in conn.roles), "password_policy": conn.password_policy or ""}


def _same_config(current: dict[str, Any], want: dict[str, Any]) -> bool:
    details = current.get("connection_details") or {}
    return (current.get("plugin_name") == want["plugin_name"] and details.get("connection_url") == want["connection_url"]
            and details.get("username") == want["username"]
            and sorted(current.get("allowed_roles") or []) == want["allowed_roles"]
            and (current.get("password_policy") or "") == want["password_policy"])


def _role(conn: DatabaseConnection, role: DatabaseRole, database: str) -> dict[str, Any]:
    return {"db_name": conn.name, "default_ttl": role.default_ttl, "max_ttl": role.max_ttl,
            "creation_statements": list(role.creation_statements or default_creation_statements(database)),
            "revocation_statements": list(role.revocation_statements)}


def _same_role(current: dict[str, Any], want: dict[str, Any]) -> bool:
    return all(current.get(k) == v or (not current.get(k) and not v) for k, v in want.items())


def _stored_role(current: dict[str, Any]) -> dict[str, Any]:
    return {k: current.get(k) for k in ("db_name", "default_ttl", "max_ttl", "creation_statements", "revocation_statements")}


def plan(params: DatabaseCredentialsParams, ctx: ActionContext) -> ActionPlan:
    vault = ctx.secrets()
    kind = vault.secrets_engines().get(params.mount)
    if kind not in (None, "database"):
        raise UserError(messages.engine_is_other_kind(params.mount, kind))
    changes: list[Change] = []
    rotations: list[Change] = []
    irreversible: list[str] = []
    warnings: list[str] = []
    previous: dict[str, Any] = {"configs": {}, "roles": {}}
    if kind is None:
        changes.append(Change("enable", f"vault secrets {params.mount}/", "database secrets engine"))
    for conn in params.connections:
        root = resolve(conn, vault)
        current = vault.read(f"{params.mount}/config/{conn.name}") if kind else None
        refused = refusal_reason(root, params.login_timeout_s)
        if current is None and refused:
            raise UserError(messages.root_login_refused(conn.name, str(root.address), root.source, refused))
        want = _config(conn, root)
        if current is None or not _same_config(current, want):
            if current is not None:
                details = current.get("connection_details") or {}
                previous["configs"][conn.name] = {"plugin_name": current.get("plugin_name"),
                                                  "connection_url": details.get("connection_url"),
                                                  "username": details.get("username"),
                                                  "allowed_roles": list(current.get("allowed_roles") or []),
                                                  "password_policy": current.get("password_policy") or ""}
            changes.append(Change("configure", f"vault {params.mount}/config/{conn.name}",
                                  f"{PLUGIN} at {root.address} as {root.username}, root credential from {root.source}, "
                                  f"allowed roles {', '.join(want['allowed_roles'])}"))
        for role in conn.roles:
            path = f"{params.mount}/roles/{role.name}"
            existing = vault.read(path) if kind else None
            if existing is None or not _same_role(existing, _role(conn, role, root.address.database)):
                if existing is not None:
                    previous["roles"][role.name] = _stored_role(existing)
                changes.append(Change("write", f"vault {path}",
                                      f"on {conn.name}: default_ttl {role.default_ttl}s, max_ttl {role.max_ttl}s, "
                                      f"{len(_role(conn, role, root.address.database)['creation_statements'])} "
                                      "creation statement(s)"))
        if conn.rotate_root and not (current is not None and refused):  # refused once configured: rotated already
            readers = root_readers(ctx, conn.root)
            if readers and not conn.rotate_while_read:  # rotating now would cut their login: the platform breaks
                warnings.append(messages.root_rotation_deferred(root.username, str(root.address), readers,
                                                                [r.name for r in conn.roles]))
                continue
            rotations.append(Change("rotate", f"vault {params.mount}/rotate-root/{conn.name}",
                                    f"the password of {root.username}@{root.address} becomes known only to Vault"))
            irreversible.append(messages.root_rotation_irreversible(root.username, str(root.address), root.source,
                                                                    readers))
    return ActionPlan(tuple(changes + rotations), {"enabled": kind is None, "previous": previous},
                      Impact(irreversible=tuple(irreversible), warnings=tuple(warnings)))


def apply(params: DatabaseCredentialsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    vault = ctx.secrets()
    by_name = {c.name: c for c in params.connections}
    roles = {r.name: (c, r) for c in params.connections for r in c.roles}
    for change in planned.changes:
        if change.op == "rotate":
            continue
        if change.op == "enable" and params.mount not in vault.secrets_engines():
            vault.enable_secrets_engine("database", params.mount)
        elif change.op == "configure":
            conn = by_name[change.target.rsplit("/", 1)[-1]]
            _configure(params, conn, resolve(conn, vault), vault)
        elif change.op == "write":
            conn, role = roles[change.target.rsplit("/", 1)[-1]]
            database = resolve(conn, vault).address.database
            vault.write_explained(f"{params.mount}/roles/{role.name}", _role(conn, role, database))
        ctx.step(change)
    _prove_roles(params, ctx)  # every role logs in before the irreversible step
    for change in planned.changes:
        if change.op == "rotate":
            vault.write_explained(f"{params.mount}/rotate-root/{change.target.rsplit('/', 1)[-1]}", {})
            ctx.step(change)


def _configure(params: DatabaseCredentialsParams, conn: DatabaseConnection, root: RootLogin, vault: VaultGateway) -> None:
    """Vault logs in to verify the connection. The password is sent only when Vault has none yet: an update keeps
    the one Vault holds (which may be rotated already)."""
    path = f"{params.mount}/config/{conn.name}"
    data = _config(conn, root)
    if vault.read(path) is None:
        data["password"] = root.password
    vault.write_explained(path, data, hide=(root.password,))


def _prove_roles(params: DatabaseCredentialsParams, ctx: ActionContext) -> None:
    vault = ctx.secrets()
    for conn in params.connections:
        address = resolve(conn, vault).address
        for role in conn.roles:
            ctx.report(prove_role(vault, params.mount, role.name, address, params.login_timeout_s))


def verify(params: DatabaseCredentialsParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    """A credential of every role logs in; the old root password of every rotated connection no longer does."""
    problems: list[str] = []
    vault = ctx.secrets()
    planned_keys = {c.key for c in planned.changes}
    for conn in params.connections:
        root = resolve(conn, vault)
        for role in conn.roles:
            try:
                ctx.report(prove_role(vault, params.mount, role.name, root.address, params.login_timeout_s))
            except Unavailable as exc:
                problems.append(str(exc))
        if f"rotate vault {params.mount}/rotate-root/{conn.name}" in planned_keys:
            if refusal_reason(root, params.login_timeout_s) is None:
                problems.append(messages.root_still_logs_in(root.username, str(root.address), root.source))
            else:
                ctx.report(messages.root_no_longer_logs_in(root.username, str(root.address), root.source))
    return problems


def rollback(params: DatabaseCredentialsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    vault = ctx.secrets()
    previous = planned.data.get("previous") or {}
    applied = [c for c in planned.changes if c.key in ctx.applied]
    rotated = {c.target.rsplit("/", 1)[-1] for c in applied if c.op == "rotate"}
    for change in reversed(applied):
        name = change.target.rsplit("/", 1)[-1]
        if change.op == "write":
            if name in previous.get("roles", {}):
                vault.write_explained(f"{params.mount}/roles/{name}", previous["roles"][name])
            else:
                vault.delete(f"{params.mount}/roles/{name}")
        elif change.op == "configure":
            if name in rotated:
                ctx.report(":lock: " + messages.connection_kept(name))
                continue
            if name in previous.get("configs", {}):
                vault.write_explained(f"{params.mount}/config/{name}", previous["configs"][name])
            else:
                vault.delete(f"{params.mount}/config/{name}")
        elif change.op == "enable":
            if rotated:
                ctx.report(":lock: " + messages.mount_kept(params.mount))
                continue
            vault.disable_secrets_engine(params.mount)
        elif change.op == "rotate":
            continue  # cannot be undone; the connection holding the new password is kept (above)
        ctx.report(f":leftwards_arrow_with_hook: undid {change.line()}")


CONFIGURE_DATABASE_CREDENTIALS = ActionKind("configure_database_credentials", DatabaseCredentialsParams, plan, apply,
                                            verify, rollback, __doc__ or "")
