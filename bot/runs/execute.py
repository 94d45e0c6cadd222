"""Executing approved runs: the ONE entry point (`execute`), which its callers gate on Lease leadership.

execute: recompute the plan; if its hash differs from the approved one the run fails as stale and
nothing is applied; else compare-and-set approved → running (so it happens once), apply with each step
reported in the run's thread and the audit log, verify, and end succeeded or failed with what was done
and what was not. `rollback_run` undoes a failed, interrupted or succeeded run; `recover_interrupted`
marks runs a stopped bot left running. Values never reach a report: steps name keys, paths and hashes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import structlog

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan
from bot.errors import SlackFailed, Unavailable, UserError, describe_failure, new_ref
from bot.render.blocks import fallback_text
from bot.render.runs import RunView, render_run
from bot.runs.approvals import decisions
from bot.runs.records import Run, RunState, get_run, note, runs_in, transition
from bot.services import Services

log = structlog.get_logger(__name__)
S = RunState


class NullNotifier:
    def post(self, channel: str, blocks: list[dict[str, Any]], text: str) -> str:
        return ""

    def update(self, channel: str, ts: str, blocks: list[dict[str, Any]], text: str) -> None:
        return None

    def reply(self, channel: str, ts: str, text: str) -> None:
        return None


def notifier(services: Services) -> Any:
    return services.extras.get("run_notifier") or NullNotifier()


def kind_of(services: Services, run_or_action: Run | str) -> ActionKind:
    name = run_or_action.action if isinstance(run_or_action, Run) else run_or_action
    kind = services.actions.get(name)
    if kind is None:
        raise UserError(f"action kind `{name}` is not available in this version")
    return kind


def view(services: Services, run: Run) -> RunView:
    task = services.plan.task(run.task_id)
    done = bool((run.outcome or {}).get("done"))
    can = services.actions.get(run.action) is not None and kind_of(services, run).rollback is not None
    return RunView(run, task.title if task else run.task_id, decisions(services.store, run.id),
                   can and (done or run.state == S.INTERRUPTED), services.settings.zone)


def refresh(services: Services, run_id: str) -> Run:
    """Update the approval request in place to show the run as it is now."""
    run = get_run(services.store, run_id)
    assert run is not None
    blocks = render_run(view(services, run))
    try:
        notifier(services).update(run.channel, run.ts, blocks, fallback_text(blocks))
    except SlackFailed as exc:
        slack_failed(services, run, exc)
    return run


def say(services: Services, run: Run, text: str) -> None:
    try:
        notifier(services).reply(run.channel, run.ts, text)
    except SlackFailed as exc:
        slack_failed(services, run, exc)


def slack_failed(services: Services, run: Run, exc: SlackFailed) -> None:
    """The run went on; its message did not follow. The audit log says so (and `/carbon runs` shows the state)."""
    note(services.store, run.id, "carbon", "run.slack_failed", {"method": exc.method, "error": exc.code})


class ThreadReport:
    """Each step goes to the audit log at once and to the run's thread in batches of 10 lines (Slack rate limits)."""

    def __init__(self, services: Services, run: Run, batch: int = 10) -> None:
        self.services, self.run, self.batch = services, run, batch
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        note(self.services.store, self.run.id, "carbon", "run.step", {"step": text})
        self.lines.append(text)
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            say(self.services, self.run, "\n".join(self.lines))
            self.lines = []


def context_for(services: Services, run: Run) -> ActionContext:
    return ActionContext(services.cluster, services.vault, ThreadReport(services, run),
                         fingerprint_key=services.fingerprint_key)


def flush(ctx: ActionContext) -> None:
    if isinstance(ctx.report, ThreadReport):
        ctx.report.flush()


def planning_context(services: Services) -> ActionContext:
    return ActionContext(services.cluster, services.vault, fingerprint_key=services.fingerprint_key)


def compute_plan(services: Services, task_id: str, action: str) -> ActionPlan:
    return kind_of(services, action).plan(services.plan.action_params[task_id], planning_context(services))


def executing(services: Services) -> set[str]:
    """Runs this process is executing or rolling back now: a re-won Lease must not call them interrupted."""
    found: set[str] = services.extras.setdefault("executing", set())
    return found


@contextmanager
def working_on(services: Services, run_id: str) -> Iterator[None]:
    """While this process executes or rolls back a run; afterwards the cluster has changed under the checks,
    so the next status measures again."""
    executing(services).add(run_id)
    try:
        yield
    finally:
        executing(services).discard(run_id)
        services.measurement_changed()


def execute(services: Services, run_id: str, actor: str) -> Run:
    with working_on(services, run_id):
        return _execute(services, run_id, actor)


