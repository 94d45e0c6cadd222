"""Signed Slack requests, checked against slack_sdk's verifier and a real Bolt app."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, parse_qsl

import pytest
from hypothesis import given
from hypothesis import strategies as st
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.local.fakeslack import FakeSlack
from bot.local.signed_requests import (
    SignedRequests,
    block_actions_body,
    sign,
    signed_headers,
    slash_command_body,
)
from bot.local.tracking_executor import TrackingExecutor

TOKEN = "xoxb-carbon-test"
APPROVAL_BLOCKS = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Run *r-42* wants approval"}},
    {
        "type": "actions",
        "block_id": "approval",
        "elements": [
            {
                "type": "button",
                "action_id": "carbon.approve",
                "value": "r-42",
                "style": "primary",
                "text": {"type": "plain_text", "text": "Approve"},
            },
            {
                "type": "button",
                "action_id": "carbon.reject",
                "value": "r-42",
                "style": "danger",
                "text": {"type": "plain_text", "text": "Reject"},
            },
        ],
    },
]

SLASH_FIELDS = [
    "token",
    "team_id",
    "team_domain",
    "channel_id",
    "channel_name",
    "user_id",
    "user_name",
    "command",
    "text",
    "api_app_id",
    "is_enterprise_install",
    "response_url",
    "trigger_id",
]


# --------------------------------------------------------------------------- signing
@given(secret=st.text(min_size=1).filter(str.strip), body=st.text(), ts=st.integers(0, 2**40))
def test_sign_agrees_with_slack_sdk(secret: str, body: str, ts: int) -> None:
    verifier = SignatureVerifier(signing_secret=secret)
    assert sign(secret, body, ts) == verifier.generate_signature(timestamp=str(ts), body=body)


def test_signed_headers_pass_slack_sdk_verification() -> None:
    body = slash_command_body("status", user_id="U1", channel_id="C1", response_url="http://x/r")
    headers = signed_headers("s3cret", body)
    assert set(headers) == {"x-slack-request-timestamp", "x-slack-signature", "content-type"}
    assert headers["content-type"] == "application/x-www-form-urlencoded"
    assert abs(int(headers["x-slack-request-timestamp"]) - time.time()) < 5
    assert SignatureVerifier("s3cret").is_valid_request(body, headers)
    assert not SignatureVerifier("other").is_valid_request(body, headers)
    assert not SignatureVerifier("s3cret").is_valid_request(body + "x", headers)
    assert signed_headers("s", "b", 1234)["x-slack-signature"] == sign("s", "b", 1234)


# --------------------------------------------------------------------------- bodies
def test_slash_command_body_is_slacks_form_in_slacks_order() -> None:
    body = slash_command_body("run vault-kv & more", user_id="U0ALICE", channel_id="C0CARBON", response_url="http://h/response/t")
    assert [k for k, _ in parse_qsl(body, keep_blank_values=True)] == SLASH_FIELDS
    fields = {k: v[0] for k, v in parse_qs(body).items()}
    assert fields["text"] == "run vault-kv & more"
    assert fields["command"] == "/carbon"
    assert fields["user_name"] == "alice"
    assert fields["team_id"] == "T0CARBON"
    assert fields["is_enterprise_install"] == "false"
    assert "+" in body and " " not in body  # spaces as Slack encodes them


def test_block_actions_body_for_a_channel_message() -> None:
    message = {"type": "message", "text": "approval", "blocks": APPROVAL_BLOCKS, "user": "UCARBONBOT"}
    body = block_actions_body(
        action_id="carbon.reject",
        value="r-42",
        user_id="U0BOB",
        channel_id="C0CARBON",
        message_ts="1795750000.000100",
        response_url="http://h/response/c",
        message=message,
    )
    ((key, raw),) = parse_qsl(body)
    assert key == "payload"
    payload = json.loads(raw)
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U0BOB", "username": "bob", "name": "bob", "team_id": "T0CARBON"}
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1795750000.000100",
        "channel_id": "C0CARBON",
        "is_ephemeral": False,
    }
    assert payload["channel"]["id"] == "C0CARBON"
    assert payload["message"]["ts"] == "1795750000.000100"
    assert payload["message"]["blocks"] == APPROVAL_BLOCKS
    assert payload["response_url"] == "http://h/response/c"
    (action,) = payload["actions"]
    assert action["action_id"] == "carbon.reject" and action["value"] == "r-42"
    assert action["block_id"] == "approval"  # taken from the message the button is on
    assert action["text"]["text"] == "Reject" and action["style"] == "danger"
    assert action["type"] == "button" and action["action_ts"]
    assert payload["trigger_id"] and payload["api_app_id"] and payload["token"]


def test_block_actions_body_for_app_home() -> None:
    view = {"id": "V0HOME", "type": "home", "blocks": APPROVAL_BLOCKS}
    payload = json.loads(
        parse_qs(block_actions_body(action_id="carbon.approve", value="r-42", user_id="U0BOB", view=view))["payload"][0]
    )
    assert payload["container"] == {"type": "view", "view_id": "V0HOME"}
    assert payload["view"]["blocks"] == APPROVAL_BLOCKS
    assert not {"channel", "message", "response_url"} & set(payload)
    with pytest.raises(ValueError):
        block_actions_body(action_id="a", value="v", user_id="U1")


# --------------------------------------------------------------------------- a real Bolt app
class Recorder:
    """What the listeners saw; `done` is set once a listener has finished (they run on `listeners`' threads,
    whose `wait_idle()` returns once every listener Bolt handed it has finished)."""

    def __init__(self) -> None:
        self.commands: list[dict[str, Any]] = []
        self.actions: list[dict[str, Any]] = []
        self.done = threading.Event()
        self.listeners = TrackingExecutor()


@pytest.fixture
def bolt(fake_slack: FakeSlack, slack_signer: SignedRequests) -> Iterator[tuple[App, Recorder]]:
    seen = Recorder()
    # The token goes into the WebClient: Bolt takes the client's token and ignores `token=`
    # (with a warning) when a client is given.  App() calls auth.test right here.
    app = App(signing_secret=slack_signer.secret, client=WebClient(token=TOKEN, base_url=fake_slack.api_url),
              listener_executor=seen.listeners)

    @app.command("/carbon")
    def on_command(ack: Any, command: dict[str, Any], respond: Any) -> None:
        ack()
        seen.commands.append(command)
        respond(text=f"you said {command['text']}", response_type="ephemeral")
        seen.done.set()

    @app.action("carbon.approve")
    def on_approve(ack: Any, body: dict[str, Any], respond: Any, client: WebClient) -> None:
        ack()
        seen.actions.append(body)
        if "response_url" in body:
            respond(text="approved", replace_original=False)
        else:
            client.views_publish(user_id=body["user"]["id"], view={"type": "home", "blocks": []})
        seen.done.set()

    yield app, seen
    seen.listeners.shutdown(wait=True)


def dispatch(app: App, body: str, headers: dict[str, str]) -> Any:
    return app.dispatch(BoltRequest(body=body, headers=headers))


def test_app_construction_verifies_the_token(fake_slack: FakeSlack, bolt: tuple[App, Recorder]) -> None:
    (call,) = fake_slack.calls_to("auth.test")
    assert call.token == TOKEN


def test_slash_command_reaches_the_listener_and_respond_uses_the_response_url(
    fake_slack: FakeSlack, slack_signer: SignedRequests, bolt: tuple[App, Recorder]
) -> None:
    app, seen = bolt
    body, headers = slack_signer.slash("run vault-kv", user_id="U0ALICE")
    resp = dispatch(app, body, headers)
    assert resp.status == 200
    assert seen.done.wait(5)
    (command,) = seen.commands
    assert command["text"] == "run vault-kv"
    assert (command["user_id"], command["channel_id"], command["team_id"]) == ("U0ALICE", "C0CARBON", "T0CARBON")
    assert command["response_url"] == slack_signer.last_response_url
    call = fake_slack.wait_for(lambda c: c.method == "response_url")
    assert call.tag == slack_signer.last_tag
    assert call.params["text"] == "you said run vault-kv"
    assert call.params["response_type"] == "ephemeral"


def test_button_click_reaches_the_action_listener(
    fake_slack: FakeSlack, slack_signer: SignedRequests, bolt: tuple[App, Recorder]
) -> None:
    app, seen = bolt
    posted = WebClient(token=TOKEN, base_url=fake_slack.api_url).chat_postMessage(
        channel="C0CARBON", text="approval", blocks=APPROVAL_BLOCKS
    )
    body, headers = slack_signer.click("carbon.approve", "r-42", "U0BOB", posted["ts"], message=posted["message"])
    assert dispatch(app, body, headers).status == 200
    assert seen.done.wait(5)
    (payload,) = seen.actions
    assert payload["actions"][0]["value"] == "r-42"
    assert payload["user"]["id"] == "U0BOB"
    assert payload["container"]["message_ts"] == posted["ts"]
    assert payload["channel"]["id"] == "C0CARBON"
    assert payload["message"]["blocks"] == APPROVAL_BLOCKS
    call = fake_slack.wait_for(lambda c: c.method == "response_url")
    assert call.tag == slack_signer.last_tag and call.params["text"] == "approved"


def test_app_home_click_has_no_response_url(
    fake_slack: FakeSlack, slack_signer: SignedRequests, bolt: tuple[App, Recorder]
) -> None:
    app, seen = bolt
    body, headers = slack_signer.home_click(
        "carbon.approve", "r-42", "U0BOB", {"id": "V0HOME", "type": "home", "blocks": APPROVAL_BLOCKS}
    )
    assert dispatch(app, body, headers).status == 200
    assert seen.done.wait(5)
    assert seen.actions[0]["view"]["id"] == "V0HOME"
    assert fake_slack.wait_for(lambda c: c.method == "views.publish").params["user_id"] == "U0BOB"


@pytest.mark.parametrize("tamper", ["bad signature", "wrong secret", "stale timestamp", "edited body"])
def test_unverifiable_requests_get_401_and_no_listener_runs(
    fake_slack: FakeSlack, slack_signer: SignedRequests, bolt: tuple[App, Recorder], tamper: str
) -> None:
    app, seen = bolt
    body, headers = slack_signer.slash("status")
    if tamper == "bad signature":
        headers["x-slack-signature"] = "v0=" + "0" * 64
    elif tamper == "wrong secret":
        headers = signed_headers("not-the-secret", body)
    elif tamper == "stale timestamp":
        body, headers = slack_signer.slash("status", timestamp=int(time.time()) - 5 * 60 - 30)
    else:
        body = body.replace("status", "run+vault-kv")
    resp = dispatch(app, body, headers)
    assert resp.status == 401
    seen.listeners.wait_idle()  # any listener Bolt started would have been handed to this executor during dispatch
    assert seen.commands == [] and not seen.done.is_set()
    assert fake_slack.calls_to("response_url") == []


def test_timestamp_just_inside_five_minutes_is_accepted(slack_signer: SignedRequests, bolt: tuple[App, Recorder]) -> None:
    app, seen = bolt
    body, headers = slack_signer.slash("status", timestamp=int(time.time()) - 5 * 60 + 30)
    assert dispatch(app, body, headers).status == 200
    assert seen.done.wait(5)


def test_bolt_quirk_slash_text_containing_payload_is_dropped(
    fake_slack: FakeSlack, slack_signer: SignedRequests, bolt: tuple[App, Recorder]
) -> None:
    """Characterises a Bolt parsing quirk the HTTP adapter must work around.

    slack_bolt.request.internals.parse_body treats any form body containing the substring
    "payload" as an interactivity payload; a slash command whose text says "payload" is parsed to
    {} and matches no listener (404).  If Bolt fixes this, this test fails: drop the workaround.
    """
    app, seen = bolt
    body, headers = slack_signer.slash("reject r-42 bad payload")
    assert dispatch(app, body, headers).status == 404
    assert seen.commands == []


def test_signer_tags_each_request_separately(fake_slack: FakeSlack, slack_signer: SignedRequests) -> None:
    slack_signer.slash("a")
    first = slack_signer.last_response_url
    slack_signer.click("carbon.approve", "r-1", "U0BOB", "1.000100")
    assert slack_signer.last_response_url != first
    assert slack_signer.last_response_url == fake_slack.response_url(slack_signer.last_tag or "")
