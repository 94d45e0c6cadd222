"""The plan measured against the platform: one snapshot read by the checks and the risk rules together.

A status within CARBON_STATUS_CACHE_S of the last one is answered from that measurement (with a watch-fed view,
only while the view has not changed since), and concurrent callers share one (`bot/progress/cache.py`); a
change Carbon itself makes (an attestation, a run) calls `changed()` so the next status measures again. Every
measurement records what moved in the task history. With the view, a measurement runs again only the checks and
risk rules whose kinds (and namespaces) changed since they last ran, whatever the window (`self.reuse`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, tzinfo

from bot import risks
from bot.checks import CheckRegistry
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.plan.model import Plan
from bot.progress import attestations, history
from bot.progress.cache import SharedResult
from bot.progress.measure import Attestation, PlanProgress, measure
from bot.risks.base import RiskFinding, Rule
from bot.snapshot.reuse import Reuse
from bot.snapshot.snapshot import Snapshot
from bot.store.store import Store
from bot.vault.gateway import VaultGateway


class ProgressMeter:
    def __init__(self, *, plan: Plan, checks: CheckRegistry, store: Store, cluster: ClusterGateway | None,
                 vault: VaultGateway | None, clock: Callable[[], datetime], zone: tzinfo, history_days: int,
                 cache_s: float, rules: Mapping[str, Rule] | None = None, view: ClusterView | None = None) -> None:
        self.plan, self.checks, self.store = plan, checks, store
        self.cluster, self.vault = cluster, vault
        self.clock, self.zone, self.history_days = clock, zone, history_days
        self.rules = rules  # None: the default rules
        self.open_risks: int | None = None  # from the latest scan; None until one ran
        self.view = view  # the watch-fed view, when wired: a measurement is reused only until it changes
        self.reuse = Reuse()  # each check's and rule's last result, reused while what it read is unchanged
        self._shared: SharedResult[PlanProgress] = SharedResult(
            lambda: self.measure_with_risks()[0], cache_s,
            version=(lambda: view.generation) if view is not None else None)

    def snapshot(self) -> Snapshot:
        return Snapshot(self.cluster, self.vault, self.clock().astimezone(self.zone), view=self.view, reuse=self.reuse)

    def attestations(self) -> dict[str, Attestation]:
        return attestations.current(self.store, self.plan, self.clock())

    def measure(self) -> PlanProgress:
        """The plan measured now, or within the freshness window; concurrent callers share one measurement."""
        return self._shared.get()

    def changed(self) -> None:
        """Carbon itself changed what a check reads (an attestation, a run): the next status measures again."""
        self._shared.invalidate()

    def measure_with_risks(self, snapshot: Snapshot | None = None) -> tuple[PlanProgress, list[RiskFinding]]:
        """Measure the plan and scan the risk rules over one snapshot, so the dashboard's "open risks" is never
        older than its percentages; record what changed in the task history."""
        snapshot = snapshot or self.snapshot()
        view = measure(self.plan, self.checks, snapshot, self.attestations())
        history.record(self.store, view, self.clock(), self.history_days)
        return view, self.scan_risks(snapshot)

    def scan_risks(self, snapshot: Snapshot | None = None) -> list[RiskFinding]:
        """Every risk finding now; the count is what the dashboard shows as open risks."""
        findings = risks.scan(snapshot or self.snapshot(), self.clock(), self.rules)
        self.open_risks = len(findings)
        return findings
