"""Item 9 of issue 11: half-sent connections hold at most the pool, health checks still answer, the rest is 503."""

from __future__ import annotations

import socket
import threading

from tests.fixtures.bot import Carbon
from tests.fixtures.http import raw, serving

POOL = 4


def test_half_sent_connections_cannot_take_every_thread_or_the_health_check(bot: Carbon) -> None:
    before = threading.active_count()
    with serving(bot, workers=POOL, read_timeout_s=30) as address:
        held = [socket.create_connection(address, timeout=10) for _ in range(POOL + 5)]
        try:
            for sock in held:
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ntoken=")
            assert raw(address, "GET /healthz HTTP/1.1\r\nHost: x") == (200, b"ok\n")
            assert raw(address, "GET /metrics HTTP/1.1\r\nHost: x")[0] == 503
            assert raw(address, "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 0")[0] == 503
            assert threading.active_count() <= before + POOL + 3  # the pool, the overflow lane, the accept loop
        finally:
            for sock in held:
                sock.close()
