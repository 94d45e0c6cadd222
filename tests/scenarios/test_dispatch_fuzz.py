"""Property: whatever text follows /carbon, Bolt answers (never 404/500) and nothing raises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import messages
from tests.fixtures.bot import Carbon

OOPS = messages.something_went_wrong("").split("(ref")[0]  # the unexpected-error answer, whatever its ref

WORDS = st.sampled_from(["status", "tasks", "help", "p1", "p9", "payload", '"', "'", "--undo", "run", "&amp;", "<@U1>"])
TEXT = st.one_of(st.text(max_size=80), st.lists(WORDS, max_size=5).map(" ".join))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=TEXT)
def test_every_text_is_answered(carbon: Carbon, text: str) -> None:
    before = len(carbon.answers())
    response = carbon.slash(text)
    assert response.status == 200, (text, response.status, response.body)
    ack: dict[str, Any] = json.loads(response.body) if response.body else {}
    answered_in_ack = bool(ack.get("text") or ack.get("blocks"))
    assert answered_in_ack or len(carbon.answers()) > before, text
    for call in carbon.answers()[before:]:
        assert OOPS not in json.dumps(call.params, ensure_ascii=False), text
