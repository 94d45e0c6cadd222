"""Every sentence a user reads, in one place: tests assert on these functions, not on copied strings."""

from __future__ import annotations

from collections.abc import Sequence


def something_went_wrong(ref: str) -> str:
    return f":warning: Something went wrong (ref `{ref}`). The details are in the bot's log under that ref."


def unknown_subcommand(word: str, close: Sequence[str]) -> str:
    hint = f" Did you mean `{close[0]}`?" if close else ""
    return f"`{word}` is not a Carbon command.{hint} Try `/carbon help` for the list."


def usage_error(problem: str, usage: str) -> str:
    return f"{problem}\nUsage: `{usage}`"



def unknown_phase(phase_id: str, known: Sequence[str]) -> str:
    return f"There is no phase `{phase_id}` in the plan. Phases: {', '.join(f'`{p}`' for p in known)}."


def unknown_task(task_id: str, close: Sequence[str]) -> str:
    hint = f" Did you mean `{close[0]}`?" if close else " `/carbon tasks` lists them."
    return f"There is no task `{task_id}` in the plan.{hint}"


def not_allowed_to_request(user_id: str) -> str:
    return f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot request runs. Ask an admin to add you."


def cluster_not_configured() -> str:
    return "cluster not configured (set KUBECONFIG or run in a pod)"


def vault_not_configured() -> str:
    return "Vault not configured (set VAULT_ADDR and VAULT_TOKEN, or CARBON_VAULT_ROLE in a pod)"


def check_timed_out(seconds: float) -> str:
    return f"the check did not finish within {seconds:g}s"


def check_crashed(ref: str) -> str:
    return f"the check failed unexpectedly (ref {ref})"


def working() -> str:
    return "Measuring the cluster…"


def not_allowed_to_attest(user_id: str) -> str:
    return f"<@{user_id}>, you are not in CARBON_REQUESTERS, so you cannot attest tasks. Ask an admin to add you."


def not_manual(task_id: str, kind: str) -> str:
    return (f"`{task_id}` is measured by its `{kind}` check, so it cannot be attested. "
            "Only tasks with a `manual` check can; `/carbon tasks` shows each task's state.")


def attested(task_id: str, user_id: str, expires: str | None) -> str:
    until = f" It counts until {expires}." if expires else ""
    return f":memo: <@{user_id}> attested `{task_id}`; it is shown as attested, not measured.{until}"


def attestation_withdrawn(task_id: str, user_id: str) -> str:
    return f"<@{user_id}> withdrew the attestation of `{task_id}`; it is awaiting attestation again."


def nothing_to_withdraw(task_id: str) -> str:
    return f"`{task_id}` has no attestation to withdraw."


def change_since_digest(when: str) -> str:
    return f"change since the last digest ({when})"


def change_last_day() -> str:
    return "change in the last 24 h"


SEVERITY_ICON = {"critical": ":rotating_light:", "high": ":red_circle:", "medium": ":large_yellow_circle:",
                 "low": ":white_circle:"}


def alert_text(severity: str, title: str) -> str:
    return f"{SEVERITY_ICON.get(severity, '')} Risk ({severity}): {title}".strip()


def alert_severity_changed(old: str, new: str) -> str:
    return f"Severity changed: {old} → *{new}*."


def alert_resolved(title: str) -> str:
    return f":white_check_mark: Resolved: {title}. The last scan no longer finds it."


def alert_acknowledged(user_id: str) -> str:
    return f"Acknowledged by <@{user_id}>."


def alert_snoozed(user_id: str, until: str) -> str:
    return f"Snoozed by <@{user_id}> until {until}: no posts about it until then."


def unknown_alert() -> str:
    return "That alert is no longer known (the store was reset?). `/carbon risks` lists the open ones."


def no_open_risks() -> str:
    return ":white_check_mark: No open risks: every risk rule passed on the last scan."


def digest_posted(channel: str) -> str:
    return f"Digest posted to <#{channel}>."


def no_channel() -> str:
    return "CARBON_CHANNEL is not set, so there is nowhere to post. Ask an admin to set it."


def jobs_not_started() -> str:
    return "CARBON_CHANNEL is not set: scheduled digests and risk alerts are off (commands still work)."


def digesting() -> str:
    return "Building the digest…"


def scanning_risks() -> str:
    return "Scanning for risks…"


def post_failed(what: str, error: str) -> str:
    return f"Slack did not take the {what} ({error}). Is the bot invited to the channel? Try again in a moment."


# -- runs (issue 4)
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


def unknown_action_kind(name: str) -> str:
    return f"action kind `{name}` is not available in this version"


def verification_failed(problems: Sequence[str]) -> str:
    return "verification found " + "; ".join(problems)


def applied_and_verified(changes: int) -> str:
    return f"applied and verified: {changes} change(s)"


def interrupted_reason() -> str:
    return "interrupted: the bot stopped during the run"
