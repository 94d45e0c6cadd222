"""What Bolt raises on a signed payload of a shape Slack never sends: a 400 and one log line, not a 500.

Bolt's matchers and middleware index payloads as Slack shapes them (`actions[0]["action_id"]`, `event["type"]`,
`view.get(...)`); a signed body with `"actions": [5]` or `"event": [1]` makes them raise, and Bolt answers 500
with a traceback in the log. Carbon's own listeners answer their errors themselves (commands/__init__.py: an
error id and the traceback under it), so what reaches Bolt's error handler is Bolt failing on the payload: the
sender's error. The log line names the exception and where Bolt raised, never the payload.
"""

from __future__ import annotations

import traceback
from pathlib import Path

import structlog
from slack_bolt import BoltResponse

from bot.messages import http as refusals

log = structlog.get_logger(__name__)


def malformed_payload(error: Exception) -> BoltResponse:
    """Bolt's error handler (`app.error`), and what the HTTP front answers when `dispatch` itself raises."""
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else ""
    log.warning("slack_payload_rejected", error=type(error).__name__, where=where)
    return BoltResponse(status=400, body=refusals.malformed_body())
