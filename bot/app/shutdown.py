"""How `carbon serve` stops, in an order that never pulls the store or the Lease from under running work.

1. Stop taking work: the HTTP server stops accepting (and finishes the requests it holds, each bounded by its
   read timeout), Socket Mode disconnects, the listener and worker pools refuse new work, the leader's jobs
   are removed (the Lease is still renewed).
2. Let the running work finish, within `grace_s` in all. A run still running after that stays `running` in
   the store; the next leader marks it interrupted (bot/runs/lifecycle.recover_interrupted).
3. Release the Lease (JobRunner.stop), so the next replica leads at once.
4. Close the store.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import structlog

from bot.store.store import Store

log = structlog.get_logger(__name__)
GRACE_S = 20.0  # under Kubernetes' default 30 s terminationGracePeriodSeconds


class Drainable(Protocol):
    def close(self) -> None: ...
    def drain(self, timeout: float) -> bool: ...


class Jobs(Protocol):
    def stop_jobs(self) -> None: ...
    def drain(self, timeout: float) -> bool: ...
    def stop(self) -> None: ...


@dataclass
class Shutdown:
    intake: Sequence[Callable[[], None]]  # what stops new requests arriving: the HTTP server, Socket Mode
    pools: Sequence[Drainable]  # Bolt's listeners, the work after the ack
    jobs: Jobs
    store: Store
    grace_s: float = GRACE_S
    draining: threading.Event = field(default_factory=threading.Event)  # set once step 2 begins
    steps: list[str] = field(default_factory=list)

    def run(self) -> bool:
        """True when all the work finished within the grace period."""
        for stop in self.intake:
            stop()
        for pool in self.pools:
            pool.close()
        self.jobs.stop_jobs()
        self.steps.append("stopped taking work")
        self.draining.set()
        deadline = time.monotonic() + self.grace_s
        finished = all([pool.drain(deadline - time.monotonic()) for pool in self.pools])
        finished = self.jobs.drain(deadline - time.monotonic()) and finished
        self.steps.append("work finished" if finished else "grace period over")
        if not finished:
            log.warning("shutdown_work_unfinished", grace_s=self.grace_s)
        self.jobs.stop()
        self.steps.append("lease released")
        self.store.close()
        self.steps.append("store closed")
        return finished
