"""Block Kit primitives and Slack's limits: every renderer builds from these, so each limit is kept in one place.

Pure functions from text to blocks. Long lists end with "…and N more"; long texts end with "…".

Escaping: every piece of user- or cluster-supplied text placed in mrkdwn (notes, reasons, condition messages,
object names, evidence, titles from the plan) goes through `escape`, so Slack shows it and never acts on it
(`<!channel>`, `<https://evil|x>`). The markup Carbon itself adds (`mention`, `<#C…>`) is built after escaping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

Block = dict[str, Any]

# Slack's limits (api.slack.com/reference/block-kit).
MAX_BLOCKS = 50  # blocks in a message
MAX_VIEW_BLOCKS = 100  # blocks in an App Home view
MAX_TEXT = 3000  # characters in a section's text
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_CONTEXT_ELEMENTS = 10
MAX_BUTTON_VALUE = 2000
MAX_MODAL_TITLE = 24

SECTION_BUDGET = MAX_TEXT - 100  # a section is clipped below Slack's limit, leaving room for the "…"
LIST_BUDGET = MAX_TEXT - 200  # a list section: whole lines up to here, then "…and N more"
MAX_LINE = 400  # one line of a list, so a single long line cannot crowd out the others
MAX_FALLBACK_TEXT = 300  # a notification's text


def escape(text: object) -> str:
    """Data as Slack mrkdwn shows it: `&`, `<` and `>` escaped, nothing else touched (slack.dev: escaping text)."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(ident: str) -> str:
    """A mention Carbon builds from a Slack id it knows: a user group (S…) or a user (U…, W…)."""
    safe = escape(ident)
    return f"<!subteam^{safe}>" if ident.startswith("S") else f"<@{safe}>"


def clip_text(text: str, limit: int = SECTION_BUDGET) -> str:
    """At most `limit` characters; never cuts an escape (`&lt;`) in half."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    amp = cut.rfind("&", max(0, len(cut) - 5))
    if amp != -1 and ";" not in cut[amp:]:
        cut = cut[:amp]
    return cut + "…"


def clip_lines(lines: Sequence[str], limit: int, budget: int | None = None) -> list[str]:
    """At most `limit` lines, then "…and N more". With a `budget` of characters, also only as many whole
    lines (each cut to MAX_LINE) as fit in it."""
    kept: list[str] = []
    used = 0
    for line in lines[:limit]:
        if budget is not None:
            line = clip_text(line, MAX_LINE)
            if used + len(line) + 1 > budget:
                break
            used += len(line) + 1
        kept.append(line)
    if len(kept) < len(lines):
        kept.append(f"…and {len(lines) - len(kept)} more")
    return kept


def fit_lines(title: str, lines: Sequence[str], max_lines: int, budget: int = LIST_BUDGET) -> str:
    """A section's text: the title and as many whole lines as fit Slack's limits, then "…and N more"."""
    kept = clip_lines(lines, max_lines, budget - len(title) - 30)
    return "\n".join([title, *kept]) if title else "\n".join(kept)


def section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip_text(text)}}


def context(*texts: str) -> Block:
    return {"type": "context",
            "elements": [{"type": "mrkdwn", "text": clip_text(t)} for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip_text(text, MAX_HEADER_TEXT), "emoji": True}}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    """`style`: "primary" or "danger"; none for a neutral button."""
    found: Block = {"type": "button", "text": {"type": "plain_text", "text": clip_text(text, MAX_BUTTON_TEXT)},
                    "action_id": action_id, "value": value[:MAX_BUTTON_VALUE]}
    if style:
        found["style"] = style
    return found


def bar(fraction: float, width: int = 10) -> str:
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return "█" * filled + "░" * (width - filled)


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{fraction * 100:.0f}%"


def fallback_text(blocks: Sequence[Block]) -> str:
    """Notification text for a message: its first text block."""
    for block in blocks:
        found = block.get("text") or {}
        if found.get("text"):  # Slack reads a notification's text as mrkdwn: a header's plain text is escaped for it
            text = str(found["text"]) if found.get("type") == "mrkdwn" else escape(found["text"])
            return clip_text(text, MAX_FALLBACK_TEXT)
    return "Carbon"
