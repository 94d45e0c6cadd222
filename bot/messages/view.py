"""What the watch-fed view of the cluster says: why a kind cannot be read yet, and the status footer's note."""

from __future__ import annotations


def view_not_synced(plural: str, wait_s: float) -> str:
    return f"the view of {plural} has not synced with the cluster yet (waited {wait_s:g}s); try again shortly"


def view_footer(fallbacks: dict[str, str]) -> str:
    """Appended to the cluster source when some kinds are read by timed lists instead of a watch."""
    if not fallbacks:
        return "(watched)"
    named = ", ".join(f"{plural}: {why}" for plural, why in sorted(fallbacks.items()))
    return f"(watched; timed lists for {named})"
