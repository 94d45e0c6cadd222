"""The full plan where approvers read it: in the request's thread (once), in a modal opened by the
View full plan button (views.open, pages turned with views.update), and the reminder to the approvers."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import messages
from bot.app.bolt_request import bolt_request
from bot.render.plan import PAGE_ACTION
from bot.render.runs import VIEW_PLAN
from jobs.remind_approvers import remind_approvers
from tests.fixtures.runs import message, plan_thread, request, thread


def test_the_request_mentions_the_approvers_and_the_thread_holds_the_full_plan(bot: Any) -> None:
    run = request(bot, "restore-platform")
    text = str(message(bot, run)["blocks"])
    assert "<!subteam^S0PLATFORM>" in text and "scales 1 Deployment" in text
    accessory = next(b["accessory"] for b in message(bot, run)["blocks"] if b.get("accessory"))
    assert (accessory["action_id"], accessory["value"]) == (VIEW_PLAN, run.id)
    full = plan_thread(bot, run)
    assert full.startswith(f"plan 1/1 · hash {run.plan_hash[:12]}") and "1. *scale* `deployment apps/web`: 0 → 2" in full


def test_view_full_plan_opens_a_modal_and_turns_its_pages(bot: Any) -> None:
    run = request(bot, "restore")
    bot.click(VIEW_PLAN, run.id, "U0CAROL", message_ts=run.ts)
    opened = bot.slack.calls_to("views.open")
    assert len(opened) == 1 and opened[0].params["trigger_id"]
    view = opened[0].params["view"]
    assert view["type"] == "modal" and view["private_metadata"] == run.id
    assert "deployment apps/web" in str(view["blocks"]) and "page 1/1" in str(view["blocks"])
    modal = opened[0].answer["view"]
    body, headers = bot.signer.home_click(PAGE_ACTION, f"{run.id}:1", "U0CAROL", modal)
    bot.app.dispatch(bolt_request(body, headers, bot.signer.secret))
    bot.executor.wait_idle()
    updated = bot.slack.calls_to("views.update")
    assert len(updated) == 1 and updated[0].params["view_id"] == modal["id"]


def test_an_unknown_run_has_no_plan_to_show(bot: Any) -> None:
    bot.click(VIEW_PLAN, "r-0000", "U0CAROL", message_ts="1.0")
    assert bot.last_answer()["text"] == messages.no_plan_to_show("r-0000")
    assert bot.slack.calls_to("views.open") == []


def test_approvers_are_reminded_once_when_half_the_ttl_has_passed(bot: Any) -> None:
    run = request(bot, "restore-platform")  # ttl 1 h
    assert remind_approvers(bot.services, run.requested_at + timedelta(minutes=29)) == []
    assert remind_approvers(bot.services, run.requested_at + timedelta(minutes=30)) == [run.id]
    assert remind_approvers(bot.services, run.requested_at + timedelta(minutes=45)) == []
    reminders = [t for t in thread(bot, run) if ":alarm_clock:" in t]
    assert len(reminders) == 1 and "<!subteam^S0PLATFORM>" in reminders[0] and "(0/1)" in reminders[0]
    assert [e["action"] for e in bot.services.store.audit_entries(run.id)].count("run.reminded") == 1
