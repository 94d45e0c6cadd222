"""The two buttons on a risk alert: Acknowledge (records who) and Snooze 24 h (no posts about it until then).

The click is acknowledged at once; the work after it records who did it (audit log) and updates the alert
in place. A click on an alert the store no longer knows gets a short ephemeral answer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond

from bot import messages
from bot.alerts import lifecycle as alerts
from bot.errors import SlackFailed
from bot.render.risks import ACK, SNOOZE, render_alert
from bot.services import Services
from bot.store.store import Store
from commands.request_log import log_request

Mark = Callable[[Store, str, str, datetime], alerts.Alert | None]


def _handler(services: Services, action_id: str, mark: Mark) -> Callable[..., None]:
    def work(body: dict[str, Any], respond: Respond) -> None:
        fingerprint = str(body["actions"][0].get("value", ""))
        user_id = body["user"]["id"]
        now = services.clock()
        alert = mark(services.store, fingerprint, user_id, now)
        log_request("button_click", body, user_id, action_id, "ok" if alert else "refused", risk=fingerprint)
        if alert is None:
            respond(text=messages.unknown_alert(), response_type="ephemeral", replace_original=False)
            return
        if services.chat is None:
            return
        channel = alert.channel or (body.get("channel") or {}).get("id", "")
        ts = alert.ts or (body.get("message") or {}).get("ts", "")
        try:
            services.chat.update(channel, ts, render_alert(alert, now, services.settings.zone),
                                 messages.alert_text(alert.severity, alert.title))
        except SlackFailed as exc:
            respond(text=messages.post_failed("alert update", exc.code), response_type="ephemeral", replace_original=False)

    return work


def _ack(ack: Ack) -> None:
    ack()


def register(app: App, services: Services) -> None:
    app.action(ACK)(ack=_ack, lazy=[_handler(services, ACK, alerts.acknowledge)])
    app.action(SNOOZE)(ack=_ack, lazy=[_handler(services, SNOOZE, alerts.snooze)])
