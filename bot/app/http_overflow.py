"""Connections that arrive while every HTTP worker is busy: one thread and a selector, never a thread each.

A slow or half-sent connection costs a socket here, not a thread: heads are read as bytes arrive, a connection
silent past the read timeout is dropped, and beyond `max_connections` a newcomer gets 503 at once. A complete
head is answered by `answer` (health checks answer; anything else is 503, "busy"), so a liveness probe
still gets through while clients hog the workers.
"""

from __future__ import annotations

import selectors
import socket
import threading
import time
from collections.abc import Callable

MAX_HEAD = 8192


class OverflowLane:
    def __init__(self, answer: Callable[[bytes], bytes], *, max_connections: int = 256, timeout_s: float = 10.0) -> None:
        self.answer, self.max_connections, self.timeout_s = answer, max_connections, timeout_s
        self._selector = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._new: list[socket.socket] = []
        self._open: dict[socket.socket, tuple[float, bytearray]] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._stopped = False
        self.thread = threading.Thread(target=self._loop, name="http-overflow", daemon=True)
        self.thread.start()

    def add(self, sock: socket.socket) -> None:
        with self._lock:
            full = self._stopped or len(self._open) + len(self._new) >= self.max_connections
            if not full:
                self._new.append(sock)
        if full:
            reply(sock, self.answer(b""))
        else:
            self._wake_w.send(b"x")

    def close(self) -> None:
        with self._lock:
            self._stopped = True
        self._wake_w.send(b"x")
        self.thread.join(timeout=5)

    def _loop(self) -> None:
        while True:
            with self._lock:
                new, self._new = self._new, []
                stopped = self._stopped
            for sock in new:
                sock.setblocking(False)
                self._open[sock] = (time.monotonic() + self.timeout_s, bytearray())
                self._selector.register(sock, selectors.EVENT_READ)
            if stopped:
                break
            for key, _ in self._selector.select(timeout=1.0):
                if key.fileobj is self._wake_r:
                    self._drain_wakeups()
                else:
                    self._read(key.fileobj)  # type: ignore[arg-type]
            now = time.monotonic()
            for sock in [s for s, (deadline, _) in self._open.items() if deadline < now]:
                self._drop(sock)
        for sock in list(self._open):
            self._drop(sock)
        self._selector.close()
        self._wake_r.close()
        self._wake_w.close()

    def _read(self, sock: socket.socket) -> None:
        _, head = self._open[sock]
        try:
            data = sock.recv(4096)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._drop(sock)
            return
        head += data
        if b"\r\n\r\n" in head or b"\n\n" in head or len(head) > MAX_HEAD:
            self._selector.unregister(sock)
            del self._open[sock]
            reply(sock, self.answer(bytes(head)))

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_r.recv(512):
                pass
        except BlockingIOError:
            pass

    def _drop(self, sock: socket.socket) -> None:
        self._selector.unregister(sock)
        del self._open[sock]
        sock.close()


def reply(sock: socket.socket, response: bytes) -> None:
    """Write a short answer and close, reading what the client already sent first so the close is not a reset."""
    try:
        sock.setblocking(False)
        try:
            while sock.recv(65536):
                pass
        except (BlockingIOError, OSError):
            pass
        sock.settimeout(1.0)
        sock.sendall(response)
        sock.shutdown(socket.SHUT_WR)
    except OSError:
        pass
    finally:
        sock.close()
