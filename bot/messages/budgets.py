"""What apply_disruption_budgets tells approvers and the run's thread: refusals, changes and verify problems."""

from __future__ import annotations


def budget_rule(spec: dict[str, object]) -> str:
    """`minAvailable 1` / `maxUnavailable 25%`: the budget's one rule as the plan wrote it."""
    for field in ("minAvailable", "maxUnavailable"):
        if spec.get(field) is not None:
            return f"{field} {spec[field]}"
    return "no rule"


def budget_blocks_evictions(workload: str, rule: str, replicas: int) -> str:
    return (f"{workload}: {rule} with {replicas} replica(s) allows no voluntary eviction, so every node drain would "
            f"hang on it. Raise its replicas in the same target (`replicas: {replicas + 1}`) or allow one pod to be "
            f"unavailable (`max_unavailable: 1`).")


def budget_already_covers(workload: str, other: str) -> str:
    return (f"{workload} is already covered by poddisruptionbudget {other}; a second budget on the same pods makes "
            f"every eviction of them fail. Name it in the target (`budget: {other.split('/')[-1]}`) to take it over.")


def budget_workload_missing(workload: str) -> str:
    return f"{workload} not found"


def budget_not_protecting(budget: str, status: dict[str, object]) -> str:
    return (f"poddisruptionbudget {budget}: {status.get('disruptionsAllowed', 0)} disruption(s) allowed, "
            f"{status.get('currentHealthy', 0)}/{status.get('desiredHealthy', 0)} healthy pods wanted, "
            f"{status.get('expectedPods', 0)} expected")


def budget_not_observed(budget: str) -> str:
    return f"poddisruptionbudget {budget}: the disruption controller has not reported on its current spec"
