"""Who may do what: refusals that are about the user's rights or pace, not about the thing they asked for."""

from __future__ import annotations


def group_membership_unconfirmed() -> str:
    return ("Slack could not confirm your user group membership just now, so this was not allowed. "
            "Nothing changed; try again in a minute.")


def not_allowed_to_digest(user_id: str) -> str:
    return f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot post a digest. Ask an admin to add you."


def not_allowed_to_acknowledge(user_id: str) -> str:
    return (f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot acknowledge or snooze alerts. "
            "Nothing changed.")


def not_allowed_to_snooze_critical(user_id: str) -> str:
    return (f"<@{user_id}>, only an approver (CARBON_APPROVERS) may snooze a critical alert. "
            "Nothing changed; you can still acknowledge it.")


def slow_down(subcommand: str, limit: int, window_s: int, retry_in_s: int) -> str:
    return (f"Slow down: `/carbon {subcommand}` is limited to {limit} per {window_s // 60} minutes per person. "
            f"Try again in {max(retry_in_s, 1)} s.")
