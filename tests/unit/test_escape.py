"""One function escapes data for Slack's mrkdwn; the mentions Carbon builds stay mentions."""

from __future__ import annotations

from bot.render.blocks import clip_text, escape, fallback_text, header, mention


def test_escape_turns_control_characters_into_entities() -> None:
    assert escape("<!channel> <https://evil|x> &amp; <@U123>") == (
        "&lt;!channel&gt; &lt;https://evil|x&gt; &amp;amp; &lt;@U123&gt;")


def test_mentions_carbon_builds_are_not_escaped() -> None:
    assert mention("U0BOB") == "<@U0BOB>" and mention("S0OPS") == "<!subteam^S0OPS>"


def test_clipping_never_cuts_an_entity_in_half() -> None:
    clipped = clip_text("a" * 8 + "&lt;" * 5, 11)
    assert clipped == "a" * 8 + "…" and "&l" not in clipped


def test_a_notification_from_a_header_is_escaped() -> None:
    assert fallback_text([header("Run r-1: <!channel>")]) == "Run r-1: &lt;!channel&gt;"
