"""The controller hook: in-process controllers that react to committed writes, synchronously.

A real cluster converges asynchronously (informers, work queues, a kubelet polling). Tests want the
settled state the moment their API call returns, so the emulator's simplification is to run every
registered controller right after each write verb, still under the store lock, until no controller
has anything left to do. Controllers read the change log like an informer and write through the
same Operations a client's request uses, so their writes get resourceVersions, generations,
validation and watch events exactly as a client's would.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Protocol

from bot.local.emulator.store import Change, ObjectStore

# Rounds of (changes -> reconciles) before the runner gives up on a controller loop that never settles.
MAX_ROUNDS = 10_000


class Controller(Protocol):
    """Maps a committed change to the keys it must reconcile, then reconciles a key (idempotently)."""

    def wants(self, change: Change) -> Iterable[Hashable]: ...

    def reconcile(self, key: Hashable) -> None: ...


class ControllerRunner:
    """Feeds the store's change log to the registered controllers until they stop writing."""

    def __init__(self, store: ObjectStore) -> None:
        self.store = store
        self.controllers: list[Controller] = []
        self._seen = 0  # the first run replays everything already stored, as an informer's initial list does
        self._running = False

    def add(self, controller: Controller) -> None:
        with self.store.lock:
            self.controllers.append(controller)

    def settle(self) -> None:
        """Run controllers until the change log holds nothing they have not seen; re-entrant calls return."""
        with self.store.lock:
            if self._running or not self.controllers:
                return
            self._running = True
            try:
                self._loop()
            finally:
                self._running = False

    def _loop(self) -> None:
        for _ in range(MAX_ROUNDS):
            changes = self.store.changes_after(self._seen)
            if changes is None:  # fell off the log: treat as a fresh start (every controller resyncs below)
                changes = []
            if not changes and self._seen >= self.store.resource_version:
                return
            self._seen = self.store.resource_version
            queue: dict[tuple[int, Hashable], None] = {}
            for change in changes:
                for index, controller in enumerate(self.controllers):
                    for key in controller.wants(change):
                        queue[(index, key)] = None
            for index, key in queue:
                self.controllers[index].reconcile(key)
        raise RuntimeError("emulator controllers did not settle: a controller keeps writing")
