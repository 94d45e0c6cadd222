"""Block Kit for risk alerts and the `/carbon risks` list: pure functions, Slack's limits kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.messages import SEVERITY_ICON, alert_text, no_open_risks, when
from bot.render.blocks import MAX_BLOCKS, Block, button, context, escape, fit_lines, header, mention, section
from bot.risks import RiskFinding

if TYPE_CHECKING:
    from bot.alerts.lifecycle import Alert

ACK = "carbon.risk.ack"
SNOOZE = "carbon.risk.snooze"
LIST_LIMIT = 40


def _when(stamp: str | None, zone: Any) -> str:
    return when(datetime.fromisoformat(stamp), zone) if stamp else "?"


def alert_status(alert: Alert, now: datetime, zone: Any = None) -> str:
    parts = [f"opened {_when(alert.opened_at, zone)}"]
    if alert.state == "resolved":
        parts.insert(0, f":white_check_mark: resolved {_when(alert.resolved_at, zone)}")
    if alert.acked_by:
        parts.append(f"acknowledged by {mention(alert.acked_by)}")
    if alert.state == "open" and alert.snoozed(now):
        parts.append(f"snoozed by {mention(alert.snoozed_by or '')} until {_when(alert.snoozed_until, zone)}")
    return " · ".join(parts)


def render_alert(alert: Alert, now: datetime, zone: Any = None) -> list[Block]:
    title = alert_text(alert.severity, escape(alert.title))
    if alert.state == "resolved":
        title = f"~{escape(alert.title)}~ (resolved)"
    blocks: list[Block] = [section(f"*{title}*\n{escape(alert.detail)}"),
                           context(f"rule `{escape(alert.rule)}` · {alert_status(alert, now, zone)}")]
    if alert.state == "open":
        blocks.append({"type": "actions", "elements": [button("Acknowledge", ACK, alert.fingerprint),
                                                       button("Snooze 24 h", SNOOZE, alert.fingerprint)]})
    return blocks


def risk_line(finding: RiskFinding, note: str = "") -> str:
    icon = SEVERITY_ICON.get(finding.severity.value, "")
    extra = f" _({escape(note)})_" if note else ""
    return f"{icon} *{finding.severity.value}* · {escape(finding.title)}{extra}"


def render_risks(findings: Sequence[RiskFinding], notes: Mapping[str, str], taken_at: datetime) -> list[Block]:
    """Open findings, most severe first (the caller sorts), a section per severity, long lists cut."""
    if not findings:
        return [section(no_open_risks())]
    blocks: list[Block] = [header(f"Open risks: {len(findings)}")]
    for severity in dict.fromkeys(f.severity for f in findings):
        lines = [risk_line(f, notes.get(f.fingerprint, "")) + (f"\n      {escape(f.detail)}" if f.detail else "")
                 for f in findings if f.severity == severity]
        blocks.append(section(fit_lines("", lines, 12)))
    blocks.append(context(f"Scanned {when(taken_at)}"))
    return blocks[:MAX_BLOCKS]


def count_by_severity(findings: Sequence[RiskFinding]) -> str:
    counts: dict[str, int] = {}
    for finding in findings:
        counts[finding.severity.value] = counts.get(finding.severity.value, 0) + 1
    return ", ".join(f"{n} {sev}" for sev, n in counts.items()) or "none"


def short_list(title: str, findings: Sequence[RiskFinding], limit: int = LIST_LIMIT) -> str:
    return fit_lines(title, [risk_line(f) for f in findings] or ["none"], limit)
