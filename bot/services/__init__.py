"""Everything a command or job needs, built once by the app (`bot/app/build.py`) and passed in.

Typed collaborators, no string-keyed bag: the meter measures the plan, the run desk runs actions, the
chat posts (None where there is no Slack, as in `carbon status`), the run feed lists runs for the digest
and App Home. Nothing here imports a client library: the gateways are built in `bot/app/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.actions import ActionRegistry
from bot.checks import CheckRegistry
from bot.cluster.gateway import ClusterGateway
from bot.cluster.view import ClusterView
from bot.plan.model import Plan
from bot.ports import Chat, Clock, Leadership, RunFeed
from bot.progress.meter import ProgressMeter
from bot.runs.desk import RunDesk
from bot.services.metrics import Metrics
from bot.services.pace import Pace
from bot.services.work_pool import WorkPool
from bot.settings import Settings
from bot.store.store import Store
from bot.vault.gateway import VaultGateway


@dataclass
class Services:
    settings: Settings
    store: Store
    plan: Plan
    checks: CheckRegistry
    actions: ActionRegistry
    cluster: ClusterGateway | None
    vault: VaultGateway | None
    clock: Clock
    meter: ProgressMeter
    runs: RunDesk
    run_feed: RunFeed
    metrics: Metrics
    chat: Chat | None = None
    # The watch-fed view of the cluster the meter reads (None: each measurement lists; see bot/cluster/view.py).
    view: ClusterView | None = None
    # Work after the ack runs here, not in Bolt's listener pool, so slow measurements never delay an ack.
    # Eight: an approval executes its run here (a scale waits up to minutes for readiness) while statuses,
    # which share one measurement anyway, keep being answered.
    workers: WorkPool = field(default_factory=WorkPool)
    # Per-user limits on run, digest and attest (in memory): a flood of requests gets "slow down".
    pace: Pace = field(default_factory=Pace)

    @property
    def leadership(self) -> Leadership:
        """Who executes runs and runs the jobs: the run desk's, set once by the job runner."""
        return self.runs.leadership
