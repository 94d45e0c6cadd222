"""Block Kit as plain text, for the console backend and `carbon status` in a terminal.

Buttons are listed as numbered choices; the caller keeps the numbering to click them by number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

EMOJI = {
    ":white_check_mark:": "✔", ":large_yellow_circle:": "◐", ":red_circle:": "✖", ":grey_question:": "?",
    ":raised_hand:": "✋", ":memo:": "✎", ":warning:": "⚠", ":arrow_forward:": "▶", ":rotating_light:": "🚨",
    ":hourglass_flowing_sand:": "⌛", ":x:": "✖", ":no_entry:": "⛔", ":white_circle:": "○",
    ":arrows_counterclockwise:": "↻", ":alarm_clock:": "⏰", ":ballot_box_with_check:": "☑", ":gear:": "⚙",
    ":leftwards_arrow_with_hook:": "↩", ":no_entry_sign:": "⛔", ":mag:": "🔍",
}


def plain(mrkdwn: str) -> str:
    text = re.sub(r"<@([A-Z0-9]+)>", r"@\1", mrkdwn)
    text = re.sub(r"<!subteam\^([A-Z0-9]+)>", r"@\1", text)
    text = re.sub(r"<#([A-Z0-9]+)>", r"#\1", text)
    text = re.sub(r"<([^|>]+)\|([^>]+)>", r"\2", text)
    for code, char in EMOJI.items():
        text = text.replace(code, char)
    text = text.replace("*", "").replace("`", "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")  # escaped data, shown as it is


def render_text(blocks: Sequence[dict[str, Any]], buttons: list[dict[str, Any]] | None = None) -> str:
    """Lines for a terminal; each button found is appended to `buttons` and shown as [n]."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = plain(block["text"]["text"])
            lines += [title, "=" * min(len(title), 80)]
        elif kind == "section":
            if block.get("text"):
                lines.append(plain(block["text"]["text"]))
            lines += [plain(f["text"]) for f in block.get("fields") or []]
            accessory = block.get("accessory")
            if accessory and accessory.get("type") == "button" and buttons is not None:
                lines.append(_button(accessory, buttons))
        elif kind == "context":
            lines.append("  " + "  ·  ".join(plain(e.get("text", "")) for e in block.get("elements") or []))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            lines.append("  ".join(_button(e, buttons) for e in block.get("elements") or [] if e.get("type") == "button"))
    return "\n".join(lines)


def _button(element: dict[str, Any], buttons: list[dict[str, Any]] | None) -> str:
    label = plain(element.get("text", {}).get("text", "button"))
    if buttons is None:
        return f"[{label}]"
    buttons.append(element)
    return f"[{len(buttons)}] {label}"
