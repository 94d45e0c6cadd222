"""Risk alerts in the channel and the answers to their buttons."""

from __future__ import annotations

SEVERITY_ICON = {"critical": ":rotating_light:", "high": ":red_circle:", "medium": ":large_yellow_circle:",
                 "low": ":white_circle:"}


def alert_text(severity: str, title: str) -> str:
    return f"{SEVERITY_ICON.get(severity, '')} Risk ({severity}): {title}".strip()


def alert_severity_changed(old: str, new: str) -> str:
    return f"Severity changed: {old} → *{new}*."


def alert_resolved(title: str) -> str:
    return f":white_check_mark: Resolved: {title}. The last scan no longer finds it."


def alert_acknowledged(user_id: str) -> str:
    return f"Acknowledged by <@{user_id}>."


def alert_snoozed(user_id: str, until: str) -> str:
    return f"Snoozed by <@{user_id}> until {until}: no posts about it until then."


def unknown_alert() -> str:
    return "That alert is no longer known (the store was reset?). `/carbon risks` lists the open ones."


def no_open_risks() -> str:
    return ":white_check_mark: No open risks: every risk rule passed."
