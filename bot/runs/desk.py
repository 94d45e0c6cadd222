"""What the run domain works with, wired once: the store, the plan and its actions, the gateways the actions
change, who may decide, where run messages go, and who leads.

Built by the app (`bot/app/build.py`) and held by `Services.runs`; every run function takes it first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.actions import ActionRegistry
from bot.cluster.gateway import ClusterGateway
from bot.plan.access import Access
from bot.plan.model import Plan
from bot.ports import AlwaysLeading, Leadership
from bot.progress.measure import PlanProgress
from bot.runs.model import Run
from bot.store.store import Store
from bot.vault.gateway import VaultGateway


class RunNotifier(Protocol):
    """Where a run is shown (the approval request, updated in place, and its thread); `bot/publish/runs.py`.

    Each call raises `SlackFailed` when Slack refuses; the run goes on and the audit log says so."""

    def post_request(self, run: Run, channel: str) -> str:
        """Post the approval request; returns its ts."""
        ...

    def show(self, run: Run) -> None:
        """Update the approval request in place to show the run as it is now."""
        ...

    def say(self, run: Run, text: str) -> None:
        """Reply in the run's thread."""
        ...

    def remind(self, run: Run) -> None:
        """Remind the run's approvers, in its thread, that it waits for them."""
        ...


class SilentNotifier:
    """No chat (a terminal, a test of the state machine): runs still move and are audited."""

    def post_request(self, run: Run, channel: str) -> str:
        return ""

    def show(self, run: Run) -> None:
        return None

    def say(self, run: Run, text: str) -> None:
        return None

    def remind(self, run: Run) -> None:
        return None


@dataclass
class RunDesk:
    store: Store
    plan: Plan
    actions: ActionRegistry
    cluster: ClusterGateway | None
    vault: VaultGateway | None
    access: Access
    fingerprint_key: bytes
    clock: Callable[[], datetime]
    channel: str | None = None
    notifier: RunNotifier = field(default_factory=SilentNotifier)
    leadership: Leadership = field(default_factory=AlwaysLeading)
    # The plan as measured now (the meter's, cached briefly): a task's `needs` must be done before it runs.
    measure: Callable[[], PlanProgress] | None = None
    # The cluster changed under the checks (a run applied or rolled back): the next status measures again.
    on_change: Callable[[], None] = lambda: None
    # Runs this process is executing or rolling back now: a re-won Lease must not call them interrupted.
    executing: set[str] = field(default_factory=set)
