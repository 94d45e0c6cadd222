"""Log in to PostgreSQL as an application would, to prove a credential works (or no longer does).

The only module that imports the driver (pg8000: pure Python, no libpq to install in the bot's image; it speaks
SCRAM-SHA-256, PostgreSQL's default password authentication). Failures become `Unavailable` with a reason built
from the server's SQLSTATE and our own words, never the driver's text: no value a caller passed (a password) can
reach a message. `LoginRefused` is the server saying no to the credential, as opposed to not being reached.
"""

from __future__ import annotations

import contextlib
import ssl
from dataclasses import dataclass
from typing import Any

import pg8000.exceptions
import pg8000.native

from bot.errors import Unavailable

# SQLSTATEs a refused login answers with: https://www.postgresql.org/docs/current/errcodes-appendix.html
REFUSALS = {"28P01": "password authentication failed", "28000": "no pg_hba.conf entry or invalid authorization",
            "3D000": "database does not exist", "42501": "not allowed to log in"}


class LoginRefused(Unavailable):
    """The server answered and refused the credential (wrong or expired password, unknown user, no access)."""


@dataclass(frozen=True)
class Address:
    host: str
    port: int
    database: str
    # disable, prefer, require, verify-full, as libpq names them. The bot's own login encrypts for require and
    # verify-full only (pg8000 has no "try TLS, then plain"); Vault's engine (pgx) honours prefer as libpq does.
    ssl_mode: str = "prefer"

    def __str__(self) -> str:
        return f"{self.host}:{self.port}/{self.database}"


def check_login(address: Address, username: str, password: str, *, timeout: float = 10) -> None:
    """Log in, run `SELECT 1`, log out. Raises LoginRefused when the server refuses the credential and Unavailable
    when it cannot be reached or fails otherwise."""
    try:
        conn = _connect(address, username, password, timeout)
    except pg8000.exceptions.DatabaseError as exc:
        code = _sqlstate(exc)
        if code in REFUSALS:
            raise LoginRefused(f"PostgreSQL {address} refused the login ({code}: {REFUSALS[code]})") from None
        raise Unavailable(f"PostgreSQL {address} failed the login (SQLSTATE {code or 'unknown'})") from None
    except (pg8000.exceptions.InterfaceError, OSError):  # TimeoutError is an OSError
        raise Unavailable(f"PostgreSQL {address} could not be reached from Carbon") from None
    try:
        conn.run("SELECT 1")
    except pg8000.exceptions.DatabaseError as exc:
        raise Unavailable(f"PostgreSQL {address} failed a query after login (SQLSTATE {_sqlstate(exc)})") from None
    finally:
        with contextlib.suppress(Exception):  # closing a connection that already broke says nothing new
            conn.close()


def _connect(address: Address, username: str, password: str, timeout: float) -> Any:
    ssl_context: Any = None
    if address.ssl_mode in ("require", "verify-full"):
        ssl_context = ssl.create_default_context()
        if address.ssl_mode == "require":  # libpq's `require`: encrypted, certificate not verified
            ssl_context.check_hostname = False
            ssl_context.verify_mode = ssl.CERT_NONE
    return pg8000.native.Connection(username, password=password, host=address.host, port=address.port,
                                    database=address.database, timeout=timeout, ssl_context=ssl_context)


def _sqlstate(exc: BaseException) -> str:
    detail = exc.args[0] if exc.args else None
    return str(detail.get("C") or "") if isinstance(detail, dict) else ""
