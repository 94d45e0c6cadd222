"""User-group members through `usergroups.users.list`, cached for a minute (one lookup per group, not per click).

Membership decides who may request, approve and roll back, so it fails closed: past the cache TTL, a lookup
Slack does not answer (rate limited, down) raises `Unavailable` with a sentence for the user instead of
trusting members seen long ago, or treating the user as outside the group. A group Slack says does not
exist has no members.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import messages
from bot.errors import Unavailable

log = structlog.get_logger(__name__)

NO_SUCH_GROUP = frozenset({"no_such_subteam", "subteam_not_found"})


class SlackDirectory:
    def __init__(self, client: WebClient, clock: Callable[[], datetime], ttl_s: float = 60.0) -> None:
        self.client, self.clock, self.ttl_s = client, clock, ttl_s
        self._cache: dict[str, tuple[datetime, frozenset[str]]] = {}

    def members(self, group_id: str) -> frozenset[str]:
        """Raises Unavailable when Slack cannot say and what we saw is older than the TTL (or never seen)."""
        now = self.clock()
        cached = self._cache.get(group_id)
        if cached and 0 <= (now - cached[0]).total_seconds() < self.ttl_s:
            return cached[1]
        try:
            users = frozenset(self.client.usergroups_users_list(usergroup=group_id).get("users") or [])
        except SlackApiError as exc:
            if exc.response.get("error") not in NO_SUCH_GROUP:
                raise self._unconfirmed(group_id, exc) from None
            users = frozenset()
        except OSError as exc:
            raise self._unconfirmed(group_id, exc) from None
        self._cache[group_id] = (now, users)
        return users

    def _unconfirmed(self, group_id: str, exc: Exception) -> Unavailable:
        log.warning("usergroup_lookup_failed", group=group_id, error=type(exc).__name__)
        return Unavailable(messages.group_membership_unconfirmed())
