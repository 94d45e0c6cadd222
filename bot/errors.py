"""The two kinds of error (STYLE.md): a UserError is shown verbatim; anything else gets a reference.

`describe_failure` is the one place library exceptions become words. It never uses an exception's own
text: `ApiException`'s string carries response headers and body, hvac's the URL and payload, and either
can hold a secret value.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable

from bot import messages


class StartupError(Exception):
    """The bot cannot start; one line that names what to fix."""


class UserError(Exception):
    """Something the user can fix; the message is shown to them as it is."""


class RollbackRefused(UserError):
    """A rollback that looked and changed nothing (the cluster moved since the run): the run stays as it was."""


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


def _own_words(exc: BaseException, ref: str) -> str:
    return str(exc)


def _reference(exc: BaseException, ref: str) -> str:
    return messages.something_went_wrong(ref)


# What the user is told, by exception class; the closest class in the exception's hierarchy wins.
REPLIES: dict[type[BaseException], Callable[[BaseException, str], str]] = {
    UserError: _own_words,
    Unavailable: _own_words,  # SlackFailed too: it names the method and Slack's code, nothing else
    BaseException: _reference,
}


def expected(exc: BaseException) -> bool:
    """A refusal or an unreachable source, not a bug: logged without a traceback."""
    return isinstance(exc, UserError | Unavailable)


def describe_failure(exc: BaseException, ref: str) -> str:
    """What the user sees for an error: their own words for a refusal, else a reference (never the exception
    text of a library error)."""
    reply = next(REPLIES[cls] for cls in type(exc).__mro__ if cls in REPLIES)
    return reply(exc, ref)
