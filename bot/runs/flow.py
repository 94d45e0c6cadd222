"""The run flow the commands and buttons share: request a run, decide on it, roll it back, list runs.

Each function takes the acting user, checks their right (requesters, approvers with user groups
resolved), touches the run (expiring it lazily first) and returns the sentence to answer with; a
refusal is a UserError. Slack messages go through the run notifier in `services.extras`.
"""

from __future__ import annotations

from bot import messages
from bot.actions.base import ActionPlan
from bot.errors import SlackFailed, Unavailable, UserError
from bot.plan.model import Task
from bot.render.blocks import fallback_text
from bot.render.runs import render_run
from bot.runs.approvals import Decision, Directory, Verdict, approvers_for, decide, decisions, may_request
from bot.runs.execute import compute_plan, execute, expire_if_due, is_leader, notifier, refresh, rollback_run, view
from bot.runs.records import Run, RunState, create_run, get_run, set_message, transition
from bot.services import Services


def directory(services: Services) -> Directory | None:
    found: Directory | None = services.extras.get("directory")
    return found


def runnable_task(services: Services, task_id: str) -> Task:
    task = services.plan.task(task_id)
    if task is None:
        raise UserError(messages.unknown_task(task_id, []))
    if task.action is None:
        raise UserError(messages.task_has_no_action(task_id))
    return task


def request_run(services: Services, task: Task, user: str) -> tuple[Run | None, str]:
    """Dry-run the action, record the run and post the approval request; (None, why) when nothing is to change."""
    if not may_request(services.settings.requesters, user, directory(services)):
        raise UserError(messages.not_allowed_to_request(user))
    channel = services.settings.channel
    if not channel:
        raise UserError(messages.no_channel_for_approval())
    assert task.action is not None
    try:
        planned: ActionPlan = compute_plan(services, task.id, task.action.kind)
    except Unavailable as exc:
        raise UserError(messages.plan_failed(task.id, str(exc))) from None
    if planned.empty:
        services.store.audit(user, "run.nothing_to_change", task.id, {"action": task.action.kind})
        return None, messages.nothing_to_change(task.id)
    run = create_run(services.store, task_id=task.id, action=task.action.kind, requester=user,
                     required=task.approval.required, ttl_hours=task.approval.ttl_hours, plan_hash=planned.hash,
                     plan=planned.to_json(), now=services.clock())
    blocks = render_run(view(services, run))
    try:
        ts = notifier(services).post(channel, blocks, fallback_text(blocks))
    except SlackFailed as exc:
        # Nobody can see (or click) a request that was never posted: end it here, say why, keep the record.
        transition(services.store, run.id, RunState.REQUESTED, RunState.EXPIRED, actor="carbon", now=services.clock(),
                   detail={"reason": "approval request not posted", "slack_error": exc.code})
        raise UserError(messages.approval_not_posted(run.id, channel, exc.code)) from None
    set_message(services.store, run.id, channel, ts)
    return get_run(services.store, run.id), messages.run_requested(run.id, channel, len(planned.changes))


def find_run(services: Services, run_id: str) -> Run:
    run = get_run(services.store, run_id)
    if run is None:
        raise UserError(messages.unknown_run(run_id))
    return expire_if_due(services, run)


def decide_run(services: Services, run_id: str, user: str, approve: bool, reason: str = "") -> str:
    """Approve or reject; the approval that completes the count executes the run, here, once."""
    run = find_run(services, run_id)
    if run.state == RunState.EXPIRED:
        raise UserError(messages.run_expired(run.id))
    task = services.plan.task(run.task_id)
    allowed = approvers_for(services.settings.approvers, task, directory(services)) if task else frozenset()
    decision: Decision = decide(services.store, run, user, approve, allowed, services.clock(), reason)
    refusals = {Verdict.OWN_RUN: messages.own_run, Verdict.NOT_APPROVER: messages.not_an_approver,
                Verdict.ALREADY: messages.already_decided}
    if decision.verdict in refusals:
        raise UserError(refusals[decision.verdict](run.id))
    if decision.verdict == Verdict.NOT_PENDING:
        raise UserError(messages.run_not_pending(run.id, decision.run.state))
    refresh(services, run.id)
    if decision.verdict == Verdict.RECORDED:
        return messages.approval_recorded(run.id, decision.approvals, run.required)
    if decision.verdict == Verdict.REJECTED:
        return messages.run_rejected(run.id)
    if not is_leader(services):
        return messages.run_approved_queued(run.id)
    execute(services, run.id, user)
    return messages.run_approved(run.id)


def rollback(services: Services, run_id: str, user: str) -> str:
    run = find_run(services, run_id)
    task = services.plan.task(run.task_id)
    allowed = approvers_for(services.settings.approvers, task, directory(services)) if task else frozenset()
    if user == run.requester or user not in allowed:
        raise UserError(messages.not_allowed_to_roll_back_alone(run.id))
    if not is_leader(services):
        raise UserError(messages.not_leader_retry(run.id))
    rollback_run(services, run.id, user)
    return messages.rollback_started(run.id)


def approvers_of(services: Services, run_id: str) -> list[str]:
    return [d["user"] for d in decisions(services.store, run_id) if d["decision"] == "approve"]
