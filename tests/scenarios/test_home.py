"""App Home: `app_home_opened` (a signed Events API request through Bolt) publishes the dashboard."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

from bot.app.bolt_request import bolt_request
from bot.local.emulator import KubeEmulator
from bot.local.signed_requests import API_APP_ID, DEFAULT_TEAM_ID, signed_headers
from bot.render.home import render_home
from tests.fixtures.run_feed import ListFeed, Run

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def home_opened(carbon: Any, user: str, tab: str = "home") -> None:
    body = json.dumps({
        "token": "verification", "team_id": DEFAULT_TEAM_ID, "api_app_id": API_APP_ID, "type": "event_callback",
        "event_id": f"Ev{time.time_ns()}", "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": tab,
                  "event_ts": f"{time.time():.6f}"},
    })
    headers = signed_headers(carbon.signer.secret, body, content_type="application/json")
    response = carbon.app.dispatch(bolt_request(body, headers, carbon.signer.secret))
    assert response.status == 200
    carbon.executor.wait_idle()


def test_opening_the_home_tab_publishes_the_dashboard(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    carbon.services.run_feed = ListFeed([
        Run("r7", "restore-services", "requested", "U0ALICE", (), NOW),
        Run("r6", "image-mirroring", "succeeded", "U0DAVE", ("U0BOB",), NOW),
    ])
    home_opened(carbon, "U0ALICE")
    published = carbon.slack.calls_to("views.publish")
    assert len(published) == 1 and published[0].params["user_id"] == "U0ALICE"
    view = published[0].params["view"]
    text = "\n".join(str((b.get("text") or {}).get("text", "")) for b in view["blocks"])
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    assert "P5 · Backup &amp; Disaster Recovery" in text and "Single-node cluster" in text
    pending = next(b["text"]["text"] for b in view["blocks"] if "Pending approvals" in str(b.get("text")))
    assert "r7" in pending and "r6" not in pending
    home_opened(carbon, "U0ALICE", tab="messages")
    assert len(carbon.slack.calls_to("views.publish")) == 1


def test_no_runs_say_none_and_many_runs_fit_slack_limits(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    progress = carbon.services.meter.measure()
    blocks = render_home(progress, [], [], [])
    assert blocks[-2]["text"]["text"].endswith("none") and blocks[-3]["text"]["text"].endswith("none")
    many = [Run(f"r{i}", "t", "requested", "U0ALICE", (), NOW) for i in range(500)]
    blocks = render_home(progress, [], many, many)
    assert len(blocks) <= 100 and all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in blocks)
    assert "…and" in blocks[-3]["text"]["text"]
