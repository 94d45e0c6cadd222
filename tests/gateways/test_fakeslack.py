"""The fake Slack Web API, driven by the real slack_sdk clients."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from bot.local.fakeslack import FakeSlack, SlackCall, decode_params

TOKEN = "xoxb-test-token"
BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "*run r-1*"}},
    {
        "type": "actions",
        "block_id": "b1",
        "elements": [
            {"type": "button", "action_id": "carbon.approve", "value": "r-1", "text": {"type": "plain_text", "text": "Approve"}},
        ],
    },
]


@pytest.fixture
def client(fake_slack: FakeSlack) -> WebClient:
    return WebClient(token=TOKEN, base_url=fake_slack.api_url)


def test_api_url_is_a_slash_terminated_loopback_url(fake_slack: FakeSlack) -> None:
    assert fake_slack.api_url.startswith("http://127.0.0.1:")
    assert fake_slack.api_url.endswith("/api/")
    assert fake_slack.response_url("x").endswith("/response/x")


def test_auth_test_answers_the_bot_identity_and_records_the_token(fake_slack: FakeSlack, client: WebClient) -> None:
    resp = client.auth_test()
    assert resp["ok"] is True
    assert (resp["user_id"], resp["team_id"], resp["bot_id"]) == ("UCARBONBOT", "T0CARBON", "B0CARBON")
    assert {"url", "team", "user"} <= set(resp.data)
    (call,) = fake_slack.calls
    assert call.method == "auth.test"
    assert call.headers["Authorization"] == f"Bearer {TOKEN}"
    assert call.headers["authorization"] == f"Bearer {TOKEN}"
    assert call.token == TOKEN
    assert call.tag is None


def test_post_message_json_and_form_bodies_decode_alike(fake_slack: FakeSlack, client: WebClient) -> None:
    # slack_sdk sends chat.postMessage as JSON...
    first = client.chat_postMessage(channel="C1", text="hello", blocks=BLOCKS)
    # ...and other callers send forms with blocks as a JSON string.
    second = client.api_call("chat.postMessage", data={"channel": "C1", "text": "again", "blocks": json.dumps(BLOCKS)})
    calls = fake_slack.calls_to("chat.postMessage")
    assert "json" in calls[0].headers["Content-Type"]
    assert calls[1].headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert calls[0].params["blocks"] == calls[1].params["blocks"] == BLOCKS
    assert first["channel"] == "C1" and first["message"]["text"] == "hello"
    assert float(second["ts"]) > float(first["ts"])
    assert first["ts"].count(".") == 1 and len(first["ts"].split(".")[1]) == 6


def test_timestamps_are_unique_and_increasing(fake_slack: FakeSlack, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel="C1", text=str(i))["ts"] for i in range(30)]
    assert len(set(stamps)) == 30
    assert [float(s) for s in stamps] == sorted(float(s) for s in stamps)


def test_messages_reflect_updates_and_threads(fake_slack: FakeSlack, client: WebClient) -> None:
    ts = client.chat_postMessage(channel="C1", text="pending", blocks=BLOCKS)["ts"]
    client.chat_postMessage(channel="C1", text="detail", thread_ts=ts)
    client.chat_postMessage(channel="C2", text="elsewhere")
    updated = client.chat_update(channel="C1", ts=ts, text="approved", blocks=[])
    assert updated["ts"] == ts and updated["text"] == "approved"
    msgs = fake_slack.messages("C1")
    assert [m["text"] for m in msgs] == ["approved", "detail"]
    assert msgs[0]["blocks"] == [] and msgs[0]["user"] == "UCARBONBOT"
    assert msgs[1]["thread_ts"] == ts
    assert fake_slack.messages("nowhere") == []


def test_update_of_an_unknown_message_fails_as_slack_does(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.000001", text="x")
    assert err.value.response["error"] == "message_not_found"


def test_directory_and_other_methods(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.usergroups["S0APPROVERS"] = ["U0BOB", "U0CAROL"]
    assert client.usergroups_users_list(usergroup="S0APPROVERS")["users"] == ["U0BOB", "U0CAROL"]
    with pytest.raises(SlackApiError):
        client.usergroups_users_list(usergroup="S0NONE")
    user = client.users_info(user="U0ALICE")["user"]
    assert user["id"] == "U0ALICE" and {"name", "real_name", "tz"} <= set(user)
    fake_slack.users["U0BOB"] = {"real_name": "Bob B", "tz": "Europe/Paris"}
    assert client.users_info(user="U0BOB")["user"]["tz"] == "Europe/Paris"
    channel = client.conversations_info(channel="C0CARBON")["channel"]
    assert channel["id"] == "C0CARBON" and channel["is_member"] is True and channel["name"]
    assert client.chat_postEphemeral(channel="C1", user="U0ALICE", text="only you")["message_ts"]
    view = client.views_publish(user_id="U0ALICE", view={"type": "home", "blocks": BLOCKS})["view"]
    assert view["id"].startswith("V") and view["blocks"] == BLOCKS
    assert client.api_call("reactions.add", json={"name": "x"})["ok"] is True
    # GET methods carry their params in the query string; they are recorded all the same.
    assert fake_slack.calls_to("users.info")[0].params == {"user": "U0ALICE"}
    assert fake_slack.calls_to("views.publish")[0].params["view"]["blocks"] == BLOCKS


def test_response_url_posts_are_recorded_with_their_tag(fake_slack: FakeSlack) -> None:
    resp = WebhookClient(fake_slack.response_url("slash-7")).send(text="working on it", response_type="ephemeral")
    assert (resp.status_code, resp.body) == (200, "ok")
    (call,) = fake_slack.calls
    assert (call.method, call.tag) == ("response_url", "slash-7")
    assert call.params == {"text": "working on it", "response_type": "ephemeral"}


def test_fail_answers_an_api_error_then_recovers(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.fail("chat.postMessage", error="channel_not_found", times=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as err:
            client.chat_postMessage(channel="C1", text="x")
        assert err.value.response.status_code == 200
        assert err.value.response["error"] == "channel_not_found"
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert len(fake_slack.calls_to("chat.postMessage")) == 3
    assert [m["text"] for m in fake_slack.messages("C1")] == ["x"]


def test_fail_with_http_statuses(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.fail("chat.update", status=429, retry_after=1)
    with pytest.raises(SlackApiError) as err:
        client.chat_update(channel="C1", ts="1.1", text="x")
    assert err.value.response.status_code == 429
    assert err.value.response.headers["Retry-After"] == "1"
    assert err.value.response["error"] == "ratelimited"

    fake_slack.fail("auth.test", status=500, error=None)
    with pytest.raises(SlackApiError) as err:
        client.auth_test()
    assert err.value.response.status_code == 500
    assert "non-JSON" in err.value.response["error"]
    assert client.auth_test()["ok"] is True


def test_rate_limit_is_retried_by_slack_sdks_own_handler(fake_slack: FakeSlack) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.api_url, retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=1)])
    fake_slack.fail("chat.postMessage", status=429, retry_after=0)
    assert client.chat_postMessage(channel="C1", text="x")["ok"] is True
    assert len(fake_slack.calls_to("chat.postMessage")) == 2


def test_fail_forever_until_reset_and_for_response_urls(fake_slack: FakeSlack, client: WebClient) -> None:
    fake_slack.fail("auth.test", times=None)
    for _ in range(3):
        with pytest.raises(SlackApiError):
            client.auth_test()
    fake_slack.reset()
    assert fake_slack.calls == []
    assert client.auth_test()["ok"] is True
    fake_slack.fail("response_url", error="expired_url", status=404)
    resp = WebhookClient(fake_slack.response_url("t")).send(text="late")
    assert (resp.status_code, resp.body) == (404, "expired_url")


def test_wait_for_sees_calls_made_before_and_after_it_starts(fake_slack: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel="C1", text="early")
    assert fake_slack.wait_for(lambda c: c.params.get("text") == "early", timeout=0.1).method == "chat.postMessage"
    timer = threading.Timer(0.2, lambda: client.chat_postMessage(channel="C1", text="late"))
    timer.start()
    try:
        call = fake_slack.wait_for(lambda c: c.params.get("text") == "late", timeout=5)
    finally:
        timer.join()
    assert call.params["channel"] == "C1"
    with pytest.raises(TimeoutError, match=r"chat\.postMessage"):
        fake_slack.wait_for(lambda c: c.method == "chat.delete", timeout=0.2)
    # `start` skips calls the caller has already looked at.
    with pytest.raises(TimeoutError):
        fake_slack.wait_for(lambda c: c.params.get("text") == "early", timeout=0.1, start=1)


def test_subscribers_see_every_call_and_cannot_break_the_server(fake_slack: FakeSlack, client: WebClient) -> None:
    seen: list[SlackCall] = []

    def broken(call: SlackCall) -> None:
        raise RuntimeError("console went away")

    fake_slack.subscribe(broken)
    fake_slack.subscribe(seen.append)
    client.chat_postMessage(channel="C1", text="a")
    client.auth_test()
    assert [c.method for c in seen] == ["chat.postMessage", "auth.test"]
    fake_slack.unsubscribe(seen.append)
    client.auth_test()
    assert len(seen) == 2


def test_concurrent_posts_are_all_recorded_with_unique_ts(fake_slack: FakeSlack) -> None:
    results: list[str] = []
    lock = threading.Lock()

    def post(i: int) -> None:
        ts = WebClient(token=TOKEN, base_url=fake_slack.api_url).chat_postMessage(channel="C1", text=str(i))["ts"]
        with lock:
            results.append(ts)

    threads = [threading.Thread(target=post, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 24
    assert len(fake_slack.calls) == 24
    assert sorted(m["ts"] for m in fake_slack.messages("C1")) == sorted(results)


def test_stop_releases_the_port_and_is_idempotent() -> None:
    with FakeSlack() as fs:
        port = fs.port
        WebClient(token=TOKEN, base_url=fs.api_url).auth_test()
    fs.stop()
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0


def test_no_access_log_on_stderr(fake_slack: FakeSlack, client: WebClient, capfd: pytest.CaptureFixture[str]) -> None:
    client.auth_test()
    WebhookClient(fake_slack.response_url("q")).send(text="x")
    assert capfd.readouterr().err == ""


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(min_size=1, max_size=200).filter(str.strip), value=st.text(max_size=40))
def test_any_text_survives_both_encodings(fake_slack: FakeSlack, text: str, value: str) -> None:
    client = WebClient(token=TOKEN, base_url=fake_slack.api_url)
    blocks = [{"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": value}]}]
    ts_json = client.chat_postMessage(channel="CH", text=text, blocks=blocks)["ts"]
    ts_form = client.api_call("chat.postMessage", data={"channel": "CH", "text": text, "blocks": json.dumps(blocks)})["ts"]
    by_ts = {m["ts"]: m for m in fake_slack.messages("CH")}
    for ts in (ts_json, ts_form):
        assert by_ts[ts]["text"] == text
        assert by_ts[ts]["blocks"] == blocks


def test_decode_params_keeps_non_json_fields_as_strings() -> None:
    params = decode_params(b"text=%5Bnot+json&blocks=%5Bbroken", "application/x-www-form-urlencoded", "a=1")
    assert params == {"a": "1", "text": "[not json", "blocks": "[broken"}
    assert decode_params(b"", "", "") == {}


def test_calls_are_stamped_in_arrival_order(fake_slack: FakeSlack, client: WebClient) -> None:
    before = time.time()
    client.auth_test()
    client.chat_postMessage(channel="C1", text="x")
    first, second = fake_slack.calls
    assert before <= first.at <= second.at <= time.time()