def _execute(services: Services, run_id: str, actor: str) -> Run:
    run = get_run(services.store, run_id)
    assert run is not None
    try:
        kind = kind_of(services, run)
        if run.task_id not in services.plan.action_params:
            raise UserError(messages.task_left_the_plan(run.task_id))
        params = services.plan.action_params[run.task_id]
        fresh = kind.plan(params, planning_context(services))
    except Exception as exc:
        return _end(services, run, S.APPROVED, S.FAILED, actor, exc, ActionPlan.from_json(run.plan), [])
    if fresh.hash != run.plan_hash:
        outcome = {"reason": messages.stale_plan(run.plan_hash, fresh.hash), "done": [], "not_done": []}
        if transition(services.store, run.id, S.APPROVED, S.FAILED, actor=actor, now=services.clock(),
                      detail={"stale": True, "new_hash": fresh.hash}, outcome=outcome):
            say(services, run, ":x: " + outcome["reason"])
        return refresh(services, run.id)
    if not transition(services.store, run.id, S.APPROVED, S.RUNNING, actor=actor, now=services.clock()):
        return refresh(services, run.id)
    refresh(services, run.id)
    ctx = context_for(services, run)
    try:
        kind.apply(params, fresh, ctx)
        problems = kind.verify(params, fresh, ctx)
        if problems:
            raise UserError("verification found " + "; ".join(problems[:5]))
    except Exception as exc:
        flush(ctx)
        return _end(services, run, S.RUNNING, S.FAILED, actor, exc, fresh, ctx.done)
    flush(ctx)
    outcome = {"reason": f"applied and verified: {len(fresh.changes)} change(s)", "done": [], "not_done": []}
    transition(services.store, run.id, S.RUNNING, S.SUCCEEDED, actor="carbon", now=services.clock(), outcome=outcome)
    say(services, run, messages.run_finished("succeeded"))
    return refresh(services, run.id)


def _end(services: Services, run: Run, frm: RunState, to: RunState, actor: str, exc: BaseException,
         planned: ActionPlan, done: list[str]) -> Run:
    ref = new_ref()
    if not isinstance(exc, UserError | Unavailable):
        log.error("run_failed", run=run.id, ref=ref, error=type(exc).__name__, exc_info=exc)
    reason = describe_failure(exc, ref)
    outcome = {"reason": reason, "done": [c.line() for c in planned.changes if c.key in done],
               "not_done": [c.line() for c in planned.changes if c.key not in done]}
    if transition(services.store, run.id, frm, to, actor=actor, now=services.clock(), outcome=outcome,
                  detail={"reason": reason, "done": len(outcome["done"]), "not_done": len(outcome["not_done"])}):
        say(services, run, messages.step_failed(reason) + "\n" + messages.done_and_not_done(outcome["done"], outcome["not_done"]))
        return refresh(services, run.id)
    return (get_run(services.store, run.id) or run)  # another executor ended it first: its words stand


def rollback_run(services: Services, run_id: str, actor: str) -> Run:
    with working_on(services, run_id):
        return _rollback_run(services, run_id, actor)


def _rollback_run(services: Services, run_id: str, actor: str) -> Run:
    run = get_run(services.store, run_id)
    assert run is not None
    kind = kind_of(services, run)
    if kind.rollback is None:
        raise UserError(messages.cannot_roll_back(run.id, run.state))
    if not transition(services.store, run.id, (S.FAILED, S.INTERRUPTED, S.SUCCEEDED), S.ROLLING_BACK, actor=actor,
                      now=services.clock()):
        raise UserError(messages.cannot_roll_back(run.id, (get_run(services.store, run.id) or run).state))
    refresh(services, run.id)
    ctx = context_for(services, run)
    planned = ActionPlan.from_json(run.plan)
    try:
        kind.rollback(services.plan.action_params[run.task_id], planned, ctx)
    except Exception as exc:
        flush(ctx)
        return _end(services, run, S.ROLLING_BACK, S.FAILED, actor, exc, planned, [])
    flush(ctx)
    transition(services.store, run.id, S.ROLLING_BACK, S.ROLLED_BACK, actor=actor, now=services.clock(),
               outcome={**run.outcome, "reason": "rolled back"})
    say(services, run, messages.run_finished("rolled_back"))
    return refresh(services, run.id)


def is_leader(services: Services) -> bool:
    """Only the Lease holder executes; with no elector (one instance, no cluster) this instance is it."""
    leader = services.extras.get("leader")
    return leader is None or bool(leader.leading())


def execute_approved(services: Services, now: datetime | None = None) -> list[str]:
    """The leader's job: execute runs approved on a replica that was not leading (the CAS in `execute` keeps it once)."""
    if not is_leader(services):
        return []
    done = []
    for run in runs_in(services.store, S.APPROVED):
        try:
            done.append(execute(services, run.id, "carbon").id)
        except Exception:  # one broken run must not stop the others; execute records what it can
            log.exception("execute_approved_failed", run=run.id)
    return done


def recover_interrupted(services: Services) -> list[str]:
    """When this instance starts leading: a run left running or rolling back by a stopped bot is `interrupted`,
    and its thread says so. Approved runs that never started are executed by `execute_approved` instead."""
    found = []
    for run in runs_in(services.store, S.RUNNING, S.ROLLING_BACK):
        if run.id in executing(services):
            continue  # this process is still on it (the Lease was lost and won back meanwhile)
        steps = [e["detail"].get("step", "") for e in reversed(services.store.audit_entries(run.id, limit=500))
                 if e["action"] == "run.step"]
        outcome = {"reason": "interrupted: the bot stopped during the run", "done": steps, "not_done": []}
        if transition(services.store, run.id, run.state, S.INTERRUPTED, actor="carbon", now=services.clock(),
                      outcome=outcome):
            say(services, run, messages.interrupted())
            refresh(services, run.id)
            found.append(run.id)
    return found


def expire_if_due(services: Services, run: Run, now: datetime | None = None) -> Run:
    """Lazy TTL: a pending run past its expiry becomes `expired` on the first click or command that touches it."""
    now = now or services.clock()
    if run.expired_at(now) and transition(services.store, run.id, S.REQUESTED, S.EXPIRED, actor="carbon", now=now,
                                          detail={"expires_at": run.expires_at.isoformat()}):
        say(services, run, messages.run_expired(run.id))
        return refresh(services, run.id)
    return get_run(services.store, run.id) or run
