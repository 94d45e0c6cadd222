"""prometheus_query against a fake Prometheus HTTP API on loopback; per-check timeouts and isolation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from bot import messages
from bot.checks import State
from bot.local.emulator import KubeEmulator
from tests.fixtures.prometheus import FakePrometheus

P99 = "histogram_quantile(0.99, sum(rate(apiserver_request_duration_seconds_bucket[5m])) by (le)) * 1000"


def plan_file(tmp_path: Path, url: str, **extra_check: Any) -> str:
    tasks = [
        {"id": "api-latency", "title": "API p99 < 100 ms", "weight": 2,
         "check": {"kind": "prometheus_query", "url": url, "query": P99, "op": "<", "threshold": 100, "unit": " ms",
                   **extra_check}},
        {"id": "nodes", "title": "3 nodes", "weight": 1, "check": {"kind": "nodes_ready", "min": 3}},
        {"id": "certs", "title": "certs", "weight": 1,
         "check": {"kind": "certificates_ready", "certificates": ["data-platform/trino-tls"]}},
    ]
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump({"name": "test", "phases": [{"id": "p1", "title": "P", "tasks": tasks}]}))
    return str(path)


def measure(make_carbon: Any, platform: KubeEmulator, tmp_path: Path, url: str, **extra: Any) -> Any:
    carbon = make_carbon(platform, CARBON_PLAN=plan_file(tmp_path, url, **extra))
    return carbon.services.meter.measure()


def test_threshold_met_and_not_met(make_carbon: Any, platform: KubeEmulator, tmp_path: Path,
                                   prometheus: FakePrometheus) -> None:
    prometheus.answers[P99] = 42.5
    found = measure(make_carbon, platform, tmp_path, prometheus.url).task("api-latency").result
    assert (found.state, found.fraction, found.summary) == (State.DONE, 1.0, "42.5 ms (wanted < 100 ms)")
    assert prometheus.queries == [P99]
    prometheus.answers[P99] = 180
    found = measure(make_carbon, platform, tmp_path, prometheus.url).task("api-latency").result
    assert (found.state, found.fraction) == (State.FAILING, 0.0)
    assert found.evidence == (f"{P99} = 180 ms (wanted < 100 ms)",)


def test_error_answer_empty_result_and_unreachable_are_unknown_with_the_reason(
        make_carbon: Any, platform: KubeEmulator, tmp_path: Path, prometheus: FakePrometheus) -> None:
    prometheus.answers[P99] = "error"
    found = measure(make_carbon, platform, tmp_path, prometheus.url).task("api-latency").result
    assert (found.state, found.summary) == (State.UNKNOWN, "Prometheus answered HTTP 400")
    assert "127.0.0.1" not in found.summary + str(found.evidence)  # the component, not its address
    prometheus.answers[P99] = "empty"
    found = measure(make_carbon, platform, tmp_path, prometheus.url).task("api-latency").result
    assert found.summary == "Prometheus returned no samples for the query"
    closed = FakePrometheus()
    closed.stop()
    found = measure(make_carbon, platform, tmp_path, closed.url).task("api-latency").result
    assert (found.state, found.summary) == (State.UNKNOWN, messages.source_unreachable("Prometheus"))


def test_a_hanging_prometheus_times_out_alone_and_the_others_are_measured(
        make_carbon: Any, platform: KubeEmulator, tmp_path: Path, prometheus: FakePrometheus) -> None:
    prometheus.answers[P99] = "hang"
    view = measure(make_carbon, platform, tmp_path, prometheus.url, timeout_s=0.5, http_timeout_s=30)
    assert view.task("api-latency").result.state == State.UNKNOWN
    assert view.task("api-latency").result.summary == "the check did not finish within 0.5s"
    assert view.task("nodes").result.summary == "1/3 Ready nodes"
    assert view.task("certs").result.state == State.DONE


def test_url_credentials_are_not_shown(make_carbon: Any, platform: KubeEmulator, tmp_path: Path) -> None:
    closed = FakePrometheus()
    closed.stop()
    url = closed.url.replace("http://", "http://carbon:hunter2-canary@")
    found = measure(make_carbon, platform, tmp_path, url).task("api-latency").result
    assert "hunter2-canary" not in found.summary and found.state == State.UNKNOWN
