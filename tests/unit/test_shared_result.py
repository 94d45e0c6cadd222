"""Single-flight measurement: concurrent callers share one computation; freshness and invalidation."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.progress.cache import SharedResult


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_concurrent_callers_share_one_computation() -> None:
    release, started = threading.Event(), threading.Event()
    calls: list[int] = []

    def compute() -> int:
        calls.append(1)
        started.set()
        release.wait(10)
        return len(calls)

    shared = SharedResult(compute, ttl_s=5)
    with ThreadPoolExecutor(20) as pool:
        first = pool.submit(shared.get)
        started.wait(10)
        rest = [pool.submit(shared.get) for _ in range(19)]
        release.set()
        results = [first.result(10)] + [f.result(10) for f in rest]
    assert results == [1] * 20
    assert len(calls) == 1


def test_fresh_result_is_reused_and_stale_one_recomputed() -> None:
    clock, counter = Clock(), iter(range(100))
    shared = SharedResult(lambda: next(counter), ttl_s=5, clock=clock)
    assert shared.get() == 0
    clock.now = 4.9
    assert shared.get() == 0
    clock.now = 5.0
    assert shared.get() == 1


def test_invalidate_forces_a_new_measurement() -> None:
    counter = iter(range(100))
    shared = SharedResult(lambda: next(counter), ttl_s=60, clock=Clock())
    assert shared.get() == 0
    shared.invalidate()
    assert shared.get() == 1


def test_an_error_reaches_every_waiter_and_is_not_cached() -> None:
    attempts: list[int] = []

    def compute() -> int:
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("cluster went away")
        return 7

    shared = SharedResult(compute, ttl_s=60, clock=Clock())
    with pytest.raises(RuntimeError):
        shared.get()
    assert shared.get() == 7
