"""The small interfaces the domain calls, so it never imports Slack, renders Block Kit or knows who leads.

`bot/slack/` implements the chat and the directory over the Slack Web API, `bot/cluster/lease.py` the
leadership, `bot/runs/feed.py` the run feed; tests hand in their own. A chat call that Slack refuses
raises `bot.errors.SlackFailed` (the one Slack error type) and the caller keeps its state unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Protocol

Block = dict[str, Any]


class Chat(Protocol):
    def post(self, channel: str, blocks: Sequence[Block], text: str, thread_ts: str | None = None) -> str:
        """Post a message (a thread reply with `thread_ts`); returns its ts."""
        ...

    def update(self, channel: str, ts: str, blocks: Sequence[Block], text: str) -> None:
        """Replace a posted message in place."""
        ...

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        """Show a user their App Home tab."""
        ...

    def upload(self, channel: str, content: bytes, filename: str, title: str, comment: str,
               thread_ts: str | None = None) -> None:
        """Share a file (a chart) in the channel, in a thread with `thread_ts`, with a comment above it."""
        ...

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        """Open a modal for the user whose click carried `trigger_id` (valid for 3 seconds)."""
        ...

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        """Replace an open modal's content (a page of it)."""
        ...


class Directory(Protocol):
    def members(self, group_id: str) -> frozenset[str]:
        """The users of a user group (S…); a group that does not exist has none. Raises `bot.errors.Unavailable`
        when membership cannot be confirmed now: callers deny rather than guess."""
        ...


class Leadership(Protocol):
    """Who runs the scheduled jobs and executes approved runs, and the marks the leader hands over."""

    def leading(self) -> bool: ...

    def mark(self, key: str) -> str | None: ...

    def remember(self, key: str, value: str) -> None: ...


class AlwaysLeading:
    """One instance and no Lease (no cluster, or no channel for jobs): this instance leads and keeps no marks."""

    def leading(self) -> bool:
        return True

    def mark(self, key: str) -> str | None:
        return None

    def remember(self, key: str, value: str) -> None:
        return None


class RunInfo(Protocol):
    id: str
    task_id: str
    state: str  # requested | approved | running | succeeded | failed | rolled_back | rejected | expired
    requester: str
    approvers: Sequence[str]
    updated_at: datetime


class RunFeed(Protocol):
    """The runs the digest and App Home show, without depending on how runs are stored."""

    def runs_since(self, since: datetime | None, limit: int) -> Sequence[RunInfo]:
        """Runs that changed after `since` (all when None), newest first."""
        ...

    def pending(self) -> Sequence[RunInfo]:
        """Runs waiting for approval, oldest first."""
        ...


class Clock:
    """The one source of "now" every collaborator shares; tests steer it (`clock.now = …`) instead of sleeping."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now()
