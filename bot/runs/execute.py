"""Executing an approved run, and rolling one back: the one place a run changes the cluster.

execute: recompute the plan; if its hash differs from the approved one the run fails as stale and
nothing is applied; else compare-and-set approved → running (so it happens once), apply with each step
reported in the run's thread and the audit log, verify, and end succeeded or failed with what was done
and what was not. Values never reach a report: steps name keys, paths and hashes.

RBAC and Vault policy: those of the action kind (`bot/actions/`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import structlog

from bot import messages
from bot.actions.base import ActionContext, ActionPlan
from bot.errors import RollbackRefused, SlackFailed, Unavailable, UserError, describe_failure, new_ref
from bot.runs.desk import RunDesk
from bot.runs.model import Run, RunState
from bot.runs.planning import action_context, applied_changes, kind_of
from bot.runs.records import get_run, note, transition

log = structlog.get_logger(__name__)
S = RunState


def show(desk: RunDesk, run_id: str) -> Run:
    """The run as it is now, shown in place in its approval request."""
    run = get_run(desk.store, run_id)
    assert run is not None
    return display(desk, run)


def display(desk: RunDesk, run: Run) -> Run:
    try:
        desk.notifier.show(run)
    except SlackFailed as exc:
        slack_failed(desk, run, exc)
    return run


def say(desk: RunDesk, run: Run, text: str) -> None:
    try:
        desk.notifier.say(run, text)
    except SlackFailed as exc:
        slack_failed(desk, run, exc)


def slack_failed(desk: RunDesk, run: Run, exc: SlackFailed) -> None:
    """The run went on; its message did not follow. The audit log says so (and `/carbon runs` shows the state)."""
    note(desk.store, run.id, "carbon", "run.slack_failed", {"method": exc.method, "error": exc.code})


class ThreadReport:
    """Each step goes to the audit log at once and to the run's thread in batches of 10 lines (Slack rate limits)."""

    def __init__(self, desk: RunDesk, run: Run, batch: int = 10) -> None:
        self.desk, self.run, self.batch = desk, run, batch
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        note(self.desk.store, self.run.id, "carbon", "run.step", {"step": text})
        self.lines.append(text)
        if len(self.lines) >= self.batch:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            say(self.desk, self.run, "\n".join(self.lines))
            self.lines = []


@contextmanager
def working_on(desk: RunDesk, run_id: str) -> Iterator[None]:
    """While this process executes or rolls back a run; afterwards the checks must measure again."""
    desk.executing.add(run_id)
    try:
        yield
    finally:
        desk.executing.discard(run_id)
        desk.on_change()


def execute(desk: RunDesk, run_id: str, actor: str) -> Run:
    with working_on(desk, run_id):
        return _execute(desk, run_id, actor)


def _execute(desk: RunDesk, run_id: str, actor: str) -> Run:
    run = get_run(desk.store, run_id)
    assert run is not None
    try:
        kind = kind_of(desk, run.action)
        if run.task_id not in desk.plan.action_params:
            raise UserError(messages.task_left_the_plan(run.task_id))
        params = desk.plan.action_params[run.task_id]
        fresh = kind.plan(params, action_context(desk))
    except Exception as exc:
        return _end(desk, run, S.APPROVED, S.FAILED, actor, exc, ActionPlan.from_json(run.plan), [])
    if fresh.hash != run.plan_hash:
        outcome = {"reason": messages.stale_plan(run.plan_hash, fresh.hash), "done": [], "not_done": []}
        if transition(desk.store, run.id, S.APPROVED, S.FAILED, actor=actor, now=desk.clock(),
                      detail={"stale": True, "new_hash": fresh.hash}, outcome=outcome):
            say(desk, run, ":x: " + outcome["reason"])
        return show(desk, run.id)
    if not transition(desk.store, run.id, S.APPROVED, S.RUNNING, actor=actor, now=desk.clock()):
        return show(desk, run.id)
    show(desk, run.id)
    report = ThreadReport(desk, run)
    ctx = action_context(desk, run, report)
    try:
        kind.apply(params, fresh, ctx)
        problems = kind.verify(params, fresh, ctx)
        if problems:
            raise UserError(messages.verification_failed(problems[:5]))
    except Exception as exc:
        report.flush()
        ended = _end(desk, run, S.RUNNING, S.FAILED, actor, exc, fresh, ctx.done)
        if kind.rollback is None or not ctx.done or ended.state != S.FAILED:
            return ended
        say(desk, run, messages.rolled_back_automatically())
        return _roll_back(desk, ended, frozenset(ctx.done), "carbon", automatic=True)
    report.flush()
    outcome = {"reason": messages.applied_and_verified(len(fresh.changes)), "done": [], "not_done": [],
               "applied": sorted(ctx.done)}
    transition(desk.store, run.id, S.RUNNING, S.SUCCEEDED, actor="carbon", now=desk.clock(), outcome=outcome)
    say(desk, run, messages.run_finished("succeeded"))
    return show(desk, run.id)


