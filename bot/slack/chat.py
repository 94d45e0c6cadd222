"""The one Slack poster: messages, thread replies, in-place updates, App Home, modals and file uploads, over
the Web API.

Every failure (an `ok: false` answer, an HTTP error, an unreachable API) becomes `SlackFailed` with the
method and Slack's error code only (for a refused upload POST, `http_<status>` or `upload_failed`), so the
caller can record it and keep its own state unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.error import HTTPError

import structlog
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.errors import SlackFailed
from bot.ports import Block

log = structlog.get_logger(__name__)


class SlackChat:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, blocks: Sequence[Block], text: str, thread_ts: str | None = None) -> str:
        answer = call("chat.postMessage", lambda: self.client.chat_postMessage(
            channel=channel, blocks=list(blocks) or None, text=text, thread_ts=thread_ts))
        return str(answer.get("ts") or "")

    def update(self, channel: str, ts: str, blocks: Sequence[Block], text: str) -> None:
        call("chat.update", lambda: self.client.chat_update(channel=channel, ts=ts, blocks=list(blocks), text=text))

    def publish_home(self, user_id: str, view: dict[str, Any]) -> None:
        call("views.publish", lambda: self.client.views_publish(user_id=user_id, view=view))

    def upload(self, channel: str, content: bytes, filename: str, title: str, comment: str,
               thread_ts: str | None = None) -> None:
        """files.uploadV2: ask for an upload URL, POST the bytes to it, complete the upload into the channel/thread."""
        call("files.uploadV2", lambda: self.client.files_upload_v2(
            channel=channel, content=content, filename=filename, title=title, initial_comment=comment,
            thread_ts=thread_ts))

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> None:
        call("views.open", lambda: self.client.views_open(trigger_id=trigger_id, view=view))

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        call("views.update", lambda: self.client.views_update(view_id=view_id, view=view))


def call(method: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except SlackApiError as exc:
        code = str(exc.response.get("error") or "error")
        log.warning("slack_call_failed", method=method, error=code)
        raise SlackFailed(method, code) from None
    except HTTPError as exc:  # only the upload POST gets here: the Web API's own HTTP errors are SlackApiError
        log.warning("slack_call_failed", method=method, error=f"http_{exc.code}")
        raise SlackFailed(method, f"http_{exc.code}") from None
    except SlackRequestError:  # files_upload_v2: the upload URL answered but not with 200
        log.warning("slack_call_failed", method=method, error="upload_failed")
        raise SlackFailed(method, "upload_failed") from None
    except OSError:
        log.warning("slack_call_failed", method=method, error="unreachable")
        raise SlackFailed(method, "unreachable") from None
