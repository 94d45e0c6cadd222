"""Attesting a manual task and withdrawing it (`/carbon attest`)."""

from __future__ import annotations


def not_allowed_to_attest(user_id: str) -> str:
    return f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot attest tasks. Ask an admin to add you."


def not_manual(task_id: str, kind: str) -> str:
    return (f"`{task_id}` is measured by its `{kind}` check, so it cannot be attested. "
            "Only tasks with a `manual` check can; `/carbon tasks` shows each task's state.")


def attested(task_id: str, user_id: str, expires: str | None) -> str:
    until = f" It counts until {expires}." if expires else ""
    return f":memo: <@{user_id}> attested `{task_id}`; it is shown as attested, not measured.{until}"


def attestation_withdrawn(task_id: str, user_id: str) -> str:
    return f"<@{user_id}> withdrew the attestation of `{task_id}`; it is awaiting attestation again."


def nothing_to_withdraw(task_id: str) -> str:
    return f"`{task_id}` has no attestation to withdraw."


def attested_summary(who: str, day: str, note: str) -> str:
    """A task's state line once attested: `who` is a mention, `note` the attester's own words (escaped by the caller)."""
    return f"attested by {who} on {day}" + (f": {note}" if note else "")
