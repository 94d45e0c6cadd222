"""The door in front of Bolt: what a request to /slack/events must pass before anything parses it.

In this order, each step on what the one before proved: the signature on the raw bytes (slack_sdk's
SignatureVerifier; a non-numeric timestamp is a bad signature, not an exception), then the body decoded
and parsed the way Bolt will parse it (anything Bolt would choke on is a 400 here), then the workspace and
app it names against the installed ones (learned from auth.test at start), then the replay window. Only
a request that passes all four reaches `app.dispatch`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

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
    """`status` None: admitted, `body` is the text to hand to Bolt. Otherwise the answer, without acting."""

    status: int | None
    body: str = ""
    reason: str = ""


class SlackGate:
    def __init__(self, signing_secret: str, installed: InstalledApp | None,
                 replays: ReplayWindow | None = None) -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.installed = installed
        self.replays = replays or ReplayWindow()

    def admit(self, raw: bytes, headers: Mapping[str, str]) -> Verdict:
        lowered = {k.lower(): v for k, v in headers.items()}
        timestamp, signature = lowered.get("x-slack-request-timestamp", ""), lowered.get("x-slack-signature", "")
        if not (timestamp.isascii() and timestamp.isdigit() and signature.isascii()):
            return Verdict(401, reason=refusals.bad_signature())
        try:
            valid = self.verifier.is_valid(raw, timestamp, signature)
        except UnicodeDecodeError:  # the verifier decodes the bytes; Slack signs UTF-8, so this was never Slack's
            valid = False
        if not valid:
            return Verdict(401, reason=refusals.bad_signature())
        try:
            body = raw.decode("utf-8")
            payload = parse_like_bolt(body, lowered.get("content-type"))
        except ValueError:
            return Verdict(400, reason=refusals.malformed_body())
        if not self._ours(payload):
            return Verdict(403, reason=refusals.not_this_app())
        if not self.replays.first_time(signature, int(timestamp)):
            return Verdict(200, reason="replay")
        return Verdict(None, body=body)

    def _ours(self, payload: dict[str, Any]) -> bool:
        if self.installed is None:
            return True
        team = payload.get("team_id") or (payload.get("team") or {}).get("id")
        app = payload.get("api_app_id")
        if team is not None and team != self.installed.team_id:
            return False
        return app is None or self.installed.app_id is None or app == self.installed.app_id


def parse_like_bolt(body: str, content_type: str | None) -> dict[str, Any]:
    """What slack_bolt's `parse_body` would make of the body, or ValueError where it would raise or
    return something that is not a dict of Slack's shape (JSON `null`, `payload=%7B`, `{"team": 5}`)."""
    if not body:
        return {}
    if content_type == "application/json" or body.startswith("{"):
        parsed = json.loads(body)
    elif "payload" in body:
        payload = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
        parsed = json.loads(payload) if payload is not None else {}
    else:
        parsed = dict(parse_qsl(body, keep_blank_values=True))
    if not isinstance(parsed, dict) or not isinstance(parsed.get("team", {}), dict | None):
        raise ValueError("not a Slack payload")
    return parsed
