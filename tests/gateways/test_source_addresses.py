"""Issue 11, item 12: what the channel reads about a source that failed names the source, not its address
(the status footer names the cluster and Vault it measured from; nothing else does)."""

from __future__ import annotations

import socket

import hvac
import pytest

from bot import messages
from bot.errors import Unavailable
from bot.vault.gateway import VaultGateway


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_unreachable_vault_is_named_not_addressed() -> None:
    port = closed_port()
    gateway = VaultGateway(hvac.Client(url=f"http://127.0.0.1:{port}", token="t", timeout=2))
    with pytest.raises(Unavailable) as raised:
        gateway.read("secret/data/x")
    assert str(raised.value) == messages.source_unreachable("Vault")
    assert str(port) not in str(raised.value) and "127.0.0.1" not in str(raised.value)
