"""files.uploadV2 through the real slack_sdk client: SlackChat.upload against the fake Slack's three steps."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import SlackFailed
from bot.local.fakeslack import FILE_UPLOAD, FakeSlack
from bot.slack.chat import SlackChat

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


@pytest.fixture
def chat(fake_slack: FakeSlack) -> SlackChat:
    return SlackChat(WebClient(token="xoxb-carbon-test", base_url=fake_slack.api_url))


def test_upload_asks_for_a_url_posts_the_bytes_and_completes_into_the_thread(fake_slack: FakeSlack, chat: SlackChat) -> None:
    chat.upload("C0CARBON", PNG, "carbon-burnup.png", "Burn-up", "the chart", thread_ts="1700000000.000100")
    assert [c.method for c in fake_slack.calls] == ["files.getUploadURLExternal", FILE_UPLOAD, "files.completeUploadExternal"]
    asked = fake_slack.calls_to("files.getUploadURLExternal")[0]
    assert asked.params["filename"] == "carbon-burnup.png" and asked.params["length"] == str(len(PNG))
    assert asked.token == "xoxb-carbon-test"
    [shared] = fake_slack.files()
    assert shared.content == PNG and shared.completed
    assert (shared.channel, shared.thread_ts, shared.title, shared.initial_comment) == (
        "C0CARBON", "1700000000.000100", "Burn-up", "the chart")
    assert fake_slack.messages("C0CARBON") == []  # a file share is not a chat.postMessage


def test_a_refused_upload_url_is_slack_failed(fake_slack: FakeSlack, chat: SlackChat) -> None:
    fake_slack.fail(FILE_UPLOAD, status=500)
    with pytest.raises(SlackFailed) as failed:
        chat.upload("C0CARBON", PNG, "carbon-burnup.png", "Burn-up", "the chart")
    assert (failed.value.method, failed.value.code) == ("files.uploadV2", "http_500")
    assert fake_slack.calls_to("files.completeUploadExternal") == []
    assert not fake_slack.files()[0].completed


@pytest.mark.parametrize("method", ["files.getUploadURLExternal", "files.completeUploadExternal"])
def test_an_api_error_in_either_step_is_slack_failed(fake_slack: FakeSlack, chat: SlackChat, method: str) -> None:
    fake_slack.fail(method, error="not_in_channel")
    with pytest.raises(SlackFailed) as failed:
        chat.upload("C0CARBON", PNG, "carbon-burnup.png", "Burn-up", "the chart")
    assert failed.value.code == "not_in_channel"


def test_completing_an_upload_whose_bytes_never_came_fails(fake_slack: FakeSlack) -> None:
    client = WebClient(token="xoxb-carbon-test", base_url=fake_slack.api_url)
    file_id = client.files_getUploadURLExternal(filename="a.png", length=3)["file_id"]
    with pytest.raises(SlackApiError) as failed:
        client.files_completeUploadExternal(files=[{"id": file_id, "title": "a"}], channel_id="C0CARBON")
    assert failed.value.response["error"] == "file_not_found"
