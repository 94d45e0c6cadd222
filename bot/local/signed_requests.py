"""Build and sign requests exactly as Slack sends them to an app.

Why it exists: tests and ``carbon console`` drive the real Bolt app through its real request path,
signature verification included, so they need slash-command and ``block_actions`` bodies in
Slack's own encoding and the ``x-slack-signature`` / ``x-slack-request-timestamp`` headers Slack
computes (https://docs.slack.dev/authentication/verifying-requests-from-slack/).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

__all__ = [
    "FORM_CONTENT_TYPE",
    "SignedRequests",
    "block_actions_body",
    "sign",
    "signed_headers",
    "slash_command_body",
]

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
DEFAULT_TEAM_ID = "T0CARBON"
TEAM_DOMAIN = "254carbon"
API_APP_ID = "A0CARBON"
# Slack's legacy verification token; sent in every payload, verified by nobody (signatures are).
VERIFICATION_TOKEN = "carbonVerificationToken0"
DEFAULT_BLOCK_ID = "carbon.actions"

_seq = itertools.count(1)


def sign(signing_secret: str, body: str, timestamp: int) -> str:
    """Slack's v0 signature: ``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(
    signing_secret: str,
    body: str,
    timestamp: int | None = None,
    content_type: str = FORM_CONTENT_TYPE,
) -> dict[str, str]:
    """The headers Slack attaches to a request; ``timestamp`` defaults to now."""
    ts = int(time.time()) if timestamp is None else int(timestamp)
    return {
        "content-type": content_type,
        "x-slack-request-timestamp": str(ts),
        "x-slack-signature": sign(signing_secret, body, ts),
    }


def _name_from_id(object_id: str) -> str:
    """A plausible handle for an ID when the caller gives none: ``U0ALICE`` -> ``alice``."""
    rest = object_id[1:] if len(object_id) > 1 else object_id
    return rest.lstrip("0").lower() or object_id.lower()


def _channel_name(channel_id: str) -> str:
    """Slack sends ``directmessage`` / ``privategroup`` for DMs and private channels."""
    if channel_id.startswith("D"):
        return "directmessage"
    if channel_id.startswith("G"):
        return "privategroup"
    return _name_from_id(channel_id)


def _trigger_id() -> str:
    """Shaped like Slack's: ``<seconds>.<team-ish number>.<32 hex>``; unique per request."""
    return f"{int(time.time())}.{next(_seq):010d}.{secrets.token_hex(16)}"


def _action_ts() -> str:
    now = time.time()
    return f"{int(now)}.{int(now * 1_000_000) % 1_000_000:06d}"


def slash_command_body(
    text: str,
    *,
    user_id: str,
    channel_id: str,
    response_url: str,
    command: str = "/carbon",
    team_id: str = DEFAULT_TEAM_ID,
    user_name: str | None = None,
    trigger_id: str | None = None,
    channel_name: str | None = None,
) -> str:
    """A slash command's ``application/x-www-form-urlencoded`` body, fields in Slack's order."""
    fields = [
        ("token", VERIFICATION_TOKEN),
        ("team_id", team_id),
        ("team_domain", TEAM_DOMAIN),
        ("channel_id", channel_id),
        ("channel_name", channel_name or _channel_name(channel_id)),
        ("user_id", user_id),
        ("user_name", user_name or _name_from_id(user_id)),
        ("command", command),
        ("text", text),
        ("api_app_id", API_APP_ID),
        ("is_enterprise_install", "false"),
        ("response_url", response_url),
        ("trigger_id", trigger_id or _trigger_id()),
    ]
    return urlencode(fields)


def _find_button(blocks: Any, action_id: str, value: str) -> tuple[str, dict[str, Any]] | None:
    """The (block_id, element) of the button a click refers to, if the blocks carry it."""
    if not isinstance(blocks, list):
        return None
    fallback: tuple[str, dict[str, Any]] | None = None
    for block in blocks:
        if not isinstance(block, dict):
            continue
        elements = list(block.get("elements") or [])
        if isinstance(block.get("accessory"), dict):
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                hit = (str(block.get("block_id", DEFAULT_BLOCK_ID)), element)
                if element.get("value") == value:
                    return hit
                fallback = fallback or hit
    return fallback


