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


def bad_quoting() -> str:
    return "That command has an unclosed quote. Close it, or leave quotes out."


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
