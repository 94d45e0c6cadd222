"""Runs: requesting, approving, executing and rolling back a task's action."""

from __future__ import annotations

from collections.abc import Sequence


def not_allowed_to_request(user_id: str) -> str:
    return f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot request runs. Ask an admin to add you."


def task_has_no_action(task_id: str) -> str:
    return f"Task `{task_id}` has no action to run: it is measured only. `/carbon tasks` marks the runnable ones."


def nothing_to_change(task_id: str) -> str:
    return f"Nothing to change: `{task_id}` is already applied (the dry run found no differences). No run was recorded."


def run_requested(run_id: str, channel: str, changes: int) -> str:
    return f"Run `{run_id}` recorded: {changes} change(s) planned. The approval request is in <#{channel}>."


def plan_failed(task_id: str, reason: str) -> str:
    return f"Could not compute the plan for `{task_id}`: {reason}. Nothing was recorded."


def no_channel_for_approval() -> str:
    return "CARBON_CHANNEL is not set, so there is nowhere to post the approval request."


def bad_run_id(word: str) -> str:
    return f"`{word}` is not a run id; run ids look like `r-7f3a` (see `/carbon runs`)."


def unknown_run(run_id: str) -> str:
    return f"There is no run `{run_id}`. `/carbon runs` lists recent ones."


def own_run(run_id: str) -> str:
    return f"You requested run `{run_id}`, so you cannot approve or reject it: another approver must."


def not_an_approver(run_id: str) -> str:
    return f"You are not an approver for run `{run_id}` (CARBON_APPROVERS, narrowed by the task's approvers)."


def run_not_pending(run_id: str, state: str) -> str:
    return f"Run `{run_id}` is {state.replace('_', ' ')}, not pending: nothing to approve or reject."


def run_expired(run_id: str) -> str:
    return f"Run `{run_id}` expired before it was approved. Request it again with `/carbon run`."


def already_decided(run_id: str) -> str:
    return f"You already approved run `{run_id}`; it needs a different approver."


def approval_recorded(run_id: str, count: int, required: int) -> str:
    return f"Approval recorded for `{run_id}` ({count}/{required}); waiting for another approver."


def run_approved(run_id: str) -> str:
    return f"Run `{run_id}` approved: executing it now; steps follow in its thread."


def run_rejected(run_id: str) -> str:
    return f"Run `{run_id}` rejected."


def stale_plan(old: str, new: str) -> str:
    return (f"Stale plan: the cluster changed since this run was requested (plan {old[:8]} → {new[:8]}). "
            "Nothing was applied; request the run again to see the new plan.")


def step_failed(reason: str) -> str:
    return f":x: Failed: {reason}"


def done_and_not_done(done: Sequence[str], not_done: Sequence[str], limit: int = 8) -> str:
    def listed(items: Sequence[str]) -> str:
        more = f" …and {len(items) - limit} more" if len(items) > limit else ""
        return "; ".join(items[:limit]) + more if items else "nothing"
    return f"Done ({len(done)}): {listed(done)}\nNot done ({len(not_done)}): {listed(not_done)}"


def run_finished(state: str) -> str:
    return {"succeeded": ":white_check_mark: Succeeded and verified.", "rolled_back": ":leftwards_arrow_with_hook: Rolled back.",
            "failed": ":x: Failed: see above for what was done and what was not."}.get(state, state)


def interrupted() -> str:
    return (":warning: Interrupted: the bot stopped while this run was executing. It can be rolled back "
            "(button or `/carbon rollback <run-id>`) or requested again (`/carbon run`); actions are idempotent.")


def cannot_roll_back(run_id: str, state: str) -> str:
    return (f"Run `{run_id}` is {state.replace('_', ' ')}; only failed, interrupted or succeeded runs "
            "with an undoable action roll back.")


def no_rollback(run_id: str, action: str) -> str:
    """A run whose action kind has no rollback: say so, rather than blame the run's state."""
    return (f"Run `{run_id}` cannot be rolled back: `{action}` has no rollback (README's action kinds table says "
            "why for each kind). Nothing was changed.")


def rollback_started(run_id: str) -> str:
    return f"Rolling back run `{run_id}`; steps follow in its thread."


def run_approved_queued(run_id: str) -> str:
    return f"`{run_id}` is approved; the leading Carbon replica executes it within seconds."


def approval_not_posted(run_id: str, channel: str, code: str) -> str:
    hint = " Invite the bot to the channel (`/invite @carbon`)." if code in ("not_in_channel", "channel_not_found") else ""
    return (f"Slack refused the approval request for `{run_id}` in <#{channel}> ({code}), so the run was ended "
            f"and nothing will change.{hint} Then `/carbon run` it again.")


def task_left_the_plan(task_id: str) -> str:
    return f"task `{task_id}` (or its action) is no longer in the plan, so the run cannot execute"


def not_allowed_to_roll_back_alone(run_id: str) -> str:
    return (f"A rollback of `{run_id}` changes the cluster too, so it needs an approver of its task other than the "
            "requester (CARBON_APPROVERS, narrowed by the task's approvers).")


def not_leader_retry(run_id: str) -> str:
    return f"This Carbon replica is not the leader, so it cannot roll back `{run_id}` now; try again in a few seconds."


def no_runs_yet() -> str:
    return "No runs yet. `/carbon run <task-id>` requests one."


def unknown_action_kind(name: str) -> str:
    """A run recorded by an older build names an action kind this build does not have."""
    return f"action kind `{name}` is not available in this version"


def verification_failed(problems: Sequence[str]) -> str:
    return "verification found " + "; ".join(problems)


def applied_and_verified(changes: int) -> str:
    return f"applied and verified: {changes} change(s)"


def interrupted_reason() -> str:
    return "interrupted: the bot stopped during the run"
