"""Measure the plan: run every task's check over one snapshot and weigh the results.

Checks run in parallel with a per-check timeout, so one slow or failing source leaves the others
measured. Percentages are weighted by the plan's explicit task weights; an `unknown` task counts as
not done (and is shown as unknown), an attested manual task counts as done (and is shown as attested).
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field
from datetime import datetime

import structlog

from bot import messages
from bot.checks.base import CheckRegistry, CheckResult, State
from bot.errors import Unavailable, new_ref
from bot.plan.model import Phase, Plan, Task
from bot.snapshot.snapshot import Snapshot

log = structlog.get_logger(__name__)
DONE_STATES = (State.DONE, State.ATTESTED)


@dataclass(frozen=True)
class Attestation:
    task_id: str
    user_id: str
    at: datetime
    note: str = ""


@dataclass(frozen=True)
class TaskProgress:
    task: Task
    result: CheckResult

    @property
    def credit(self) -> float:
        return (self.result.fraction or 0.0) * self.task.weight


@dataclass(frozen=True)
class PhaseProgress:
    phase: Phase
    tasks: tuple[TaskProgress, ...]

    @property
    def fraction(self) -> float:
        return _weighted(self.tasks)

    @property
    def done(self) -> int:
        return sum(t.result.state in DONE_STATES for t in self.tasks)

    @property
    def unknown(self) -> int:
        return sum(t.result.state == State.UNKNOWN for t in self.tasks)


@dataclass(frozen=True)
class PlanProgress:
    plan_name: str
    phases: tuple[PhaseProgress, ...]
    taken_at: datetime
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def fraction(self) -> float:
        return _weighted([t for p in self.phases for t in p.tasks])

    def phase(self, phase_id: str) -> PhaseProgress | None:
        return next((p for p in self.phases if p.phase.id == phase_id), None)

    def task(self, task_id: str) -> TaskProgress | None:
        return next((t for p in self.phases for t in p.tasks if t.task.id == task_id), None)


def _weighted(tasks: tuple[TaskProgress, ...] | list[TaskProgress]) -> float:
    total = sum(t.task.weight for t in tasks)
    return sum(t.credit for t in tasks) / total if total else 0.0


def run_check(plan: Plan, task: Task, checks: CheckRegistry, snapshot: Snapshot) -> CheckResult:
    """The task's check over the snapshot, or (through the watch-fed view) its last result while nothing the check
    read has changed; an `unknown` result is never kept."""
    kind = checks.get(task.check.kind)
    assert kind is not None, "the plan was loaded with this registry, whose loader rejects unknown kinds"
    return snapshot.reused(("check", task.id), kind.reads, lambda reader: _observed(plan, task, checks, reader),
                           keep=lambda result: result.state != State.UNKNOWN)


def _observed(plan: Plan, task: Task, checks: CheckRegistry, snapshot: Snapshot) -> CheckResult:
    started = time.monotonic()
    result = _run_check(plan, task, checks, snapshot)
    if checks.observer is not None:
        checks.observer(task.check.kind, result.state.value, time.monotonic() - started)
    return result


def _run_check(plan: Plan, task: Task, checks: CheckRegistry, snapshot: Snapshot) -> CheckResult:
    kind = checks.get(task.check.kind)
    assert kind is not None, "the plan was loaded with this registry, whose loader rejects unknown kinds"
    try:
        return kind.run(plan.check_params[task.id], snapshot)
    except Unavailable as exc:
        return CheckResult.unknown(str(exc))
    except Exception:
        ref = new_ref()
        log.exception("check_failed", task=task.id, kind=task.check.kind, ref=ref)
        return CheckResult.unknown(messages.check_crashed(ref))


def _attested(result: CheckResult, attestation: Attestation | None) -> CheckResult:
    if attestation is None or result.state != State.PENDING:
        return result
    day = messages.when(attestation.at, time=False)
    return CheckResult(State.ATTESTED, 1.0, messages.attested_summary(f"<@{attestation.user_id}>", day, attestation.note),
                       detail={"attested_by": attestation.user_id, "day": day, "note": attestation.note})


def measure(plan: Plan, checks: CheckRegistry, snapshot: Snapshot,
            attestations: Mapping[str, Attestation] | None = None, max_workers: int = 8) -> PlanProgress:
    attestations = attestations or {}
    tasks = plan.tasks()
    results: dict[str, CheckResult] = {}
    for task in tasks:  # answered from the last measurement: nothing they read has changed
        if (kept := snapshot.kept(("check", task.id))) is not None:
            results[task.id] = kept
    rest = [t for t in tasks if t.id not in results]
    pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="check") if rest else None
    try:
        started = time.monotonic()
        futures = {t.id: pool.submit(run_check, plan, t, checks, snapshot) for t in rest if pool is not None}
        for task in rest:
            remaining = max(0.0, started + task.check.timeout_s - time.monotonic())
            try:
                results[task.id] = futures[task.id].result(timeout=remaining)
            except FutureTimeout:
                results[task.id] = CheckResult.unknown(messages.check_timed_out(task.check.timeout_s))
    finally:
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
    phases = tuple(
        PhaseProgress(phase, tuple(TaskProgress(t, _attested(results[t.id], attestations.get(t.id))) for t in phase.tasks))
        for phase in plan.phases
    )
    sources = {}
    if snapshot.cluster is not None:
        sources["cluster"] = snapshot.cluster.host
        if snapshot.view is not None:
            sources["cluster"] += " " + messages.view_footer(snapshot.view.fallbacks())
    try:
        sources["vault"] = snapshot.vault.addr
    except Unavailable:
        pass
    return PlanProgress(plan.name, phases, snapshot.taken_at, sources)
