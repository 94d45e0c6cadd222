"""User-group members through `usergroups.users.list`, cached for a minute (one lookup per group, not per click)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = structlog.get_logger(__name__)


class SlackDirectory:
    def __init__(self, client: WebClient, clock: Callable[[], datetime], ttl_s: float = 60.0) -> None:
        self.client, self.clock, self.ttl_s = client, clock, ttl_s
        self._cache: dict[str, tuple[datetime, frozenset[str]]] = {}

    def members(self, group_id: str) -> frozenset[str]:
        """A failed lookup falls back to the last members seen (none when never seen)."""
        now = self.clock()
        cached = self._cache.get(group_id)
        if cached and (now - cached[0]).total_seconds() < self.ttl_s:
            return cached[1]
        try:
            users = frozenset(self.client.usergroups_users_list(usergroup=group_id).get("users") or [])
        except (SlackApiError, OSError) as exc:
            log.warning("usergroup_lookup_failed", group=group_id, error=type(exc).__name__)
            return cached[1] if cached else frozenset()
        self._cache[group_id] = (now, users)
        return users
