"""`carbon console`: a local text backend (as Errbot's text mode) driving the real Bolt app.

Each `/carbon …` line becomes a signed slash-command request dispatched through Bolt exactly as Slack
would send it; the bot's Web API calls and response_url posts land in a local fake Slack and are
printed as text. Buttons are numbered: `click 2` clicks one, `click 2 as U0BOB` as another user;
`as U0BOB` switches who is typing.
"""

from __future__ import annotations

import secrets
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from pydantic import SecretStr
from slack_bolt import App

from bot.app import logs
from bot.app.bolt_request import bolt_request
from bot.app.build import build_services
from bot.app.slack_app import build_app
from bot.local.demo.platform import DemoPlatform
from bot.local.fakeslack import FakeSlack, SlackCall
from bot.local.signed_requests import SignedRequests
from bot.local.tracking_executor import TrackingExecutor
from bot.render.plan import PAGE_ACTION
from bot.render.runs import VIEW_PLAN
from bot.render.text import render_text
from bot.runs.lifecycle import recover_interrupted
from bot.services import Services
from bot.settings import Settings

CONSOLE_CHANNEL = "C0CARBON"
HELP = """Type /carbon <subcommand> (try /carbon help). Other lines:
  click N [as USER]   click button N, optionally as another user (e.g. click 1 as U0BOB)
  view plan N         open the full plan of a run (N: any of its buttons' number, or its run id) and
                      print every page, clicking Next through the app as Slack would
  as USER             type as another Slack user id from now on
  exit                stop the console and everything it started"""


