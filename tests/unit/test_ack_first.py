"""Work after an ack waits while Slack requests are being acknowledged, and never longer than its bound."""

from __future__ import annotations

import threading

from bot.services.ack_first import AckFirst
from bot.services.work_pool import WorkPool


def test_work_starts_when_the_last_ack_is_answered() -> None:
    acks = AckFirst(max_wait_s=60)
    answers: list[bool] = []
    with acks.acking(), acks.acking():
        waiter = threading.Thread(target=lambda: answers.append(acks.wait()))
        waiter.start()
        waiter.join(timeout=0.05)
        assert waiter.is_alive() and not answers  # two acks in flight: the work has not started
    waiter.join(timeout=10)
    assert answers == [True]


def test_a_stream_of_acks_delays_work_only_by_the_bound() -> None:
    acks = AckFirst(max_wait_s=0)
    with acks.acking():
        assert acks.wait() is False  # gave up waiting: the work runs anyway
    assert acks.wait() is True


def test_the_work_pool_holds_work_while_an_ack_is_in_flight() -> None:
    pool = WorkPool(max_workers=1)
    pool.acks.max_wait_s = 60
    ran = threading.Event()
    with pool.acks.acking():
        future = pool.submit(ran.set)
        assert not ran.wait(0.05)
    assert ran.wait(10) and future.result(timeout=10) is None
    pool.shutdown()