def _end(desk: RunDesk, run: Run, frm: RunState, to: RunState, actor: str, exc: BaseException,
         planned: ActionPlan, done: list[str]) -> Run:
    ref = new_ref()
    if not isinstance(exc, UserError | Unavailable):
        log.error("run_failed", run=run.id, ref=ref, error=type(exc).__name__, exc_info=exc)
    reason = describe_failure(exc, ref)
    outcome = {"reason": reason, "done": [c.line() for c in planned.changes if c.key in done],
               "not_done": [c.line() for c in planned.changes if c.key not in done], "applied": sorted(done)}
    if transition(desk.store, run.id, frm, to, actor=actor, now=desk.clock(), outcome=outcome,
                  detail={"reason": reason, "done": len(outcome["done"]), "not_done": len(outcome["not_done"])}):
        say(desk, run, messages.step_failed(reason) + "\n" + messages.done_and_not_done(outcome["done"], outcome["not_done"]))
        return show(desk, run.id)
    return get_run(desk.store, run.id) or run  # another executor ended it first: its words stand


def rollback_run(desk: RunDesk, run_id: str, actor: str) -> Run:
    """Undo exactly the changes the run applied (its audit log says which); refuse a run that applied nothing."""
    with working_on(desk, run_id):
        run = get_run(desk.store, run_id)
        assert run is not None
        applied = applied_changes(desk, run)
        if not applied:
            raise UserError(messages.nothing_applied(run.id))
        return _roll_back(desk, run, applied, actor)


def _roll_back(desk: RunDesk, run: Run, applied: frozenset[str], actor: str, automatic: bool = False) -> Run:
    kind = kind_of(desk, run.action)
    if kind.rollback is None:
        raise UserError(messages.no_rollback(run.id, run.action))
    if not transition(desk.store, run.id, (S.FAILED, S.INTERRUPTED, S.SUCCEEDED), S.ROLLING_BACK, actor=actor,
                      now=desk.clock()):
        raise UserError(messages.cannot_roll_back(run.id, (get_run(desk.store, run.id) or run).state))
    show(desk, run.id)
    report = ThreadReport(desk, run)
    ctx: ActionContext = action_context(desk, run, report, applied)
    planned = ActionPlan.from_json(run.plan)
    try:
        kind.rollback(desk.plan.action_params[run.task_id], planned, ctx)
    except RollbackRefused as refusal:  # nothing was changed: the run goes back to where it was, the user is told why
        report.flush()
        transition(desk.store, run.id, S.ROLLING_BACK, run.state, actor=actor, now=desk.clock(),
                   detail={"rollback_refused": str(refusal)})
        say(desk, run, ":no_entry: " + str(refusal))
        show(desk, run.id)
        if automatic:
            return get_run(desk.store, run.id) or run
        raise
    except Exception as exc:
        report.flush()
        return _end(desk, run, S.ROLLING_BACK, S.FAILED, actor, exc, planned, [])
    report.flush()
    transition(desk.store, run.id, S.ROLLING_BACK, S.ROLLED_BACK, actor=actor, now=desk.clock(),
               outcome={**run.outcome, "reason": messages.rolled_back_reason(run.outcome.get("reason", "") if automatic else "")})
    say(desk, run, messages.run_finished("rolled_back"))
    return show(desk, run.id)
