"""What a user sees instead of a result: the ref of an unexpected failure, an unconfigured gateway,
a check that could not measure, a post Slack refused."""

from __future__ import annotations


def something_went_wrong(ref: str) -> str:
    return f":warning: Something went wrong (ref `{ref}`). The details are in the bot's log under that ref."


def cluster_not_configured() -> str:
    return "cluster not configured (set KUBECONFIG or run in a pod)"


def vault_not_configured() -> str:
    return "Vault not configured (set VAULT_ADDR and VAULT_TOKEN, or CARBON_VAULT_ROLE in a pod)"


def source_unreachable(component: str) -> str:
    """A source that did not answer, by name: its address is the operator's to know (it is in the settings and the
    plan), not every channel member's; the status footer names the cluster and Vault it measured from."""
    return f"{component} is unreachable"


def source_timed_out(component: str) -> str:
    return f"{component} did not answer in time"


def source_answered(component: str, what: str) -> str:
    return f"{component} {what}"


def vault_not_initialized() -> str:
    return "Vault is not initialized"


def vault_sealed() -> str:
    return "Vault is sealed"


def vault_auth_not_enabled(path: str) -> str:
    return f"auth/{path} is not enabled in Vault"


def check_timed_out(seconds: float) -> str:
    return f"the check did not finish within {seconds:g}s"


def check_crashed(ref: str) -> str:
    return f"the check failed unexpectedly (ref {ref})"


def post_failed(what: str, error: str) -> str:
    return f"Slack did not take the {what} ({error}). Is the bot invited to the channel? Try again in a moment."
