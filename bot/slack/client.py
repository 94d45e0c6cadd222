"""The WebClient every Slack call goes through, counting failures by API method for /metrics.

Bolt hands this client to every listener, and the run notifier, the job poster and the user-group
directory hold it too, so `chat.postMessage`, `chat.update`, `views.publish` and
`usergroups.users.list` failures are all counted here, once, whichever module made the call.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse


class CountingWebClient(WebClient):
    def __init__(self, *args: Any, on_error: Callable[[str, str], None] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.on_error = on_error

    def api_call(self, api_method: str, *args: Any, **kwargs: Any) -> SlackResponse:
        try:
            return super().api_call(api_method, *args, **kwargs)
        except SlackApiError as exc:
            self._count(api_method, str(exc.response.get("error") or "error"))
            raise
        except OSError:
            self._count(api_method, "unreachable")
            raise

    def _count(self, method: str, error: str) -> None:
        if self.on_error is not None:
            self.on_error(method, error)
