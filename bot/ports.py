"""What the domain needs from a chat service to post alerts and digests, without importing Slack.

`bot/slack_gateway.py` implements it over the Slack Web API; a failed call raises PostFailed so the caller
leaves its state unchanged and tries again on the next run.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

Block = dict[str, Any]


class PostFailed(Exception):
    """Slack did not take the message; the reason (Slack's error code) is safe to log."""


class ChatPoster(Protocol):
    def post(self, channel: str, blocks: Sequence[Block], text: str, thread_ts: str | None = None) -> str:
        """Post a message (or a thread reply); returns its ts."""
        ...

    def update(self, channel: str, ts: str, blocks: Sequence[Block], text: str) -> None:
        """Replace a posted message in place."""
        ...
