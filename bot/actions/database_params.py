"""The parameters of `configure_database_credentials`, checked when the plan loads (a typo is refused at once).

A connection names where its root credential lives in Vault (the KV v2 path the secrets migration wrote,
`carbon/<namespace>/<configmap>`, and the field): a password, or a connection string
(`postgres://user:password@host:port/db`) from which the user, host, port and database are taken unless given.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BeforeValidator, Field, model_validator

from bot.actions.base import Params

NAME = r"^[a-z0-9][a-z0-9_-]{0,62}$"
HOST = r"^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$"  # a DNS name or an IPv4 address: nothing that could end a URL
IDENT = r"^[A-Za-z_][A-Za-z0-9_$-]{0,62}$"  # a PostgreSQL user or database name we put in a URL
_DURATION = re.compile(r"^(\d+)([smhd]?)$")
_UNIT_S = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def _seconds(value: object) -> int:
    """A TTL as Vault takes it: seconds, or `30s`, `15m`, `1h`, `7d`."""
    match = _DURATION.match(str(value).strip())
    if isinstance(value, bool) or not match:
        raise ValueError(f"{value!r} is not a duration: give seconds or a number with s, m, h or d (e.g. 1h)")
    return int(match.group(1)) * _UNIT_S[match.group(2)]


Seconds = Annotated[int, BeforeValidator(_seconds), Field(gt=0, le=10 * 365 * 86400)]


def default_creation_statements(database: str) -> tuple[str, ...]:
    """A login that expires with its lease (`VALID UNTIL`) and may connect to the database; the application's own
    grants are for the plan to add (its `creation_statements`)."""
    return ("CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';",
            f'GRANT CONNECT ON DATABASE "{database}" TO "{{{{name}}}}";')


class RootCredential(Params):
    path: str = Field(pattern=r"^[a-z0-9][a-z0-9_./-]{0,254}$")  # KV v2 path under the bot's KV mount
    field: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,128}$")  # a password, or a postgres:// connection string
    username: str | None = Field(None, pattern=IDENT)
    username_field: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]{1,128}$")

    @model_validator(mode="after")
    def _one_username(self) -> RootCredential:
        if self.username and self.username_field:
            raise ValueError("give username or username_field, not both")
        if ".." in self.path:
            raise ValueError("path must not contain '..'")
        return self

    @property
    def source(self) -> str:
        return f"secret/{self.path}#{self.field}"


class DatabaseRole(Params):
    name: str = Field(pattern=NAME)
    default_ttl: Seconds = 3600
    max_ttl: Seconds = 86400
    creation_statements: tuple[str, ...] | None = None  # None: default_creation_statements(database)
    revocation_statements: tuple[str, ...] = ()  # empty: the plugin's own (revoke and drop the user)

    @model_validator(mode="after")
    def _ttls(self) -> DatabaseRole:
        if self.default_ttl > self.max_ttl:
            raise ValueError(f"default_ttl ({self.default_ttl}s) is longer than max_ttl ({self.max_ttl}s)")
        statements = self.creation_statements
        if statements is not None and not any("{{name}}" in s or "{{username}}" in s for s in statements):
            raise ValueError("creation_statements must create the user Vault names: use {{name}} (and {{password}})")
        return self


class DatabaseConnection(Params):
    name: str = Field(pattern=NAME)
    plugin: Literal["postgresql"] = "postgresql"
    root: RootCredential
    host: str | None = Field(None, pattern=HOST)  # None: from the connection string at root
    port: int | None = Field(None, ge=1, le=65535)  # None: from the connection string, else 5432
    database: str | None = Field(None, pattern=IDENT)  # None: from the connection string
    ssl_mode: Literal["disable", "prefer", "require", "verify-full"] | None = None  # None: the string's, else prefer
    rotate_root: bool = True
    # A root credential that workloads still read (its ConfigMap, or the Secret synced from its Vault copy) is not
    # rotated: they would lose their login. The plan warns instead; run again once they use the roles' credentials.
    # True rotates anyway (they read it but do not log in with it).
    rotate_while_read: bool = False
    # A Vault password policy (sys/policies/password/<name>) for the passwords Vault generates: issued ones and the
    # rotated root. None: the plugin's default.
    password_policy: str | None = Field(None, pattern=NAME)
    roles: tuple[DatabaseRole, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_roles(self) -> DatabaseConnection:
        names = [r.name for r in self.roles]
        if len(names) != len(set(names)):
            raise ValueError(f"connection {self.name}: role names repeat")
        return self


class DatabaseCredentialsParams(Params):
    mount: str = Field("database", pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")
    connections: tuple[DatabaseConnection, ...] = Field(min_length=1)
    login_timeout_s: float = Field(10, gt=0, le=120)

    @model_validator(mode="after")
    def _unique(self) -> DatabaseCredentialsParams:
        names = [c.name for c in self.connections]
        roles = [r.name for c in self.connections for r in c.roles]
        if len(names) != len(set(names)):
            raise ValueError("connection names repeat")
        if len(roles) != len(set(roles)):
            raise ValueError(f"role names repeat across connections (one {self.mount}/roles/<name> each)")
        return self
