"""The run buttons: `carbon.approve`, `carbon.reject` and `carbon.rollback` (value = run id).

Each click is acknowledged at once; the work goes to the same worker pool as `/carbon approve` (so a run
executes the same way whichever way it was approved) and a refusal is answered ephemerally to the
clicker through the click's response_url. The message itself is updated in place by the run flow.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.runs.desk import RunDesk
from bot.runs.flow import decide_run, rollback
from bot.services import Services
from commands.failures import answer_failure
from commands.request_log import log_request

Act = Callable[[RunDesk, str, str], str]
ACTIONS: dict[str, Act] = {
    "carbon.approve": lambda desk, run_id, user: decide_run(desk, run_id, user, True),
    "carbon.reject": lambda desk, run_id, user: decide_run(desk, run_id, user, False),
    "carbon.rollback": lambda desk, run_id, user: rollback(desk, run_id, user),
}


def _ack(ack: Ack) -> None:
    ack()


def _click(services: Services, action_id: str, act: Act, body: dict[str, Any], respond: Respond) -> None:
    user = (body.get("user") or {}).get("id", "")
    run_id = str(((body.get("actions") or [{}])[0]).get("value", ""))

    def done(outcome: str, **extra: Any) -> None:
        log_request("button_click", body, user, action_id, outcome, run=run_id, **extra)

    try:
        text = act(services.runs, run_id, user)
        done("ok")
    except Exception as exc:
        text = answer_failure(exc, done)
    respond(text=text, response_type="ephemeral", replace_original=False)


def _worker(services: Services, action_id: str, act: Act) -> Callable[..., None]:
    """Bolt's lazy listener (it injects arguments by name, so the rest is bound here)."""
    def work(body: dict[str, Any], respond: Respond) -> None:
        services.workers.submit(_click, services, action_id, act, body, respond)
    return work


def register(app: App, services: Services) -> None:
    for action_id, act in ACTIONS.items():
        app.action(action_id)(ack=_ack, lazy=[_worker(services, action_id, act)])
