"""The digest and the channel it is posted to."""

from __future__ import annotations


def digest_posted(channel: str) -> str:
    return f"Digest posted to <#{channel}>."


def no_channel() -> str:
    return "CARBON_CHANNEL is not set, so there is nowhere to post. Ask an admin to set it."


def jobs_not_started() -> str:
    return "CARBON_CHANNEL is not set: scheduled digests and risk alerts are off (commands still work)."
