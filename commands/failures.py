"""The one way every listener (slash command, buttons, App Home) answers an exception: the words of
`bot.errors.describe_failure`, the request's one log line with a reference, a traceback only for a bug."""

from __future__ import annotations

from collections.abc import Callable

from bot.errors import describe_failure, expected, new_ref


def answer_failure(exc: BaseException, done: Callable[..., None]) -> str:
    """`done(outcome, **fields)` logs the request's end (and counts it); returns what to tell the user."""
    ref = new_ref()
    if expected(exc):
        done("refused")
    else:
        done("error", ref=ref, exc_info=exc)
    return describe_failure(exc, ref)
