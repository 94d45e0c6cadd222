"""The one log line per Slack request (slash command, button click, App Home opened): who, what, how it ended.

Every line carries `request_id`, `user`, `subcommand` (the slash subcommand, the button's action id, or
`home`) and `outcome` (ok / refused / error). Never the command text, a button's message or any value
read from the cluster or Vault: what a user typed may hold a secret they pasted by mistake.
"""

from __future__ import annotations

import hashlib
from typing import Any

import structlog

log = structlog.get_logger("commands")


def request_id(body: dict[str, Any]) -> str:
    """Stable across the ack and the work after it: both see the same trigger_id (events: the event id)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id", "")
    seed = str(body.get("trigger_id") or body.get("event_id") or body.get("user_id", "")) + str(team)
    return hashlib.sha256(seed.encode()).hexdigest()[:10]


def log_request(event: str, body: dict[str, Any], user: str, subcommand: str, outcome: str, **extra: Any) -> None:
    log.info(event, request_id=request_id(body), user=user, subcommand=subcommand, outcome=outcome, **extra)
