"""What the commands and buttons do to runs: request one, decide on it, roll it back.

Each function takes the acting user, checks their right (`bot.plan.access`), touches the run (expiring
it lazily first) and returns the sentence to answer with; a refusal is a UserError. Run messages go
through the desk's notifier.
"""

from __future__ import annotations

from bot import messages
from bot.actions.base import ActionPlan
from bot.errors import SlackFailed, Unavailable, UserError
from bot.plan.model import Task
from bot.progress.measure import DONE_STATES
from bot.runs.approvals import Decision, Verdict, decide
from bot.runs.desk import RunDesk
from bot.runs.execute import display, execute, rollback_run
from bot.runs.lifecycle import expire_if_due
from bot.runs.model import Run, RunState
from bot.runs.planning import compute_plan
from bot.runs.records import create_run, get_run, set_message, transition


def request_run(desk: RunDesk, task: Task, user: str) -> tuple[Run | None, str]:
    """Dry-run the action, record the run and post the approval request; (None, why) when nothing is to change."""
    if not desk.access.may_request(user):
        raise UserError(messages.not_allowed_to_request(user))
    if not desk.channel:
        raise UserError(messages.no_channel_for_approval())
    missing, first_step = needs_not_done(desk, task)
    if missing:
        raise UserError(messages.needs_not_done(task.id, missing, first_step))
    assert task.action is not None
    try:
        planned: ActionPlan = compute_plan(desk, task.id, task.action.kind)
    except Unavailable as exc:
        raise UserError(messages.plan_failed(task.id, str(exc))) from None
    if planned.empty:
        desk.store.audit(user, "run.nothing_to_change", task.id, {"action": task.action.kind})
        return None, messages.nothing_to_change(task.id)
    run = create_run(desk.store, task_id=task.id, action=task.action.kind, requester=user,
                     required=task.approval.required, ttl_hours=task.approval.ttl_hours, plan_hash=planned.hash,
                     plan=planned.to_json(), now=desk.clock())
    try:
        ts = desk.notifier.post_request(run, desk.channel)
    except SlackFailed as exc:
        # Nobody can see (or click) a request that was never posted: end it here, say why, keep the record.
        transition(desk.store, run.id, RunState.REQUESTED, RunState.EXPIRED, actor="carbon", now=desk.clock(),
                   detail={"reason": "approval request not posted", "slack_error": exc.code})
        raise UserError(messages.approval_not_posted(run.id, desk.channel, exc.code)) from None
    set_message(desk.store, run.id, desk.channel, ts)
    return get_run(desk.store, run.id), messages.run_requested(run.id, desk.channel, len(planned.changes))


def needs_not_done(desk: RunDesk, task: Task) -> tuple[list[str], tuple[str, str] | None]:
    """The tasks this one needs that are not done (measured done, or attested) right now, and what a person can do
    first towards them: `("run", id)` or `("attest", id)`, found through their own needs (deepest first), since a
    needed task may be measured only (recent-backup is done by velero-schedules' backup) or wait on another; None
    when no action or attestation leads there. One measurement for both."""
    if not task.needs or desk.measure is None:
        return [], None
    progress = desk.measure()

    def undone(task_id: str) -> bool:
        found = progress.task(task_id)
        return found is None or found.result.state not in DONE_STATES

    def walk(task_id: str, seen: frozenset[str]) -> tuple[str, str] | None:
        needed = desk.plan.task(task_id)
        if needed is None:
            return None
        for need in needed.needs:
            if need not in seen and undone(need) and (found := walk(need, seen | {need})):
                return found
        if needed.action is not None:
            return ("run", task_id)
        return ("attest", task_id) if needed.check.kind == "manual" else None

    missing = [need for need in task.needs if undone(need)]
    return missing, next((step for need in missing if (step := walk(need, frozenset({need})))), None)


def find_run(desk: RunDesk, run_id: str) -> Run:
    run = get_run(desk.store, run_id)
    if run is None:
        raise UserError(messages.unknown_run(run_id))
    return expire_if_due(desk, run)


REFUSALS = {Verdict.OWN_RUN: messages.own_run, Verdict.NOT_APPROVER: messages.not_an_approver,
            Verdict.ALREADY: messages.already_decided}


def decide_run(desk: RunDesk, run_id: str, user: str, approve: bool, reason: str = "") -> str:
    """Approve or reject; the approval that completes the count executes the run, here, once (on the leader)."""
    run = find_run(desk, run_id)
    if run.state == RunState.EXPIRED:
        raise UserError(messages.run_expired(run.id))
    allowed = desk.access.approvers_for(desk.plan.task(run.task_id))
    decision: Decision = decide(desk.store, run, user, approve, allowed, desk.clock(), reason)
    if decision.verdict in REFUSALS:
        raise UserError(REFUSALS[decision.verdict](run.id))
    if decision.verdict == Verdict.NOT_PENDING:
        raise UserError(messages.run_not_pending(run.id, decision.run.state))
    display(desk, decision.run)
    if decision.verdict == Verdict.RECORDED:
        return messages.approval_recorded(run.id, decision.approvals, run.required)
    if decision.verdict == Verdict.REJECTED:
        return messages.run_rejected(run.id)
    if not desk.leadership.leading():
        return messages.run_approved_queued(run.id)
    execute(desk, run.id, user)
    return messages.run_approved(run.id)


def rollback(desk: RunDesk, run_id: str, user: str) -> str:
    run = find_run(desk, run_id)
    allowed = desk.access.approvers_for(desk.plan.task(run.task_id))
    if user == run.requester or user not in allowed:
        raise UserError(messages.not_allowed_to_roll_back_alone(run.id))
    if not desk.leadership.leading():
        raise UserError(messages.not_leader_retry(run.id))
    rollback_run(desk, run.id, user)
    return messages.rollback_started(run.id)
