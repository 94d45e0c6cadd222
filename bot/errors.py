"""The two kinds of error (STYLE.md): a UserError is shown verbatim; anything else gets a reference.

`describe_failure` is the one place library exceptions become words. It never uses an exception's own
text: `ApiException`'s string carries response headers and body, hvac's the URL and payload, and either
can hold a secret value.
"""

from __future__ import annotations

import secrets

from bot import messages


class UserError(Exception):
    """Something the user can fix; the message is shown to them as it is."""


class Unavailable(Exception):
    """A source (cluster, Vault, Prometheus) could not answer; the reason is safe to show."""


class SlackFailed(Unavailable):
    """Slack refused or did not answer a Web API call; `code` is Slack's error code (e.g. not_in_channel)."""

    def __init__(self, method: str, code: str) -> None:
        self.method, self.code = method, code
        super().__init__(f"Slack refused {method} ({code})")

    status = ""  # what metrics label the failure by: an HTTP status, or timeout / unreachable / invalid


def new_ref() -> str:
    """A short id that ties what the user saw to the log line with the traceback."""
    return secrets.token_hex(3)


def describe_failure(exc: BaseException, ref: str) -> str:
    """What the user sees for an unexpected error: never the exception text."""
    if isinstance(exc, UserError | Unavailable):
        return str(exc)
    return messages.something_went_wrong(ref)
