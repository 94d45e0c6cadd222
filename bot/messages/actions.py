"""What actions tell approvers about the platform: prerequisites, delivery, impact."""

from __future__ import annotations


def no_delivery(workload: str, use: str, key: str) -> str:
    return (f"{workload} reads {key} as {use}: with no secrets operator to deliver it from Vault, the key is copied "
            f"to Vault but stays in its ConfigMap")


def no_secrets_operator() -> str:
    return ("no External Secrets Operator or Vault Secrets Operator installed: keys read by workloads are copied to "
            "Vault and verified, but not removed from their ConfigMaps")


def delivery_operator_missing(operator: str, crd: str) -> str:
    name = "External Secrets Operator" if operator == "eso" else "Vault Secrets Operator"
    return (f"the plan says `delivery: {operator}`, but {name} is not installed (no CustomResourceDefinition {crd}): "
            f"install it, or set `delivery: auto` (whichever operator is installed; without one the keys are only "
            f"copied to Vault)")


def vault_auth_missing(namespace: str, name: str) -> str:
    return (f"the plan's `vault_auth` names VaultAuth {namespace}/{name}, which does not exist: name an existing "
            f"VaultAuth (`name` in the workloads' namespace, or `namespace/name`), or leave `vault_auth` out and "
            f"Carbon creates its own")


def plaintext_removed(namespace: str, configmap: str, key: str) -> str:
    return (f"removes {key} from configmap {namespace}/{configmap} (last, after every rollout is healthy; "
            f"a rollback writes it back from Vault)")


def vault_kubernetes_auth_missing() -> str:
    return ("Vault Kubernetes auth is not configured (auth/kubernetes/config has no kubernetes_host), so the secrets "
            "operator could not read Vault: run vault-kubernetes-auth first")


def not_delivered(workload: str, use: str, secret: str) -> str:
    return f"{workload} does not get {use} from secret {secret}"


def needs_not_done(task_id: str, needs: list[str], step: tuple[str, str] | None = None) -> str:
    """`step`: what to do first, `("run", id)` or `("attest", id)`: a needed task may have no action of its own."""
    first = f"; `/carbon {step[0]} {step[1]}` is the first step" if step else ""
    return (f"`{task_id}` needs {', '.join(f'`{n}`' for n in needs)} done first "
            f"(`/carbon status` shows where they stand{first}).")


def rolled_back_automatically() -> str:
    return ":leftwards_arrow_with_hook: The run failed, so Carbon rolled back what it had applied."


def nothing_applied(run_id: str) -> str:
    return f"Run `{run_id}` applied nothing, so there is nothing to roll back."


def cluster_changed_since(what: list[str]) -> str:
    return (f"Nothing was rolled back: the cluster no longer holds what this run left ({'; '.join(what[:5])}). "
            f"Someone or another run changed it since; undo by hand or run the task again.")


def rolled_back_reason(failure: str) -> str:
    """The run's outcome after a rollback; after an automatic one, with the failure that caused it."""
    return f"rolled back after: {failure}" if failure else "rolled back"
