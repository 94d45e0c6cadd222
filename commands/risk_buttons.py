"""The two buttons on a risk alert: Acknowledge (records who) and Snooze 24 h (no posts about it until then).

Both need a requester (CARBON_REQUESTERS); snoozing a critical alert needs an approver (CARBON_APPROVERS):
a critical risk must not go quiet for a day on anyone's click. The click is acknowledged at once; the work
after it checks the right, records who did it (audit log) and updates the alert in place. A refusal, or a
click on an alert the store no longer knows, gets a short ephemeral answer, is audited and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import messages
from bot.alerts import lifecycle as alerts
from bot.errors import SlackFailed, UserError
from bot.render.blocks import escape
from bot.render.risks import ACK, SNOOZE, render_alert
from bot.risks import Severity
from bot.services import Services
from bot.store.store import Store
from commands.failures import answer_failure
from commands.request_log import log_request

Mark = Callable[[Store, str, str, datetime], alerts.Alert | None]


def check_right(services: Services, action_id: str, user_id: str, alert: alerts.Alert) -> None:
    """Raises UserError (audited) when the user may not do this to the alert; Unavailable when Slack cannot say."""
    access = services.runs.access
    if not access.may_request(user_id):
        why, text = "not_a_requester", messages.not_allowed_to_acknowledge(user_id)
    elif action_id == SNOOZE and alert.severity == Severity.CRITICAL and not access.is_approver(user_id):
        why, text = "not_an_approver", messages.not_allowed_to_snooze_critical(user_id)
    else:
        return
    services.store.audit(user_id, "alert_action_refused", alert.fingerprint, {"action": action_id, "why": why})
    raise UserError(text)


def _handler(services: Services, action_id: str, mark: Mark) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Respond) -> None:
        fingerprint = str(body["actions"][0].get("value", ""))
        user_id = body["user"]["id"]

        def done(outcome: str, **extra: Any) -> None:
            log_request("button_click", body, user_id, action_id, outcome, risk=fingerprint, **extra)

        try:
            alert = _act(services, action_id, mark, fingerprint, user_id)
        except Exception as exc:
            respond(text=answer_failure(exc, done), response_type="ephemeral", replace_original=False)
            return
        done("ok")
        if services.chat is None:
            return
        channel = alert.channel or (body.get("channel") or {}).get("id", "")
        ts = alert.ts or (body.get("message") or {}).get("ts", "")
        try:
            services.chat.update(channel, ts, render_alert(alert, services.clock(), services.settings.zone),
                                 messages.alert_text(alert.severity, escape(alert.title)))
        except SlackFailed as exc:
            respond(text=messages.post_failed("alert update", exc.code), response_type="ephemeral", replace_original=False)

    return work


def _act(services: Services, action_id: str, mark: Mark, fingerprint: str, user_id: str) -> alerts.Alert:
    current = alerts.alert(services.store, fingerprint)
    if current is None:
        raise UserError(messages.unknown_alert())
    check_right(services, action_id, user_id, current)
    marked = mark(services.store, fingerprint, user_id, services.clock())
    if marked is None:
        raise UserError(messages.unknown_alert())
    return marked


def _ack(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    app.action(ACK)(ack=_ack, lazy=[_handler(services, ACK, alerts.acknowledge)])
    app.action(SNOOZE)(ack=_ack, lazy=[_handler(services, SNOOZE, alerts.snooze)])
