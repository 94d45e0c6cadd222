"""Operators' view: one JSON log line per request with its id, user, subcommand and outcome; metrics."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from bot import logs
from tests.fixtures.bot import Carbon


@pytest.fixture
def json_logs() -> Iterator[None]:
    logs.configure(json_logs=True)
    yield
    logs.configure(json_logs=False)


def log_lines(err: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in err.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_id_user_subcommand_outcome(
        carbon: Carbon, json_logs: None, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    carbon.slash("status", user="U0ALICE")
    carbon.slash("stauts", user="U0BOB")
    lines = [line for line in log_lines(capsys.readouterr().err) if line.get("event") == "slash_command"]
    assert [(x["user"], x["subcommand"], x["outcome"]) for x in lines] == [
        ("U0ALICE", "status", "ok"), ("U0BOB", "unknown", "refused"),
    ]
    assert all(len(str(x["request_id"])) == 10 and x["level"] == "info" and "timestamp" in x for x in lines)


def test_commands_are_counted_by_subcommand_and_outcome(carbon: Carbon) -> None:
    carbon.slash("status")
    carbon.slash("status p9")
    carbon.slash("help")
    exposition = carbon.services.metrics.exposition().decode()
    assert 'carbon_commands_total{outcome="ok",subcommand="status"} 1.0' in exposition
    assert 'carbon_commands_total{outcome="refused",subcommand="status"} 1.0' in exposition
    assert 'carbon_commands_total{outcome="ok",subcommand="help"} 1.0' in exposition
