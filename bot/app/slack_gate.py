"""The door in front of Bolt: what a request to /slack/events must pass before anything parses it.

In this order, each step on what the one before proved: the signature on the raw bytes (slack_sdk's
SignatureVerifier; a non-numeric timestamp is a bad signature, not an exception), then the BoltRequest built
here, by Bolt's own parser (anything it raises on, or a payload not of Slack's shape, is a 400), then the
workspace and app it names against the installed ones (learned from auth.test at start), then the replay
window. Only a request that passes all four reaches `app.dispatch`, and it is the request built here: a
copy of Bolt's parsing once disagreed with Bolt (`application/json; charset=utf-8` is JSON to Bolt) and let
through a body Bolt raised on. Bolt's internal `x-slack-bolt-*` headers are dropped from outside requests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_bolt import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from bot.app.bolt_request import bolt_request
from bot.app.replay import ReplayWindow
from bot.messages import http as refusals


@dataclass(frozen=True)
class InstalledApp:
    """The workspace and app this bot is installed as; requests naming others are refused."""

    team_id: str
    app_id: str | None = None  # None: not known (auth.test did not say, SLACK_APP_ID unset), not checked


def installed_app(client: WebClient, app_id: str | None = None) -> InstalledApp:
    """One auth.test at start: the bot token's workspace, and the app id when Slack returns it."""
    answer = client.auth_test()
    return InstalledApp(team_id=str(answer["team_id"]), app_id=app_id or answer.get("app_id"))


@dataclass(frozen=True)
class Verdict:
    """`status` None: admitted, `request` is what to hand to Bolt. Otherwise the answer, without acting."""

    status: int | None
    request: BoltRequest | None = None
    reason: str = ""


class SlackGate:
    def __init__(self, signing_secret: str, installed: InstalledApp | None,
                 replays: ReplayWindow | None = None) -> None:
        self.signing_secret = signing_secret
        self.verifier = SignatureVerifier(signing_secret)
        self.installed = installed
        self.replays = replays or ReplayWindow()

    def admit(self, raw: bytes, headers: Mapping[str, str], query: str = "") -> Verdict:
        lowered = {k.lower(): v for k, v in headers.items() if not k.lower().startswith("x-slack-bolt-")}
        timestamp, signature = lowered.get("x-slack-request-timestamp", ""), lowered.get("x-slack-signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
            return Verdict(401, reason=refusals.bad_signature())
        try:
            valid = self.verifier.is_valid(raw, timestamp, signature)
        except UnicodeDecodeError:  # the verifier decodes the bytes; Slack signs UTF-8, so this was never Slack's
            valid = False
        if not valid:
            return Verdict(401, reason=refusals.bad_signature())
        request = _parsed(raw, lowered, self.signing_secret, query)
        if request is None:
            return Verdict(400, reason=refusals.malformed_body())
        if not self._ours(request.body):
            return Verdict(403, reason=refusals.not_this_app())
        if not self.replays.first_time(signature, int(timestamp)):
            return Verdict(200, reason="replay")
        return Verdict(None, request=request)

    def _ours(self, payload: dict[str, Any]) -> bool:
        if self.installed is None:
            return True
        team = payload.get("team_id") or (payload.get("team") or {}).get("id")
        app = payload.get("api_app_id")
        if team is not None and team != self.installed.team_id:
            return False
        return app is None or self.installed.app_id is None or app == self.installed.app_id


def _parsed(raw: bytes, headers: dict[str, str], signing_secret: str, query: str) -> BoltRequest | None:
    """The BoltRequest for a signed body, or None where Bolt's parser raises (JSON `null` or `[1]` reaches
    its context builder, `{"authorizations": 5}` breaks it) or the payload is not of Slack's shape."""
    try:
        request = bolt_request(raw.decode("utf-8"), headers, signing_secret, query)
    except Exception:  # whatever Bolt's parser raises on signed nonsense, it is the sender's error: a 400
        return None
    body = request.body
    if not isinstance(body, dict) or not isinstance(body.get("team", {}), dict | None):
        return None
    return request
