"""The Slack gateway: jobs post through it (chat.postMessage, chat.update) without the domain importing Slack.

Every Slack failure (an `ok: false` answer, HTTP errors, an unreachable API) becomes PostFailed with
Slack's error code only.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.ports import Block, PostFailed


class SlackPoster:
    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post(self, channel: str, blocks: Sequence[Block], text: str, thread_ts: str | None = None) -> str:
        try:
            response = self.client.chat_postMessage(channel=channel, blocks=list(blocks), text=text, thread_ts=thread_ts)
        except SlackApiError as exc:
            raise PostFailed(str(exc.response.get("error", "error"))) from None
        except OSError:
            raise PostFailed("Slack is unreachable") from None
        return str(response["ts"])

    def update(self, channel: str, ts: str, blocks: Sequence[Block], text: str) -> None:
        try:
            self.client.chat_update(channel=channel, ts=ts, blocks=list(blocks), text=text)
        except SlackApiError as exc:
            raise PostFailed(str(exc.response.get("error", "error"))) from None
        except OSError:
            raise PostFailed("Slack is unreachable") from None
