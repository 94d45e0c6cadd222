"""Open risks, most severe first: the risk rules evaluated live over the cluster and Vault, with who
acknowledged or snoozed each alert."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import messages
from bot.alerts import lifecycle as alerts
from bot.render.risks import render_risks
from bot.services import Services
from commands.base import Command, Context, Reply, at_most, doc_summary


def parse(services: Services, args: Sequence[str]) -> None:
    at_most(COMMAND, args, 0)


def _until(stamp: str | None) -> str:
    return messages.when(datetime.fromisoformat(stamp), named=False) if stamp else ""


def notes(services: Services) -> dict[str, str]:
    now = services.clock()
    found = {}
    for alert in alerts.alerts(services.store):
        parts = [f"acknowledged by <@{alert.acked_by}>"] if alert.acked_by else []
        if alert.snoozed(now):
            parts.append(f"snoozed until {_until(alert.snoozed_until)}")
        if parts:
            found[alert.fingerprint] = ", ".join(parts)
    return found


def handle(ctx: Context, _: None) -> Reply:
    snapshot = ctx.services.meter.snapshot()
    findings = ctx.services.meter.scan_risks(snapshot)
    return Reply.of(render_risks(findings, notes(ctx.services), snapshot.taken_at))


COMMAND = Command("risks", "risks", doc_summary(__doc__), handle, parse, ("/carbon risks",),
                  ack_text=messages.scanning_risks())
