"""The run buttons: `carbon.approve`, `carbon.reject` and `carbon.rollback` (value = run id).

Each click is acknowledged at once; the work runs after the ack (a lazy listener) and a refusal is
answered ephemerally to the clicker through the click's response_url. The message itself is updated in
place by the run flow, whoever clicked.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import structlog
from slack_bolt import Ack, App, Respond

from bot.errors import Unavailable, UserError, describe_failure, new_ref
from bot.runs.flow import decide_run, rollback
from bot.services import Services
from commands.request_log import log_request

log = structlog.get_logger(__name__)


def _ack(ack: Ack) -> None:
    ack()


def _worker(services: Services, action_id: str, act: Callable[[Services, str, str], str]) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Respond) -> None:
        user = (body.get("user") or {}).get("id", "")
        run_id = str(((body.get("actions") or [{}])[0]).get("value", ""))
        outcome = "ok"
        try:
            text = act(services, run_id, user)
        except Exception as exc:
            ref = new_ref()
            outcome = "refused" if isinstance(exc, UserError | Unavailable) else "error"
            if outcome == "error":
                log.exception("button_failed", ref=ref, run=run_id)
            text = describe_failure(exc, ref)
        log_request("button_click", body, user, action_id, outcome, run=run_id)
        respond(text=text, response_type="ephemeral", replace_original=False)
    return work


def register(app: App, services: Services) -> None:
    actions: dict[str, Callable[[Services, str, str], str]] = {
        "carbon.approve": lambda s, run_id, user: decide_run(s, run_id, user, True),
        "carbon.reject": lambda s, run_id, user: decide_run(s, run_id, user, False),
        "carbon.rollback": lambda s, run_id, user: rollback(s, run_id, user),
    }
    for action_id, act in actions.items():
        app.action(action_id)(ack=_ack, lazy=[_worker(services, action_id, act)])
