"""What a user sees instead of a result: the ref of an unexpected failure, an unconfigured gateway,
a check that could not measure, a post Slack refused."""

from __future__ import annotations


def something_went_wrong(ref: str) -> str:
    return f":warning: Something went wrong (ref `{ref}`). The details are in the bot's log under that ref."


def cluster_not_configured() -> str:
    return "cluster not configured (set KUBECONFIG or run in a pod)"


def vault_not_configured() -> str:
    return "Vault not configured (set VAULT_ADDR and VAULT_TOKEN, or CARBON_VAULT_ROLE in a pod)"


def check_timed_out(seconds: float) -> str:
    return f"the check did not finish within {seconds:g}s"


def check_crashed(ref: str) -> str:
    return f"the check failed unexpectedly (ref {ref})"


def post_failed(what: str, error: str) -> str:
    return f"Slack did not take the {what} ({error}). Is the bot invited to the channel? Try again in a moment."
