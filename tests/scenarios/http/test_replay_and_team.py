"""Item 5 of issue 11: a captured signed request re-sent inside Slack's 5-minute window acts once; a request
signed with our secret but naming another workspace or app is refused."""

from __future__ import annotations

from bot.local.signed_requests import signed_headers, slash_command_body
from bot.runs.records import list_runs
from tests.fixtures.bot import Carbon
from tests.fixtures.http import post


def test_a_replayed_run_request_records_one_run(bot: Carbon, front: tuple[str, int]) -> None:
    body, headers = bot.signer.slash("run restore", user_id="U0ALICE")
    first, _ = post(front, body, headers)
    bot.executor.wait_idle()
    again, answer = post(front, body, headers)
    bot.executor.wait_idle()
    assert (first, again) == (200, 200)
    assert answer == b""  # answered without acting
    assert len(list_runs(bot.services.store, "restore", limit=10)) == 1


def test_the_same_text_signed_again_is_a_new_request(bot: Carbon, front: tuple[str, int]) -> None:
    for _ in range(2):
        body, headers = bot.signer.slash("runs", user_id="U0ALICE")
        assert post(front, body, headers)[0] == 200
    bot.executor.wait_idle()
    assert len(bot.answers()) == 2


def _signed(bot: Carbon, text: str, team: str = "T0CARBON", app: str = "A0CARBON") -> tuple[str, dict[str, str]]:
    body = slash_command_body(text, user_id="U0ALICE", channel_id="C0CARBON",
                              response_url=bot.slack.response_url("other"), team_id=team)
    body = body.replace("api_app_id=A0CARBON", f"api_app_id={app}")
    return body, signed_headers(bot.signer.secret, body)


def test_another_workspace_or_app_is_refused_and_nothing_changes(bot: Carbon, front: tuple[str, int]) -> None:
    for body, headers in (_signed(bot, "run restore", team="T0OTHER"), _signed(bot, "run restore", app="A0OTHER")):
        status, _ = post(front, body, headers)
        assert status == 403
    bot.executor.wait_idle()
    assert list_runs(bot.services.store, "restore", limit=10) == []
    assert bot.services.store.audit_entries() == []
    assert bot.answers() == []
