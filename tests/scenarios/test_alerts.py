"""The alert lifecycle against the fake Slack Web API: each change is told once, failures are retried."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient

from bot import messages
from bot.alerts import lifecycle as alerts
from bot.local.emulator import KubeEmulator
from bot.local.fakeslack import FakeSlack
from bot.publish import alerts as publish_alerts
from bot.risks import RiskFinding, Severity
from bot.slack.chat import SlackChat
from bot.store.store import Store
from jobs.risk_scan import risk_scan_job
from tests.fixtures.clock import FakeClock

CHANNEL = "C0CARBON"
NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
CERT = RiskFinding("certificate_expiring", Severity.MEDIUM, "apps/web", "Certificate apps/web expires in 10 day(s)")
NODE = RiskFinding("single_node", Severity.HIGH, "cluster", "Single-node cluster")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "carbon.db")


@pytest.fixture
def poster(fake_slack: FakeSlack) -> SlackChat:
    return SlackChat(WebClient(token="xoxb-test", base_url=fake_slack.api_url))


def scan(store: Store, poster: SlackChat, findings: list[RiskFinding], now: datetime = NOW) -> alerts.ScanOutcome:
    alerts.record(store, findings, now)
    return publish_alerts.notify(store, poster, CHANNEL, now)


def posts(slack: FakeSlack) -> list[dict]:
    return [c.params for c in slack.calls_to("chat.postMessage")]


def test_a_finding_is_posted_once_while_unchanged(store: Store, poster: SlackChat, fake_slack: FakeSlack) -> None:
    assert scan(store, poster, [CERT, NODE]).opened == 2
    for minutes in (5, 10, 15):
        scan(store, poster, [NODE, CERT], NOW + timedelta(minutes=minutes))
    assert len(posts(fake_slack)) == 2 and fake_slack.calls_to("chat.update") == []
    buttons = posts(fake_slack)[0]["blocks"][-1]["elements"]
    assert [b["action_id"] for b in buttons] == ["carbon.risk.ack", "carbon.risk.snooze"]
    assert {b["value"] for b in buttons} == {NODE.fingerprint}  # most severe first
    assert [e["action"] for e in store.audit_entries()].count("alert_opened") == 2


def test_severity_change_updates_once_and_resolution_replies_once(store: Store, poster: SlackChat,
                                                                    fake_slack: FakeSlack) -> None:
    scan(store, poster, [CERT])
    alert_ts = posts(fake_slack)[0]
    worse = RiskFinding(CERT.rule, Severity.HIGH, CERT.subject, "Certificate apps/web expires in 5 day(s)")
    assert scan(store, poster, [worse], NOW + timedelta(days=5)).updated == 1
    scan(store, poster, [worse], NOW + timedelta(days=5, minutes=5))
    updates, replies = fake_slack.calls_to("chat.update"), posts(fake_slack)[1:]
    assert len(updates) == 1 and len(replies) == 1
    assert replies[0]["text"] == messages.alert_severity_changed("medium", "high")
    ts = fake_slack.messages(CHANNEL)[0]["ts"]
    assert replies[0]["thread_ts"] == ts and alert_ts.get("thread_ts") is None
    assert scan(store, poster, [], NOW + timedelta(days=6)).resolved == 1
    scan(store, poster, [], NOW + timedelta(days=6, minutes=5))
    replies = posts(fake_slack)[2:]
    assert [r["text"] for r in replies] == [messages.alert_resolved(worse.title)]
    assert len(fake_slack.calls_to("chat.update")) == 2
    resolved = fake_slack.messages(CHANNEL)[0]
    assert "resolved" in resolved["blocks"][0]["text"]["text"] and resolved["blocks"][-1]["type"] != "actions"


def test_a_failed_post_is_retried_on_the_next_scan(store: Store, poster: SlackChat, fake_slack: FakeSlack) -> None:
    fake_slack.fail("chat.postMessage", error="channel_not_found")
    assert scan(store, poster, [NODE]).failed == 1
    assert alerts.alert(store, NODE.fingerprint).posted_state is None
    assert scan(store, poster, [NODE], NOW + timedelta(minutes=5)).opened == 1
    scan(store, poster, [NODE], NOW + timedelta(minutes=10))
    assert len(fake_slack.messages(CHANNEL)) == 1
    assert "alert_post_failed" in [e["action"] for e in store.audit_entries()]


def test_snoozed_alerts_stay_quiet_until_the_snooze_ends(store: Store, poster: SlackChat, fake_slack: FakeSlack) -> None:
    scan(store, poster, [CERT])
    snoozed = alerts.snooze(store, CERT.fingerprint, "U0BOB", NOW)
    assert snoozed is not None and snoozed.snoozed_by == "U0BOB"
    worse = RiskFinding(CERT.rule, Severity.HIGH, CERT.subject, CERT.title)
    scan(store, poster, [worse], NOW + timedelta(hours=2))
    assert len(posts(fake_slack)) == 1 and fake_slack.calls_to("chat.update") == []
    assert scan(store, poster, [worse], NOW + timedelta(hours=25)).updated == 1


def test_acknowledge_records_who(store: Store, poster: SlackChat) -> None:
    scan(store, poster, [NODE])
    acked = alerts.acknowledge(store, NODE.fingerprint, "U0CAROL", NOW)
    assert acked is not None and acked.acked_by == "U0CAROL"
    assert alerts.acknowledge(store, "nope", "U0CAROL", NOW) is None
    assert store.audit_entries(subject=NODE.fingerprint)[0]["actor"] == "U0CAROL"


def test_a_finding_that_comes_back_is_a_new_alert(store: Store, poster: SlackChat, fake_slack: FakeSlack) -> None:
    scan(store, poster, [NODE])
    alerts.acknowledge(store, NODE.fingerprint, "U0CAROL", NOW)
    scan(store, poster, [], NOW + timedelta(hours=1))
    assert scan(store, poster, [NODE], NOW + timedelta(hours=2)).opened == 1
    assert alerts.alert(store, NODE.fingerprint).acked_by is None
    top_level = [m for m in fake_slack.messages(CHANNEL) if not m.get("thread_ts")]
    assert len(top_level) == 2


def test_the_buttons_record_who_and_update_the_alert(make_carbon: Any, platform: KubeEmulator) -> None:
    carbon = make_carbon(platform)
    clock = FakeClock(NOW)
    carbon.services.clock.now = clock
    risk_scan_job(carbon.services, clock())
    risk_scan_job(carbon.services, clock.advance(minutes=5))  # the demo's 12 findings take two scans (10 a scan)
    alert_message = carbon.slack.messages(CHANNEL)[0]
    fingerprint = alert_message["blocks"][-1]["elements"][0]["value"]
    carbon.click("carbon.risk.ack", fingerprint, "U0CAROL", alert_message["ts"])
    updated = next(m for m in carbon.slack.messages(CHANNEL) if m["ts"] == alert_message["ts"])
    assert "acknowledged by <@U0CAROL>" in updated["blocks"][1]["elements"][0]["text"]
    carbon.click("carbon.risk.snooze", fingerprint, "U0DAVE", alert_message["ts"])
    assert alerts.alert(carbon.services.store, fingerprint).snoozed_by == "U0DAVE"
    actions = [e["action"] for e in carbon.services.store.audit_entries(subject=fingerprint)]
    assert "alert_acknowledged" in actions and "alert_snoozed" in actions
    carbon.click("carbon.risk.ack", "0000", "U0CAROL", alert_message["ts"])
    assert carbon.last_answer()["text"] == messages.unknown_alert()
    posted = len(carbon.slack.calls_to("chat.postMessage"))
    risk_scan_job(carbon.services, clock.advance(minutes=5))
    assert len(carbon.slack.calls_to("chat.postMessage")) == posted  # unchanged findings: nothing new


def test_no_credential_value_reaches_slack_or_the_store(make_carbon: Any, platform: KubeEmulator) -> None:
    from bot.local.demo.seed import CREDENTIAL_CONFIGMAPS
    from jobs.digest import digest_job

    carbon = make_carbon(platform)
    risk_scan_job(carbon.services, NOW)
    digest_job(carbon.services, NOW)
    canaries = [v for data in CREDENTIAL_CONFIGMAPS.values() for k, v in data.items() if "PASS" in k or "SECRET" in k]
    sent = json.dumps([c.params for c in carbon.slack.calls])
    stored = json.dumps(carbon.services.store.query("SELECT * FROM findings")) + json.dumps(carbon.services.store.audit_entries())
    assert "plaintext_credentials" in stored and canaries
    assert [c for c in canaries if c in sent or c in stored] == []


def test_a_flood_of_new_findings_is_spread_over_scans(store: Store, poster: SlackChat, fake_slack: FakeSlack) -> None:
    many = [RiskFinding("failing_pods", Severity.HIGH, f"ns/app-{i}", f"Pod ns/app-{i} is in CrashLoopBackOff")
            for i in range(publish_alerts.MAX_NEW_PER_SCAN + 3)]
    first = scan(store, poster, many)
    assert (first.opened, first.deferred) == (publish_alerts.MAX_NEW_PER_SCAN, 3)
    assert scan(store, poster, many, NOW + timedelta(minutes=5)).opened == 3
    assert scan(store, poster, many, NOW + timedelta(minutes=10)).opened == 0
    assert len(fake_slack.messages(CHANNEL)) == len(many)


def test_alert_buttons_need_a_requester_and_snoozing_a_critical_alert_an_approver(make_carbon: Any,
                                                                                   platform: KubeEmulator) -> None:
    carbon = make_carbon(platform, CARBON_REQUESTERS="U0ALICE,U0CAROL")
    clock = FakeClock(NOW)
    carbon.services.clock.now = clock
    risk_scan_job(carbon.services, clock())
    store = carbon.services.store
    critical = next(a for a in alerts.alerts(store) if a.severity == "critical")
    lesser = next(a for a in alerts.alerts(store) if a.severity != "critical" and a.ts)
    updates = len(carbon.slack.calls_to("chat.update"))

    def refused(action_id: str, item: alerts.Alert, user: str) -> str:
        carbon.click(action_id, item.fingerprint, user, item.ts or "")
        answer = carbon.last_answer()
        assert answer["response_type"] == "ephemeral"
        return str(answer["text"])

    assert refused("carbon.risk.ack", critical, "U0MALLORY") == messages.not_allowed_to_acknowledge("U0MALLORY")
    assert refused("carbon.risk.snooze", lesser, "U0MALLORY") == messages.not_allowed_to_acknowledge("U0MALLORY")
    assert refused("carbon.risk.snooze", critical, "U0ALICE") == messages.not_allowed_to_snooze_critical("U0ALICE")
    for item in (critical, lesser):
        now = alerts.alert(store, item.fingerprint)
        assert (now.acked_by, now.snoozed_by, now.snoozed_until) == (None, None, None)
    assert len(carbon.slack.calls_to("chat.update")) == updates
    audit = [(e["actor"], e["detail"].get("why")) for e in store.audit_entries() if e["action"] == "alert_action_refused"]
    assert sorted(audit) == [("U0ALICE", "not_an_approver"), ("U0MALLORY", "not_a_requester"),
                             ("U0MALLORY", "not_a_requester")]
    carbon.click("carbon.risk.snooze", lesser.fingerprint, "U0ALICE", lesser.ts or "")
    carbon.click("carbon.risk.snooze", critical.fingerprint, "U0CAROL", critical.ts or "")
    assert alerts.alert(store, lesser.fingerprint).snoozed_by == "U0ALICE"
    assert alerts.alert(store, critical.fingerprint).snoozed_by == "U0CAROL"
