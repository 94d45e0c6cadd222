"""The full plan in a modal: `carbon.view_plan` (value = run id) opens it with `views.open` from the click's
trigger_id; `carbon.plan_page` (value = `run-id:page`) inside the modal turns its pages with `views.update`.

Reading a plan changes nothing, so anyone in the channel may open it. The trigger_id is valid for 3 seconds:
the modal is opened in the lazy listener itself, right after the ack, not queued behind runs.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from bot import messages
from bot.render.plan import PAGE_ACTION, plan_view
from bot.render.runs import VIEW_PLAN
from bot.runs.records import get_run
from bot.services import Services
from commands.failures import answer_failure
from commands.request_log import log_request


def _ack(ack: Ack) -> None:
    ack()


def page_view(services: Services, run_id: str, page: int) -> dict[str, Any] | None:
    run = get_run(services.store, run_id)
    if run is None:
        return None
    task = services.plan.task(run.task_id)
    return plan_view(run.id, task.title if task else run.task_id, run.plan.get("changes") or [], run.plan_hash, page,
                     run.plan.get("impact"))


def _value(body: dict[str, Any]) -> str:
    return str(((body.get("actions") or [{}])[0]).get("value", ""))


def register(app: App, services: Services) -> None:
    def open_plan(body: dict[str, Any], respond: Respond) -> None:
        user, run_id = (body.get("user") or {}).get("id", ""), _value(body)

        def done(outcome: str, **extra: Any) -> None:
            log_request("button_click", body, user, VIEW_PLAN, outcome, run=run_id, **extra)

        view = page_view(services, run_id, 1)
        if view is None or services.chat is None:
            respond(text=messages.no_plan_to_show(run_id), response_type="ephemeral", replace_original=False)
            done("unknown_run")
            return
        try:
            services.chat.open_view(str(body.get("trigger_id", "")), view)
            done("ok")
        except Exception as exc:
            respond(text=answer_failure(exc, done), response_type="ephemeral", replace_original=False)

    def turn_page(body: dict[str, Any]) -> None:
        user = (body.get("user") or {}).get("id", "")
        run_id, _, page = _value(body).rpartition(":")

        def done(outcome: str, **extra: Any) -> None:
            log_request("button_click", body, user, PAGE_ACTION, outcome, run=run_id, **extra)

        view = page_view(services, run_id, int(page) if page.isdigit() else 1)
        if view is None or services.chat is None:
            done("unknown_run")
            return
        try:
            services.chat.update_view(str((body.get("view") or {}).get("id", "")), view)
            done("ok")
        except Exception as exc:
            answer_failure(exc, done)  # a modal has no response_url: the log line is the record

    app.action(VIEW_PLAN)(ack=_ack, lazy=[open_plan])
    app.action(PAGE_ACTION)(ack=_ack, lazy=[turn_page])
