"""What Vault's database credentials action and check tell people: prerequisites, impact, proofs, refusals."""

from __future__ import annotations


def root_credential_missing(source: str) -> str:
    return (f"the database root credential is not in Vault at {source}: run secrets-migration first "
            "(it moves the ConfigMap's credential there), or point the plan's root.path and root.field at it")


def root_credential_incomplete(connection: str, missing: str, source: str) -> str:
    return (f"connection {connection}: no {missing}: give `{missing}` in the plan, or store a connection string "
            f"(postgres://user:password@host:port/db) at {source}")


def root_login_refused(connection: str, address: str, source: str, reason: str) -> str:
    return (f"connection {connection}: the root credential at {source} does not log in to {address} ({reason}); "
            "Vault could not use it either: fix the credential in Vault first")


def root_rotation_irreversible(user: str, address: str, source: str, readers: list[str]) -> str:
    who = (f"; {', '.join(readers)} still read it (or its ConfigMap) and lose that login: move them to the role's "
           "credentials first" if readers else ", so anything still logging in with it loses its login")
    return (f"rotates the root password of {user}@{address}: a rotated root password cannot be un-rotated; "
            f"the old password in {source} (and the ConfigMap it came from) stops working{who}. Runs last, after a "
            "credential of every role logged in")


def root_rotation_deferred(user: str, address: str, readers: list[str], roles: list[str]) -> str:
    return (f"the root password of {user}@{address} is not rotated: {', '.join(readers)} still read it (or its "
            f"ConfigMap) and would lose their login. Move them to the credentials of role {', '.join(roles)}, then run "
            "this task again to rotate it (or set `rotate_while_read: true` if they do not log in with it)")


def engine_is_other_kind(mount: str, kind: str) -> str:
    return f"{mount}/ is already a {kind} secrets engine, not database: choose another `mount`"


def role_logged_in(role: str, address: str) -> str:
    return f":mag: role {role}: a credential Vault issued logged in to {address}; its lease is revoked"


def root_no_longer_logs_in(user: str, address: str, source: str) -> str:
    return f":lock: the old root password of {user}@{address} (from {source}) no longer logs in: only Vault knows it"


def root_still_logs_in(user: str, address: str, source: str) -> str:
    return f"the root password of {user}@{address} in {source} still logs in: it was not rotated"


def connection_kept(connection: str) -> str:
    return (f"kept connection {connection}: its root password was rotated and Vault holds the only copy "
            "(deleting it would lose the database's root login); a rotated root cannot be un-rotated")


def mount_kept(mount: str) -> str:
    return f"kept the {mount}/ engine: it holds a connection whose root password was rotated"