def block_actions_body(
    *,
    action_id: str,
    value: str,
    user_id: str,
    channel_id: str | None = None,
    message_ts: str | None = None,
    response_url: str | None = None,
    block_id: str | None = None,
    team_id: str = DEFAULT_TEAM_ID,
    message: dict[str, Any] | None = None,
    view: dict[str, Any] | None = None,
    user_name: str | None = None,
    button_text: str | None = None,
) -> str:
    """``payload=<json>`` of a ``block_actions`` button click, as Slack posts it.

    In a channel message (the default) the payload carries ``container.type == "message"``, the
    channel, the message (``message`` if given, else a minimal one holding the button) and a
    ``response_url``.  With ``view`` (App Home) the container is the view and there is no channel,
    message or response URL.  ``block_id`` and the button's text default to what the given
    message/view blocks say for that button, so the payload stays self-consistent.
    """
    name = user_name or _name_from_id(user_id)
    source_blocks = (view or {}).get("blocks") if view is not None else (message or {}).get("blocks")
    found = _find_button(source_blocks, action_id, value)
    element: dict[str, Any] = dict(found[1]) if found else {}
    block = block_id or (found[0] if found else DEFAULT_BLOCK_ID)
    text = element.get("text") or {
        "type": "plain_text",
        "text": button_text or action_id.rsplit(".", 1)[-1].title(),
        "emoji": True,
    }
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block,
        "text": text,
        "value": value,
        "type": "button",
        "action_ts": _action_ts(),
    }
    if "style" in element:
        action["style"] = element["style"]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": name, "name": name, "team_id": team_id},
        "api_app_id": API_APP_ID,
        "token": VERIFICATION_TOKEN,
    }
    if view is not None:
        view_full = copy.deepcopy(view)
        view_full.setdefault("id", "V0CARBONHOME")
        view_full.setdefault("type", "home")
        view_full.setdefault("team_id", team_id)
        payload["container"] = {"type": "view", "view_id": view_full["id"]}
        payload["trigger_id"] = _trigger_id()
        payload["team"] = {"id": team_id, "domain": TEAM_DOMAIN}
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["view"] = view_full
    else:
        if channel_id is None or message_ts is None or response_url is None:
            raise ValueError("a message click needs channel_id, message_ts and response_url (or pass view=)")
        msg = (
            copy.deepcopy(message)
            if message is not None
            else {
                "type": "message",
                "text": "",
                "blocks": [
                    {
                        "type": "actions",
                        "block_id": block,
                        "elements": [{"type": "button", "action_id": action_id, "value": value, "text": text}],
                    }
                ],
            }
        )
        msg["ts"] = message_ts
        msg.setdefault("type", "message")
        payload["container"] = {
            "type": "message",
            "message_ts": message_ts,
            "channel_id": channel_id,
            "is_ephemeral": False,
        }
        payload["trigger_id"] = _trigger_id()
        payload["team"] = {"id": team_id, "domain": TEAM_DOMAIN}
        payload["enterprise"] = None
        payload["is_enterprise_install"] = False
        payload["channel"] = {"id": channel_id, "name": _channel_name(channel_id)}
        payload["message"] = msg
        payload["state"] = {"values": {}}
        payload["response_url"] = response_url
    payload["actions"] = [action]
    return urlencode({"payload": json.dumps(payload, separators=(",", ":"))})


class SignedRequests:
    """Signed slash commands and button clicks from a given user, ready for ``BoltRequest``.

    Shared by the test fixtures and ``carbon console``: ``response_url_for(tag)`` supplies the
    response URL (a :class:`bot.fakeslack.FakeSlack` one), and each request gets a fresh tag,
    kept in ``last_response_url`` / ``last_tag`` so the caller can match the answer.
    """

    def __init__(
        self,
        secret: str,
        response_url_for: Callable[[str], str],
        *,
        team_id: str = DEFAULT_TEAM_ID,
        default_channel: str = "C0CARBON",
    ) -> None:
        self.secret = secret
        self.response_url_for = response_url_for
        self.team_id = team_id
        self.default_channel = default_channel
        self.last_tag: str | None = None
        self.last_response_url: str | None = None
        self._count = itertools.count(1)

    def _new_response_url(self, kind: str) -> str:
        self.last_tag = f"{kind}-{next(self._count)}"
        self.last_response_url = self.response_url_for(self.last_tag)
        return self.last_response_url

    def headers(self, body: str, timestamp: int | None = None) -> dict[str, str]:
        return signed_headers(self.secret, body, timestamp)

    def slash(
        self,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str | None = None,
        *,
        command: str = "/carbon",
        timestamp: int | None = None,
    ) -> tuple[str, dict[str, str]]:
        """``/carbon <text>`` typed by ``user_id`` in ``channel_id``: ``(body, headers)``."""
        body = slash_command_body(
            text,
            user_id=user_id,
            channel_id=channel_id or self.default_channel,
            response_url=self._new_response_url("slash"),
            command=command,
            team_id=self.team_id,
        )
        return body, self.headers(body, timestamp)

    def click(
        self,
        action_id: str,
        value: str,
        user_id: str,
        message_ts: str,
        channel_id: str | None = None,
        *,
        message: dict[str, Any] | None = None,
        timestamp: int | None = None,
    ) -> tuple[str, dict[str, str]]:
        """``user_id`` clicks the button ``action_id``/``value`` on a channel message."""
        body = block_actions_body(
            action_id=action_id,
            value=value,
            user_id=user_id,
            channel_id=channel_id or self.default_channel,
            message_ts=message_ts,
            response_url=self._new_response_url("click"),
            team_id=self.team_id,
            message=message,
        )
        return body, self.headers(body, timestamp)

    def home_click(
        self, action_id: str, value: str, user_id: str, view: dict[str, Any], *, timestamp: int | None = None
    ) -> tuple[str, dict[str, str]]:
        """``user_id`` clicks a button in their App Home ``view`` (no response URL)."""
        body = block_actions_body(action_id=action_id, value=value, user_id=user_id, view=view, team_id=self.team_id)
        return body, self.headers(body, timestamp)
