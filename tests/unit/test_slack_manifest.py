"""slack-app-manifest.yaml asks for exactly the bot scopes the code's Web API calls need, and wires every surface."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = ROOT / "slack-app-manifest.yaml"
# Every Slack Web API method the code calls, with the bot scope it needs (None: no scope).
# files_upload_v2 (files.uploadV2) makes files.getUploadURLExternal and files.completeUploadExternal calls: files:write.
SCOPES = {"chat_postMessage": "chat:write", "chat_update": "chat:write", "usergroups_users_list": "usergroups:read",
          "views_publish": None, "views_open": None, "views_update": None, "auth_test": None,
          "files_upload_v2": "files:write"}
# Every product module (the local fakes under bot/local answer calls, they do not make them).
SLACK_MODULES = [p for top in ("bot", "commands", "jobs") for p in (ROOT / top).rglob("*.py")
                 if "local" not in p.parts and "vault" not in p.parts]


def called_methods() -> set[str]:
    calls = set()
    for module in SLACK_MODULES:
        calls |= set(re.findall(r"client\.([a-z]+_[A-Za-z0-9_]+)\(", (ROOT / module).read_text()))
    return calls


def test_bot_scopes_are_exactly_what_the_calls_need() -> None:
    calls = called_methods()
    assert calls - set(SCOPES) == set(), "a new Slack method: add it and its scope to SCOPES (and the manifest)"
    needed = {"commands"} | {SCOPES[m] for m in calls if SCOPES[m]}
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == needed


def test_socket_mode_with_the_command_interactivity_and_home_event() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text())
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/carbon"]


def test_http_mode_is_one_uncomment_away() -> None:
    """Uncommenting the three URL lines (and turning Socket Mode off) gives a valid HTTP-mode manifest."""
    text = MANIFEST.read_text().replace("# url:", "url:").replace("# request_url:", "request_url:")
    text = text.replace("socket_mode_enabled: true", "socket_mode_enabled: false")
    manifest = yaml.safe_load(text)
    urls = [manifest["features"]["slash_commands"][0]["url"], manifest["settings"]["event_subscriptions"]["request_url"],
            manifest["settings"]["interactivity"]["request_url"]]
    assert all(u.endswith("/slack/events") for u in urls)
