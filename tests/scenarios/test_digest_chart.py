"""The digest's burn-up chart end to end: drawn from the history, uploaded into the digest's thread, never at the
cost of the digest."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from typing import Any

import matplotlib.image
import pytest

from bot import messages
from bot.local.emulator import KubeEmulator
from bot.progress.burnup import DAYS
from bot.progress.marks import last_digest
from bot.publish import chart as chart_module
from bot.publish.chart import FILENAME
from bot.render.chart import HEIGHT, WIDTH
from jobs.digest import digest_job
from tests.fixtures.bot import CHANNEL
from tests.fixtures.clock import FakeClock
from tests.fixtures.png import png_size

FRIDAY_0900 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_the_digest_job_uploads_the_chart_into_the_digests_thread(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    clock = FakeClock(FRIDAY_0900 - timedelta(days=3))
    carbon.services.clock.now = clock
    carbon.services.meter.measure_with_risks()  # history three days back, then the digest's own measurement
    clock.set(FRIDAY_0900)
    ts = digest_job(carbon.services, clock())
    assert ts is not None
    [chart] = carbon.slack.files()
    assert chart.completed and chart.filename == FILENAME
    assert (chart.channel, chart.thread_ts) == (CHANNEL, ts)
    assert chart.title == messages.chart_title(carbon.services.meter.plan.name, DAYS, FRIDAY_0900.date())
    assert chart.initial_comment == messages.chart_comment(DAYS)
    assert png_size(chart.content) == (WIDTH, HEIGHT)
    assert matplotlib.image.imread(io.BytesIO(chart.content), format="png").shape[:2] == (HEIGHT, WIDTH)
    assert len(carbon.slack.messages(CHANNEL)) == 1  # the digest is one message; the chart is in its thread


def test_a_failed_upload_leaves_the_digest_posted_and_marked(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    carbon.services.clock.now = FakeClock(FRIDAY_0900)
    carbon.slack.fail("files.completeUploadExternal", error="not_in_channel")
    ts = digest_job(carbon.services, FRIDAY_0900)
    assert ts is not None and last_digest(carbon.services.store).ts == ts
    digest, said = carbon.slack.messages(CHANNEL)
    assert digest["ts"] == ts and said["thread_ts"] == ts
    assert said["text"] == messages.chart_failed("not_in_channel")
    failed = carbon.services.store.audit_entries()[0]
    assert (failed["action"], failed["detail"]) == ("digest_chart_failed", {"ts": ts, "error": "not_in_channel"})
    assert digest_job(carbon.services, FRIDAY_0900 + timedelta(minutes=10)) is None  # not posted again


def test_a_chart_that_cannot_be_drawn_is_logged_with_a_ref_and_the_digest_stands(
        make_carbon: Any, platform: KubeEmulator, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(chart_module, "CHILD", "import sys; sys.exit('no fonts')")
    carbon = make_carbon(platform)
    carbon.services.clock.now = FakeClock(FRIDAY_0900)
    ts = digest_job(carbon.services, FRIDAY_0900)
    assert ts is not None and last_digest(carbon.services.store).ts == ts
    failed = carbon.services.store.audit_entries()[0]
    assert failed["action"] == "digest_chart_failed" and failed["detail"]["error"].startswith("ref ")
    said = carbon.slack.messages(CHANNEL)[1]
    assert said["thread_ts"] == ts and "no fonts" not in said["text"]
    assert carbon.slack.calls_to("files.getUploadURLExternal") == []


def test_slash_digest_posts_the_chart_too(carbon: Any) -> None:
    carbon.slash("digest")
    assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
    [chart] = carbon.slack.files()
    [digest] = carbon.slack.messages(CHANNEL)
    assert chart.completed and chart.thread_ts == digest["ts"]
