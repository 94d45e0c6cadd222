"""What Slack accepts and what it would act on, as assertions over Block Kit: shared by the property tests."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from bot.render.blocks import MAX_BUTTON_TEXT, MAX_BUTTON_VALUE, MAX_CONTEXT_ELEMENTS, MAX_HEADER_TEXT, MAX_TEXT

# Mentions Carbon itself builds, from ids it knows (never from text a person or the cluster wrote).
KNOWN_IDS = {"U0ALICE", "U0BOB", "U0CAROL", "U0DAVE", "S0OPS"}
CARBON_MARKUP = re.compile(r"<(?:@(?P<user>[A-Z0-9]+)|!subteam\^(?P<group>[A-Z0-9]+)|#(?P<channel>C[A-Z0-9]+))>")
ENTITY = re.compile(r"&(?:amp|lt|gt);")
# Hostile pieces for user- and cluster-supplied fields; MARK shows whether `&amp;` from data was escaped.
MARK = "Q&amp;Q"
HOSTILE = ["<!channel>", "<https://evil|x>", "&amp;", "<@U123>", "<!subteam^S0EVIL>", "a > b & c < d", MARK, "*bold*"]


def within_limits(blocks: Sequence[dict[str, Any]], max_blocks: int) -> None:
    assert len(blocks) <= max_blocks, f"{len(blocks)} blocks > {max_blocks}"
    for block in blocks:
        kind = block["type"]
        if kind == "section":
            assert len(block["text"]["text"]) <= MAX_TEXT
            accessory = block.get("accessory")
            if accessory:
                _button(accessory)
        elif kind == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER_TEXT
        elif kind == "context":
            assert 1 <= len(block["elements"]) <= MAX_CONTEXT_ELEMENTS
            assert all(len(e["text"]) <= MAX_TEXT for e in block["elements"])
        elif kind == "actions":
            assert len(block["elements"]) <= 25
            for element in block["elements"]:
                _button(element)


def _button(element: dict[str, Any]) -> None:
    assert len(element["text"]["text"]) <= MAX_BUTTON_TEXT
    assert len(element["value"]) <= MAX_BUTTON_VALUE


def mrkdwn_texts(blocks: Sequence[dict[str, Any]]) -> Iterator[str]:
    for block in blocks:
        if block.get("type") == "section":
            yield block["text"]["text"]
        elif block.get("type") == "context":
            yield from (e["text"] for e in block["elements"] if e.get("type") == "mrkdwn")


def nothing_unescaped(texts: Sequence[str] | Iterator[str]) -> None:
    """Every `<` opens a mention Carbon built from an id it knows; every `&` is an entity; data's `&amp;` was escaped."""
    known = KNOWN_IDS | {"C0CARBON"}
    for text in texts:
        assert MARK not in text, text
        rest = CARBON_MARKUP.sub(lambda m: "" if (m["user"] or m["group"] or m["channel"]) in known else m[0], text)
        assert "<" not in rest and ">" not in rest, text
        assert "&" not in ENTITY.sub("", rest), text
