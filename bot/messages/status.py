"""The dashboard's notes on what moved and since when."""

from __future__ import annotations


def change_since_digest(when: str) -> str:
    return f"change since the last digest ({when})"


def change_last_day() -> str:
    return "change in the last 24 h"
