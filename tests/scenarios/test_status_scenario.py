"""/carbon status end to end: signed requests through Bolt over HTTP, the emulated cluster, real OpenBao."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot import messages
from bot.app.http import make_server, serve_in_thread
from bot.app.readiness import Readiness
from bot.app.slack_gate import installed_app
from bot.render.text import render_text
from bot.risks import scan
from tests.fixtures.bot import Carbon
from tests.fixtures.prometheus import FakePrometheus


@contextmanager
def serving(carbon: Carbon) -> Iterator[str]:
    """The bot's HTTP endpoint (Slack events, health, metrics) on a free loopback port."""
    server = make_server("127.0.0.1", 0, app=carbon.app, metrics=carbon.services.metrics, readiness=Readiness(carbon.services),
                         signing_secret=carbon.signer.secret, installed=installed_app(carbon.app.client))
    serve_in_thread(server)
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def http(carbon: Carbon) -> Iterator[str]:
    with serving(carbon) as url:
        yield url


def post(url: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def text_of(params: dict[str, Any]) -> str:
    return render_text(params.get("blocks") or []) or str(params.get("text", ""))


def test_signed_status_is_acked_then_answered_with_the_dashboard(carbon: Carbon, http: str) -> None:
    body, headers = carbon.signer.slash("status", user_id="U0ALICE")
    status, ack = post(f"{http}/slack/events", body, headers)
    assert status == 200
    assert json.loads(ack)["text"] == messages.working()
    answer = carbon.slack.wait_for(lambda c: c.method == "response_url" and c.tag == carbon.signer.last_tag, timeout=20)
    assert answer.params["response_type"] == "in_channel"
    shown = text_of(answer.params)
    for phase in carbon.services.plan.phases:
        assert phase.title in shown
    assert "█" in shown and "%" in shown
    open_risks = len(scan(carbon.services.meter.snapshot(), carbon.services.clock()))
    assert open_risks > 0 and f"open risks: {open_risks}" in shown  # from the same reads as the percentages


def test_the_ack_is_returned_while_the_work_is_still_running(make_carbon: Any, platform: Any, tmp_path: Path,
                                                            prometheus: FakePrometheus) -> None:
    """Slack's 3 seconds: the ack must not wait for the measurement. The one check here holds its Prometheus
    query until the test releases it, so the answer cannot exist before the release; the ack must."""
    query = "up"
    prometheus.answers[query] = "hang"
    check = {"kind": "prometheus_query", "url": prometheus.url, "query": query, "op": ">", "threshold": 0,
             "timeout_s": 60, "http_timeout_s": 60}
    plan = tmp_path / "plan.yaml"
    plan.write_text(yaml.safe_dump({"name": "held", "phases": [{"id": "p1", "title": "Held", "tasks": [
        {"id": "held-query", "title": "A query the test holds", "weight": 1, "check": check}]}]}))
    carbon = make_carbon(platform, CARBON_PLAN=str(plan))
    try:
        with serving(carbon) as url:
            body, headers = carbon.signer.slash("status", user_id="U0ALICE")
            status, ack = post(f"{url}/slack/events", body, headers)
            assert (status, json.loads(ack)["text"]) == (200, messages.working())
            assert carbon.answers() == []  # the measurement is still held on the Prometheus query
            prometheus.release.set()
            answer = carbon.slack.wait_for(lambda c: c.method == "response_url" and c.tag == carbon.signer.last_tag,
                                           timeout=20)
    finally:
        prometheus.release.set()
    assert prometheus.queries == [query]
    assert "P1 · Held" in text_of(answer.params) and "1 unknown" in text_of(answer.params)  # released as HTTP 503
    assert len(carbon.answers()) == 1


@pytest.mark.parametrize("tamper", ["signature", "old-timestamp"])
def test_bad_signature_or_stale_timestamp_gets_401_and_changes_nothing(carbon: Carbon, http: str, tamper: str) -> None:
    if tamper == "signature":
        body, headers = carbon.signer.slash("status")
        headers["x-slack-signature"] = "v0=" + "0" * 64
    else:
        body, headers = carbon.signer.slash("status", timestamp=int(time.time()) - 6 * 60)
    before = [c.method for c in carbon.slack.calls]
    status, _ = post(f"{http}/slack/events", body, headers)
    carbon.executor.wait_idle()
    assert status == 401
    assert [c.method for c in carbon.slack.calls] == before
    assert carbon.services.store.audit_entries() == []


def test_phase_status_shows_tls_8_of_9_with_the_missing_one_named(carbon: Carbon) -> None:
    carbon.slash("status p2")
    shown = text_of(carbon.last_answer())
    assert "8/9 certificates Ready" in shown
    assert "data-platform/dolphinscheduler-tls: not Ready" in shown


def test_certificates_forbidden_shows_unknown_with_the_reason(carbon: Carbon, platform: Any) -> None:
    platform.fail("certificates", status=403)
    carbon.slash("status p2")
    shown = text_of(carbon.last_answer())
    line = next(line for line in shown.splitlines() if "tls-certificates" in line)
    assert line.startswith("?") and line.endswith("—")
    assert "denied list certificates (403 Forbidden)" in shown


def test_unknown_phase_is_answered_in_the_ack_and_measures_nothing(carbon: Carbon, platform: Any) -> None:
    response = carbon.slash("status p9")
    assert response.status == 200
    assert json.loads(response.body)["text"] == messages.unknown_phase("p9", ["p1", "p2", "p3", "p4", "p5"])
    assert platform.requests == []
    assert carbon.answers() == []


def test_unknown_subcommand_suggests_the_close_one(carbon: Carbon) -> None:
    response = carbon.slash("stauts")
    assert json.loads(response.body)["text"] == messages.unknown_subcommand("stauts", ["status"])


def test_health_ready_and_metrics_endpoints(carbon: Carbon, http: str) -> None:
    with urllib.request.urlopen(f"{http}/healthz", timeout=5) as response:
        assert response.read() == b"ok\n"
    with urllib.request.urlopen(f"{http}/readyz", timeout=5) as response:
        report = json.loads(response.read())
    assert report == {"ready": True, "checks": {"store": "ok", "cluster": "ok", "vault": "ok"}, "degraded": [],
                      "leading": True}
    with urllib.request.urlopen(f"{http}/metrics", timeout=5) as response:
        exposition = response.read().decode()
    assert "carbon_up 1.0" in exposition
    assert 'carbon_slack_ack_seconds_count' in exposition


def test_unreachable_cluster_keeps_the_bot_ready_and_named(make_carbon: Any, kube: Any) -> None:
    carbon = make_carbon(kube)
    kube.stop()
    report = Readiness(carbon.services)()
    assert report["ready"] is True
    assert report["degraded"] == ["cluster"]
    assert "unreachable" in report["checks"]["cluster"]


def test_repeated_status_is_answered_from_the_fresh_measurement_until_carbon_changes_something(
        make_carbon: Any, platform: Any) -> None:
    carbon = make_carbon(platform, CARBON_STATUS_CACHE_S="60")
    carbon.slash("status")
    platform.reset_requests()
    carbon.slash("status")
    carbon.slash("tasks p2")
    assert platform.requests == []  # both answered from the measurement a moment ago
    assert len(carbon.answers()) == 3
    carbon.slash("attest dr-runbook reviewed with the team", user="U0BOB")
    carbon.slash("status p5")
    assert platform.requests, "an attestation must invalidate the cached measurement"
    assert "attested by @U0BOB" in text_of(carbon.last_answer())
