"""The per-user limits on plain data: a sliding window per user and subcommand, and bounded memory."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.services.pace import Limit, Pace

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_the_window_slides_per_user_and_subcommand() -> None:
    pace = Pace({"run": Limit(2, 600)})
    assert [pace.wait_s("U0A", "run", NOW + timedelta(seconds=s)) for s in (0, 100, 200)] == [0, 0, 400]
    assert pace.wait_s("U0B", "run", NOW) == 0 and pace.wait_s("U0A", "status", NOW) == 0
    assert pace.wait_s("U0A", "run", NOW + timedelta(seconds=600)) == 0  # the first one left the window
    assert pace.wait_s("U0A", "run", NOW + timedelta(seconds=601)) == 99


def test_memory_stays_bounded_dropping_expired_pairs_first() -> None:
    pace = Pace({"run": Limit(1, 60)}, max_keys=3)
    for i in range(10):
        pace.wait_s(f"U{i}", "run", NOW + timedelta(seconds=i * 100))
    assert len(pace) <= 3
    pace = Pace({"run": Limit(1, 60)}, max_keys=3)
    for i in range(10):
        pace.wait_s(f"U{i}", "run", NOW)
    assert len(pace) == 3 and pace.wait_s("U9", "run", NOW) == 60  # the most recent users are kept
