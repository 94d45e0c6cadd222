"""Prometheus metrics, in a registry per process wiring (so tests get a fresh one), served at /metrics.

Events are counted where they happen through hooks the wiring (bot/app/build.py) hands to the gateways and the
check registry; runs by state, open risks by severity and leadership are read from the store and the
elector at scrape time, so they are true after a restart or a run moved by another replica.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from bot.store.store import Store

CHECK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter("carbon_http_requests", "HTTP requests served, by path and status",
                                     ["path", "status"], registry=self.registry)
        self.ack_seconds = Histogram("carbon_slack_ack_seconds", "Time to answer a Slack request (the ack)",
                                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=self.registry)
        self.commands = Counter("carbon_commands", "Slash commands handled, by subcommand and outcome",
                                ["subcommand", "outcome"], registry=self.registry)
        self.check_seconds = Histogram("carbon_check_seconds", "Time a check took, by check kind", ["kind"],
                                       buckets=CHECK_BUCKETS, registry=self.registry)
        self.checks = Counter("carbon_checks", "Checks run, by check kind and resulting state", ["kind", "state"],
                              registry=self.registry)
        self.slack_errors = Counter("carbon_slack_api_errors", "Slack Web API calls that failed, by method and error",
                                    ["method", "error"], registry=self.registry)
        self.kube_errors = Counter("carbon_kubernetes_api_errors",
                                   "Kubernetes API calls that failed, by verb, resource and status",
                                   ["verb", "resource", "status"], registry=self.registry)
        self.up = Gauge("carbon_up", "1 while the bot serves", registry=self.registry)
        self.up.set(1)
        self._tracked = False

    def check_done(self, kind: str, state: str, seconds: float) -> None:
        self.check_seconds.labels(kind).observe(seconds)
        self.checks.labels(kind, state).inc()

    def slack_error(self, method: str, error: str) -> None:
        self.slack_errors.labels(method, error).inc()

    def kube_error(self, verb: str, resource: str, status: str) -> None:
        self.kube_errors.labels(verb, resource, status).inc()

    def track(self, store: Store, leading: Callable[[], bool]) -> None:
        """Read runs, open risks and leadership at scrape time (once per registry)."""
        if not self._tracked:
            self.registry.register(StateCollector(store, leading))
            self._tracked = True

    def track_view(self, state: Callable[[], dict[str, dict[str, Any]]]) -> None:
        """Read the watch-fed view's per-kind counters at scrape time (bot/cluster/view.py `state`)."""
        self.registry.register(ViewCollector(state))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class StateCollector(Collector):
    """Gauges computed from the store on each scrape: always what the store says, whoever changed it."""

    def __init__(self, store: Store, leading: Callable[[], bool]) -> None:
        self.store, self.leading = store, leading

    def collect(self) -> Iterator[Metric]:
        runs = GaugeMetricFamily("carbon_runs", "Runs in the store, by state", labels=["state"])
        for row in self.store.query("SELECT state, count(*) AS n FROM runs GROUP BY state"):
            runs.add_metric([row["state"]], row["n"])
        yield runs
        risks = GaugeMetricFamily("carbon_open_risks", "Open risk findings, by severity", labels=["severity"])
        for row in self.store.query("SELECT severity, count(*) AS n FROM findings WHERE state = 'open' GROUP BY severity"):
            risks.add_metric([row["severity"]], row["n"])
        yield risks
        yield GaugeMetricFamily("carbon_leader", "1 while this instance holds the Lease (runs the jobs)",
                                value=1 if self.leading() else 0)


class ViewCollector(Collector):
    """Per kind of the watch-fed view: events applied, relists, lag (age of the newest event), objects held."""

    def __init__(self, state: Callable[[], dict[str, dict[str, Any]]]) -> None:
        self.state = state

    def collect(self) -> Iterator[Metric]:
        found = self.state()
        events = CounterMetricFamily("carbon_view_events", "Watch events applied to the view, by kind", labels=["kind"])
        relists = CounterMetricFamily("carbon_view_relists", "Full lists of a kind (start, 410, fallback)",
                                      labels=["kind"])
        lag = GaugeMetricFamily("carbon_view_lag_seconds", "Age of the newest event or list of a kind", labels=["kind"])
        objects = GaugeMetricFamily("carbon_view_objects", "Objects the view holds, by kind", labels=["kind"])
        synced = GaugeMetricFamily("carbon_view_synced", "1 once a kind has synced, 0 before", labels=["kind"])
        for kind, row in sorted(found.items()):
            events.add_metric([kind], row["events"])
            relists.add_metric([kind], row["relists"])
            if row["lag_s"] is not None:
                lag.add_metric([kind], row["lag_s"])
            objects.add_metric([kind], row["objects"])
            synced.add_metric([kind], 1 if row["synced"] else 0)
        yield from (events, relists, lag, objects, synced)
