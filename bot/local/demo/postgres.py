"""A real PostgreSQL server on a free loopback port, with password (SCRAM) authentication.

Why it exists: `configure_database_credentials` is proven against a real database (tests and, when the binaries
are installed, `carbon console --demo`): Vault's database engine logs in to it, creates users, rotates the root
password, and the bot logs in with what Vault issued. The binaries come from PyPI: the `pgserver` wheel ships
initdb and postgres (PostgreSQL 16) for Linux and macOS. Only its binaries are used here: its own server wrapper
listens on a Unix socket only, and Vault needs TCP.

PostgreSQL refuses to run as root, and CI runs as root: then initdb and postgres run as the unprivileged user
`nobody` (Popen's `user=`/`group=`), in a temporary folder that user owns; when that user cannot reach the
installed binaries (a venv under /root), they are copied once to the temporary folder first.
"""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

__all__ = ["PostgresServer", "postgres_binaries"]

SUPERUSER = "postgres"
UNPRIVILEGED = 65534  # `nobody`: the uid and gid postgres runs as when we are root


def postgres_binaries() -> Path | None:
    """The folder holding `initdb` and `postgres` from the `pgserver` wheel; None when it is not installed."""
    spec = importlib.util.find_spec("pgserver")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folder = Path(location) / "pginstall" / "bin"
        if (folder / "postgres").is_file() and (folder / "initdb").is_file():
            return folder
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _others_can_reach(folder: Path) -> bool:
    """Every folder above the binaries lets other users through (a venv under /root, mode 700, does not)."""
    return all(parent.stat().st_mode & 0o001 for parent in folder.resolve().parents)


def _copy_for_others(binaries: Path) -> Path:
    """A copy of the installation where the unprivileged user can read it, made once per machine and installed
    version. The layout is kept: PostgreSQL finds lib/ and share/ relative to its binaries, and the wheel's binaries
    find their bundled libpq in `pgserver.libs` beside the package (RPATH `$ORIGIN/../../../pgserver.libs`)."""
    source = binaries.parent  # …/site-packages/pgserver/pginstall
    stamp = f"{source.stat().st_mtime_ns}-{(binaries / 'postgres').stat().st_size}"
    target = Path(tempfile.gettempdir()) / f"carbon-postgres-bin-{stamp}"
    if not (target / "pgserver" / "pginstall" / "bin" / "postgres").is_file():
        staging = Path(tempfile.mkdtemp(prefix="carbon-postgres-bin-"))
        for part in ("bin", "lib", "share"):
            shutil.copytree(source / part, staging / "pgserver" / "pginstall" / part, symlinks=True)
        libs = source.parent.parent / "pgserver.libs"
        if libs.is_dir():
            shutil.copytree(libs, staging / "pgserver.libs", symlinks=True)
        for folder in (staging, *staging.rglob("*")):
            if folder.is_dir():
                folder.chmod(0o755)
        with contextlib.suppress(OSError):  # another process copied it first: use theirs
            staging.rename(target)
        shutil.rmtree(staging, ignore_errors=True)
    return target / "pgserver" / "pginstall" / "bin"


class PostgresServer:
    """Start and stop one PostgreSQL cluster in a temporary folder; usable as a context manager.

    `password` is the superuser's (`postgres`); it never leaves this object except through `dsn()` for tests
    and the demo's seeding.
    """

    def __init__(self) -> None:
        self.password = secrets.token_urlsafe(18)
        self.host = "127.0.0.1"
        self.port: int | None = None
        self.folder: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def log_path(self) -> Path | None:
        return self.folder / "postgres.log" if self.folder else None

    def start(self, timeout: float = 60) -> PostgresServer:
        """initdb, then postgres on a free port; waits until it accepts TCP connections. Raises RuntimeError naming
        the log and its last lines when it does not come up."""
        if self.running:
            return self
        binaries = postgres_binaries()
        if binaries is None:
            raise RuntimeError("PostgreSQL binaries not found (install the pgserver package: pip install -e '.[dev]')")
        self.folder = Path(tempfile.mkdtemp(prefix="carbon-postgres-"))
        as_user = self._user_kwargs()
        if as_user and not _others_can_reach(binaries):
            binaries = _copy_for_others(binaries)
        if as_user:
            os.chown(self.folder, UNPRIVILEGED, UNPRIVILEGED)
        pwfile = self.folder / "pw"
        pwfile.write_text(self.password + "\n")
        if as_user:
            os.chown(pwfile, UNPRIVILEGED, UNPRIVILEGED)
        pwfile.chmod(0o600)
        data = self.folder / "data"
        init = subprocess.run([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=scram-sha-256",
                               f"--pwfile={pwfile}", "-E", "UTF8", "--no-sync"],
                              capture_output=True, timeout=timeout, check=False, **as_user)
        pwfile.unlink()
        if init.returncode != 0:
            tail = (init.stderr or init.stdout).decode(errors="replace")[-2000:]
            hint = (" (the unprivileged user cannot reach the binaries: every folder above "
                    f"{binaries} must be readable by others)" if as_user and "Permission denied" in tail else "")
            raise RuntimeError(f"initdb failed{hint}:\n{tail}")
        deadline = time.monotonic() + timeout
        for _ in range(3):  # a free port can be taken between picking and binding
            self.port = _free_port()
            self._launch(binaries, data, as_user)
            if self._wait_ready(deadline):
                atexit.register(self.stop)
                return self
            self._stop_process()
        raise RuntimeError(f"PostgreSQL did not start; log {self.log_path}:\n{self._tail()}")

    def _user_kwargs(self) -> dict[str, Any]:
        return {"user": UNPRIVILEGED, "group": UNPRIVILEGED, "extra_groups": []} if os.geteuid() == 0 else {}

    def _launch(self, binaries: Path, data: Path, as_user: dict[str, Any]) -> None:
        assert self.log_path is not None
        self._log = self.log_path.open("ab")
        self._proc = subprocess.Popen(
            [str(binaries / "postgres"), "-D", str(data), "-h", self.host, "-p", str(self.port), "-k", str(self.folder),
             "-c", "fsync=off", "-c", "max_connections=50", "-c", "shared_buffers=16MB"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT, start_new_session=True, **as_user)

    def _wait_ready(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            if "ready to accept connections" in self._tail(50):
                with contextlib.suppress(OSError), socket.create_connection((self.host, int(self.port or 0)), timeout=1):
                    return True
            time.sleep(0.05)
        return False

    def _tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.log_path or Path("-")).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(log unreadable)"

    def connect(self, database: str = "postgres", user: str = SUPERUSER, password: str | None = None) -> Any:
        """A pg8000 connection (autocommit), as the superuser unless told otherwise: for tests and demo seeding."""
        import pg8000.native

        return pg8000.native.Connection(user, password=self.password if password is None else password,
                                        host=self.host, port=int(self.port or 0), database=database, timeout=10)

    def create_owner(self, database: str, owner: str, password: str) -> None:
        """A database owned by a role that can create roles: what an application's "root" credential usually is,
        and what Vault's database engine logs in as to create short-lived users."""
        import pg8000.native

        conn = self.connect()
        try:
            conn.run(f'CREATE ROLE "{owner}" LOGIN CREATEROLE PASSWORD {pg8000.native.literal(password)}')
            conn.run(f'CREATE DATABASE "{database}" OWNER "{owner}"')
        finally:
            conn.close()

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder; safe to call twice."""
        atexit.unregister(self.stop)
        self._stop_process()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _stop_process(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGINT)  # postgres's "fast" shutdown
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        if self._log is not None:
            self._log.close()
            self._log = None

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
