"""The digest end to end: what it says, Slack's limits, `/carbon digest`. When it is due: tests/unit/test_digest_due.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot import messages
from bot.digest.build import DigestView, TaskChange
from bot.errors import SlackFailed
from bot.local.demo.seed import pod
from bot.local.emulator import KubeEmulator
from bot.progress.marks import last_digest
from bot.progress.measure import PlanProgress
from bot.render.digest import render_digest
from bot.risks import RiskFinding, Severity
from jobs.digest import digest_job
from tests.fixtures.bot import CHANNEL
from tests.fixtures.clock import FakeClock
from tests.fixtures.run_feed import ListFeed, Run

FRIDAY_0900 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def text_of(message: dict[str, Any]) -> str:
    return "\n".join(str((b.get("text") or {}).get("text", "")) for b in message["blocks"])


def test_the_digest_says_what_moved_since_the_last_one(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    clock = FakeClock(FRIDAY_0900)
    carbon.services.clock.now = clock
    feed = ListFeed([Run("r1", "restore-services", "succeeded", "U0ALICE", ("U0BOB",), FRIDAY_0900 - timedelta(days=1))])
    carbon.services.run_feed = feed
    assert digest_job(carbon.services, clock()) is not None
    first = text_of(carbon.slack.messages(CHANNEL)[0])
    assert "first digest" in first and "P1 · Infrastructure Stabilization" in first and "r1" in first
    assert "Single-node cluster" in first and "critical" in first
    assert digest_job(carbon.services, clock.advance(minutes=10)) is None
    platform.add(pod("data-platform", "doris-be-7d9f8", "doris-be", "docker.io/apache/doris:be-2.0.3"))
    platform.add(pod("monitoring", "alertmanager-0", "alertmanager", "quay.io/prometheus/alertmanager:v0.26.0"))
    platform.add(pod("monitoring", "grafana-0", "grafana", "grafana/grafana:10.2.3", waiting="CrashLoopBackOff"))
    feed.runs.append(Run("r2", "image-mirroring", "failed", "U0DAVE", ("U0BOB", "U0CAROL"), clock.advance(days=1)))
    clock.set(FRIDAY_0900 + timedelta(days=3))  # Monday 09:00
    assert digest_job(carbon.services, clock()) is not None
    second = text_of(carbon.slack.messages(CHANNEL)[1])
    assert "done: `alertmanager`" in second and "cluster-health" not in second  # grafana now fails it
    assert "regressed: `grafana`" in second
    assert "r2" in second and "r1" not in second and "<@U0CAROL>" in second
    # P4: prometheus 2 + loki 1 + alertmanager 2 of 8 (grafana 1 now failing, api-latency 2 unknown)
    assert "P4 · Monitoring &amp; Observability*  `██████░░░░` 62% (+12 pts)" in second and "76% (no change)" in second
    assert len(carbon.slack.messages(CHANNEL)) == 2
    assert last_digest(carbon.services.store).posted_at == clock()


def test_the_next_tasks_are_the_ones_a_run_would_accept_now(make_carbon: Any, platform: KubeEmulator) -> None:
    """A task whose `needs:` are not done would be refused by `/carbon run`: the digest does not offer it yet."""
    carbon = make_carbon(platform)
    carbon.slash("digest")
    posted = text_of(carbon.slack.messages(CHANNEL)[0])
    offered = posted[posted.index("Next tasks that can be run"):]
    for task_id in ("restore-services", "vault-kubernetes-auth", "velero-schedules", "critical-replicas"):
        assert f"/carbon run {task_id}`" in offered, task_id
    for task_id in ("secrets-migration", "vault-database-credentials", "restore-tested"):  # their needs are not done
        assert f"/carbon run {task_id}`" not in offered, task_id


def test_a_failed_digest_post_leaves_no_mark(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    carbon.services.clock.now = FakeClock(FRIDAY_0900)
    carbon.slack.fail("chat.postMessage", error="not_in_channel")
    with pytest.raises(SlackFailed):
        digest_job(carbon.services, FRIDAY_0900)
    assert last_digest(carbon.services.store) is None
    assert digest_job(carbon.services, FRIDAY_0900 + timedelta(minutes=10)) is not None


def test_slash_digest_posts_now(carbon: Any) -> None:
    carbon.slash("digest")
    assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
    assert len(carbon.slack.messages(CHANNEL)) == 1
    assert carbon.services.store.audit_entries()[0]["actor"] == "U0ALICE"


def test_slash_digest_without_a_channel_says_so(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform, CARBON_CHANNEL="")
    response = carbon.slash("digest")
    assert messages.no_channel() in response.body
    assert carbon.slack.calls_to("chat.postMessage") == []


def test_long_digests_keep_within_slacks_limits(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    progress: PlanProgress = carbon.services.meter.measure()
    runs = [Run(f"r{i}", "restore-services", "succeeded", "U0ALICE", ("U0BOB",), FRIDAY_0900) for i in range(200)]
    risks = [RiskFinding("failing_pods", Severity.HIGH, f"ns/app-{i}", f"Pod ns/app-{i} " + "x" * 200) for i in range(300)]
    changes = [TaskChange(f"t{i}", "title " * 40, "failing", "done") for i in range(100)]
    blocks = render_digest(DigestView(progress, FRIDAY_0900, {}, changes, runs, risks, []))
    assert len(blocks) <= 50
    assert all(len((b.get("text") or {}).get("text", "")) <= 3000 for b in blocks)
    for title, total in (("*Tasks that changed*", 100), ("*Runs*", 200), ("*Open risks*", 300)):
        text = next(b["text"]["text"] for b in blocks if b["type"] == "section" and b["text"]["text"].startswith(title))
        shown = len(text.splitlines()) - 2
        assert text.endswith(f"…and {total - shown} more")


def test_slash_digest_needs_a_requester(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform, CARBON_REQUESTERS="U0ALICE")
    carbon.slash("digest", user="U0MALLORY")
    assert carbon.last_answer()["text"] == messages.not_allowed_to_digest("U0MALLORY")
    assert carbon.slack.messages(CHANNEL) == []


def test_an_on_demand_digest_does_not_move_the_scheduled_baseline(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    clock = FakeClock(FRIDAY_0900)
    carbon.services.clock.now = clock
    assert digest_job(carbon.services, clock()) is not None
    clock.advance(hours=3)
    carbon.slash("digest")
    assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
    assert len(carbon.slack.messages(CHANNEL)) == 2
    assert last_digest(carbon.services.store).posted_at == FRIDAY_0900
    on_demand = text_of(carbon.slack.messages(CHANNEL)[1])
    assert "first digest" not in on_demand  # it compares with the scheduled one
    clock.set(FRIDAY_0900 + timedelta(days=3))  # Monday 09:00: the scheduled digest is due as if no one had asked
    assert digest_job(carbon.services, clock()) is not None
    assert last_digest(carbon.services.store).posted_at == clock()


def test_slash_digest_is_rate_limited_per_user(make_carbon: Any, platform: KubeEmulator) -> None:
    from bot.services.pace import LIMITS

    carbon = make_carbon(platform)
    clock = FakeClock(FRIDAY_0900)
    carbon.services.clock.now = clock
    limit = LIMITS["digest"]
    for _ in range(limit.count):
        carbon.slash("digest")
        assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
    clock.advance(seconds=10)
    carbon.slash("digest")
    answer = carbon.last_answer()
    assert answer["text"] == messages.slow_down("digest", limit.count, limit.window_s, limit.window_s - 10)
    assert answer["response_type"] == "ephemeral"
    assert len(carbon.slack.messages(CHANNEL)) == limit.count
    carbon.slash("digest", user="U0BOB")  # another person is not held back
    assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
    clock.advance(seconds=limit.window_s)
    carbon.slash("digest")
    assert carbon.last_answer()["text"] == messages.digest_posted(CHANNEL)
