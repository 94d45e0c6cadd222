"""Prometheus metrics, in a registry per process wiring (so tests get a fresh one), served at /metrics."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.http_requests = Counter("carbon_http_requests", "HTTP requests served, by path and status",
                                     ["path", "status"], registry=self.registry)
        self.ack_seconds = Histogram("carbon_slack_ack_seconds", "Time to answer a Slack request (the ack)",
                                     buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5), registry=self.registry)
        self.commands = Counter("carbon_commands", "Slash commands handled, by subcommand and outcome",
                                ["subcommand", "outcome"], registry=self.registry)
        self.up = Gauge("carbon_up", "1 while the bot serves", registry=self.registry)
        self.up.set(1)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