def run_console(settings: Settings, demo: bool, stdin: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    logs.configure(json_logs=False, level=30)
    platform = DemoPlatform() if demo else None
    if platform is not None:
        print("carbon: starting the demo platform (emulated Kubernetes + OpenBao dev server)…", file=out, flush=True)
        platform.start()
    slack = FakeSlack().start()
    secret = secrets.token_hex(16)
    update: dict[str, object] = {
        "slack_bot_token": SecretStr("xoxb-console"), "slack_signing_secret": SecretStr(secret),
        "slack_api_url": slack.api_url, "channel": settings.channel or CONSOLE_CHANNEL,
    }
    if demo:
        update |= {"db_path": temp_db(), "approvers": settings.approvers or ("U0BOB", "U0CAROL")}
    console_settings = settings.model_copy(update=update)
    services: Services | None = None
    try:
        services = build_services(console_settings, api_client=platform.api_client() if platform else None,
                                  vault=platform.vault_client() if platform else None, view=demo)
        if services.view is not None:
            services.view.start()
        recover_interrupted(services.runs)  # the console leads alone
        session = Console(services, slack, secret, out=out)
        print("carbon console: type /carbon help, or `exit`. You are U0ALICE; `as U0BOB` switches.", file=out, flush=True)
        for line in _lines(stdin, out):
            if not session.handle_line(line):
                break
        session.close()
    finally:
        if services is not None and services.view is not None:
            services.view.stop()
        slack.stop()
        if platform is not None:
            platform.stop()
    return 0


def _lines(stdin: TextIO, out: TextIO) -> Iterator[str]:
    """Input lines, with a prompt when a person is typing (a pipe gets none)."""
    interactive = stdin.isatty()
    while True:
        if interactive:
            print(f"{PROMPT}", end="", file=out, flush=True)
        line = stdin.readline()
        if not line:
            return
        yield line


PROMPT = "carbon> "
VIEW_METHODS = ("views.open", "views.update")
MAX_PAGES = 200  # `view plan` stops here whatever the plan: 200 pages hold far more than any plan


class Console:
    def __init__(self, services: Services, fake_slack: FakeSlack, signing_secret: str, out: TextIO = sys.stdout,
                 user_id: str = "U0ALICE") -> None:
        self.services = services
        self.slack = fake_slack
        self.secret = signing_secret
        self.out = out
        self.user_id = user_id
        self.signer = SignedRequests(signing_secret, fake_slack.response_url, default_channel=CONSOLE_CHANNEL)
        self.executor = TrackingExecutor()
        services.workers = self.executor
        self.app: App = build_app(services, listener_executor=self.executor)
        self.buttons: list[dict[str, Any]] = []  # every button shown so far, numbered from 1
        self.button_calls: list[SlackCall | None] = []  # the message each one came with
        self._seen = len(fake_slack.calls)

    def handle_line(self, line: str) -> bool:
        """Run one input line; False when the console should stop."""
        line = line.strip()
        if not line:
            return True
        if line in ("exit", "quit"):
            return False
        words = line.split()
        if line.startswith("/carbon"):
            self.slash(line.removeprefix("/carbon").strip())
        elif words[0] == "as" and len(words) == 2:
            self.user_id = words[1]
            self.say(f"(now typing as {self.user_id})")
        elif words[0] == "click" and len(words) in (2, 4) and words[1].isdigit():
            self.click(int(words[1]), words[3] if len(words) == 4 else self.user_id)
        elif words[:2] == ["view", "plan"] and len(words) == 3:
            self.view_plan(words[2])
        else:
            self.say(HELP)
        return True

    def slash(self, text: str) -> None:
        self._dispatch(*self.signer.slash(text, user_id=self.user_id))

    def click(self, number: int, user_id: str) -> None:
        if not 1 <= number <= len(self.buttons):
            self.say(f"(no button {number}; buttons shown so far: 1–{len(self.buttons)})")
            return
        button, call = self.buttons[number - 1], self.button_calls[number - 1]
        params = call.params if call is not None else {}
        if call is not None and call.method in VIEW_METHODS:  # a button inside a modal: the click carries the view
            self._dispatch(*self.signer.home_click(button["action_id"], str(button.get("value", "")), user_id,
                                                   dict(call.answer.get("view") or params.get("view") or {})))
            return
        ts = str(params.get("ts") or (call.answer.get("ts") if call is not None else "") or "")
        self._dispatch(*self.signer.click(button["action_id"], str(button.get("value", "")), user_id, ts,
                                          channel_id=str(params.get("channel") or CONSOLE_CHANNEL),
                                          message={"ts": ts, "blocks": params.get("blocks") or []}))

    def view_plan(self, which: str) -> None:
        """Click the run's View full plan button, then Next on each page until the last one."""
        run_id = which
        if which.isdigit():
            if not 1 <= int(which) <= len(self.buttons):
                self.say(f"(no button {which}; buttons shown so far: 1–{len(self.buttons)})")
                return
            run_id = str(self.buttons[int(which) - 1].get("value", "")).partition(":")[0]
        shown = [i for i, b in enumerate(self.buttons, 1) if b["action_id"] == VIEW_PLAN and b.get("value") == run_id]
        if shown:
            self.click(shown[-1], self.user_id)
        else:
            self._dispatch(*self.signer.click(VIEW_PLAN, run_id, self.user_id, "", channel_id=CONSOLE_CHANNEL))
        for _ in range(MAX_PAGES):
            following = [i for i, b in enumerate(self.buttons, 1) if b["action_id"] == PAGE_ACTION
                         and i > len(self.buttons) - 2 and b.get("text", {}).get("text") == "Next"]
            if not following:
                return
            self.click(following[-1], self.user_id)

    def _dispatch(self, body: str, headers: dict[str, str]) -> None:
        response = self.app.dispatch(bolt_request(body, headers, self.secret))
        if response.status != 200:
            self.say(f"(Slack would show an error: HTTP {response.status})")
        elif response.body:
            self._show_payload("ack", _json(response.body))
        self.executor.wait_idle()
        self.print_new_calls()

    def print_new_calls(self) -> None:
        calls = self.slack.calls[self._seen:]
        self._seen += len(calls)
        for call in calls:
            if call.method in ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url", "views.publish",
                               *VIEW_METHODS):
                self._show_payload(call.method, call.params, call)
            elif call.method == "files.completeUploadExternal" and call.answer.get("ok"):
                self._show_files(call)

    def _show_files(self, call: SlackCall) -> None:
        """A shared file (the digest's chart): saved to a temporary folder, since a terminal cannot show it."""
        folder = Path(tempfile.mkdtemp(prefix="carbon-console-files-"))
        shared = {f["id"] for f in call.answer.get("files", [])}
        for file in (f for f in self.slack.files() if f.id in shared):
            path = folder / file.filename
            path.write_bytes(file.content)
            where = f"thread {file.channel}" if file.thread_ts else str(file.channel)
            self.say(f"  [{where}] {file.initial_comment}\n  (file {file.title!r}, {len(file.content):,} bytes: {path})")

    def _show_payload(self, source: str, payload: dict[str, Any], call: SlackCall | None = None) -> None:
        blocks = payload.get("blocks") or (payload.get("view") or {}).get("blocks")
        before = len(self.buttons)
        text = render_text(blocks, self.buttons) if blocks else str(payload.get("text") or "")
        self.button_calls += [call] * (len(self.buttons) - before)
        label = {"ack": "", "response_url": ""}.get(source, f"[{source} {payload.get('channel', '')}] ")
        if source in VIEW_METHODS:
            label = "[modal] "
        if source == "chat.postMessage" and payload.get("thread_ts"):
            label = f"  [thread {payload.get('channel', '')}] "
        self.say(f"{label}{text}" if text else f"{label}(empty)")

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=False)


def _json(body: Any) -> dict[str, Any]:
    import json

    if isinstance(body, dict):
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return {"text": str(body)}
    return data if isinstance(data, dict) else {"text": str(body)}


def temp_db() -> Path:
    return Path(tempfile.mkdtemp(prefix="carbon-console-")) / "carbon.db"
