"""Must hold (issue 11): whatever body and headers reach /slack/events, signed or not, the real HTTP server
answers (no closed connection without an answer), never with a 5xx, never with a traceback in the logs, and
an unsigned (or badly signed) request records nothing: no run, no audit row."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.fixtures.bot import Carbon
from tests.fixtures.http import post, post_chunked

FORM = "application/x-www-form-urlencoded"
CONTENT_TYPES = st.one_of(
    st.sampled_from([FORM, "application/json", "application/json; charset=utf-8", "application/json;", "APPLICATION/JSON",
                     "application/json ; charset=utf-8", "text/plain", "multipart/form-data; boundary=x", "", None]),
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=40),
)
KEYS = st.sampled_from(["command", "text", "team_id", "user_id", "channel_id", "payload", "type", "api_app_id",
                        "response_url", "trigger_id", "token", "team", "actions", "authorizations", "event"])
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                            st.dictionaries(st.one_of(KEYS, st.text(max_size=8)), inner,
                                                                            max_size=4)), max_leaves=12)
WORDS = st.sampled_from(["help", "status", "tasks", "run", "rollback", "approve", "digest", "attest", "restore",
                         "r-1", "payload", "&", "%7B", "<@U1>"])
COMMAND = st.fixed_dictionaries({"command": st.sampled_from(["/carbon", "/other", ""]),
                                 "text": st.lists(WORDS, max_size=3).map(" ".join),
                                 "team_id": st.sampled_from(["T0CARBON", "T0OTHER"]),
                                 "user_id": st.sampled_from(["U0ALICE", "U0BOB", ""])})
BODIES = st.one_of(
    st.dictionaries(st.one_of(KEYS, st.text(max_size=10)), st.text(max_size=30), max_size=5).map(urlencode),
    COMMAND.map(urlencode),
    JSON_VALUES.map(json.dumps),
    JSON_VALUES.map(lambda v: "payload=" + quote(json.dumps(v))),
    st.text(max_size=40).map(lambda t: "payload=" + t),
    st.text(max_size=60),
).map(lambda s: s.encode("utf-8")) | st.binary(max_size=60)
HEADER_NAMES = st.sampled_from(["X-Slack-Retry-Num", "X-Slack-Retry-Reason", "X-Slack-Bolt-Lazy-Only",
                                "X-Slack-Bolt-Lazy-Function-Name", "Content-Type", "content-type", "Expect",
                                "Accept-Encoding", "Content-Encoding", "X-Forwarded-For", "Host"])
HEADER_VALUES = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7e), max_size=30)
SIGNING = st.sampled_from(["signed", "unsigned", "wrong secret", "stale", "odd timestamp"])


def headers_for(secret: str, body: bytes, signing: str) -> dict[str, str]:
    timestamp = str(int(time.time()) - (600 if signing == "stale" else 0))
    key = b"not-the-secret" if signing == "wrong secret" else secret.encode()
    mac = hmac.new(key, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    if signing == "unsigned":
        return {}
    if signing == "odd timestamp":
        timestamp = timestamp + ".0"
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": f"v0={mac}"}


def recorded(carbon: Carbon) -> tuple[int, int]:
    runs = carbon.services.store.query("SELECT count(*) AS n FROM runs")[0]["n"]
    return runs, len(carbon.services.store.audit_entries(limit=100_000))


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=BODIES, content_type=CONTENT_TYPES, signing=SIGNING, chunked=st.booleans(),
       extra=st.lists(st.tuples(HEADER_NAMES, HEADER_VALUES), max_size=3))
@example(body=b"\x00", content_type="application/json; charset=utf-8", signing="signed", chunked=False, extra=[])
@example(body=b"null", content_type="application/json", signing="signed", chunked=True, extra=[])
@example(body=b"command=%2Fcarbon&text=help", content_type=FORM, signing="signed", chunked=False,
         extra=[("X-Slack-Bolt-Lazy-Only", "1"), ("X-Slack-Bolt-Lazy-Function-Name", "work")])
def test_every_body_gets_an_answer_below_500_and_unsigned_ones_record_nothing(
        bot: Carbon, front: tuple[str, int], capfd: pytest.CaptureFixture[str], body: bytes, content_type: str | None,
        signing: str, chunked: bool, extra: list[tuple[str, str]]) -> None:
    headers: dict[str, Any] = {} if content_type is None else {"Content-Type": content_type}
    headers |= {name: value for name, value in extra if name.lower() != "expect"}  # 100-continue waits for the server
    headers |= headers_for(bot.signer.secret, body, signing)
    before = recorded(bot)
    status, answer = (post_chunked if chunked else post)(front, body, headers)
    bot.executor.wait_idle()
    assert 200 <= status < 500, (status, answer)
    if signing != "signed":
        assert status == 401 or status == 400, (status, answer)
        assert recorded(bot) == before
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err
    assert "http_handler_failed" not in out + err
