"""The Slack side of a run: post the approval request, update it in place, reply in its thread.

A gateway (it holds the WebClient) so the run domain never imports slack_sdk. A Slack failure becomes
`SlackFailed` with Slack's error code; the run flow records it in the audit log and tells the user (the
run's state in SQLite is the record, Slack is the view).
"""

from __future__ import annotations

from typing import Any

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import SlackFailed

log = structlog.get_logger(__name__)


class SlackRunNotifier:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, blocks: list[dict[str, Any]], text: str) -> str:
        """Returns the message ts; raises SlackFailed when Slack refused."""
        answer = _call("chat.postMessage", lambda: self.client.chat_postMessage(channel=channel, blocks=blocks, text=text))
        return str(answer.get("ts") or "")

    def update(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        if channel and ts:
            _call("chat.update", lambda: self.client.chat_update(channel=channel, ts=ts, blocks=blocks, text=text))

    def reply(self, channel: str, ts: str, text: str) -> None:
        if channel and ts:
            _call("chat.postMessage", lambda: self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text))


def _call(method: str, fn: Any) -> Any:
    try:
        return fn()
    except SlackApiError as exc:
        code = str(exc.response.get("error") or "error")
        log.warning("slack_call_failed", method=method, error=code)
        raise SlackFailed(method, code) from None
    except OSError:
        log.warning("slack_call_failed", method=method, error="unreachable")
        raise SlackFailed(method, "unreachable") from None


class SlackDirectory:
    """User-group members through `usergroups.users.list`, cached briefly (a minute)."""

    def __init__(self, client: WebClient, clock: Any, ttl_s: float = 60.0) -> None:
        self.client, self.clock, self.ttl_s = client, clock, ttl_s
        self._cache: dict[str, tuple[Any, frozenset[str]]] = {}

    def members(self, group_id: str) -> frozenset[str]:
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
