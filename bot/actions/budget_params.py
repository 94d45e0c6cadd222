"""The parameters of `apply_disruption_budgets`, and the disruption controller's arithmetic the dry run judges with.

A target names a Deployment or StatefulSet and exactly one rule, `min_available` or `max_unavailable`, each an
integer or a percentage string (`"50%"`), as a PodDisruptionBudget takes them. `replicas` optionally raises the
workload first (never lowers it). The arithmetic is kube-controller-manager's: percentages of the expected pods
are rounded up, and the evictions a budget allows are the healthy pods above the ones it wants kept.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from bot.actions.base import Params

PERCENT = re.compile(r"^(100|[1-9]?[0-9])%$")
PLURALS = {"Deployment": "deployments", "StatefulSet": "statefulsets"}


def _amount(value: Any) -> int | str | None:
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and value >= 0):
        return value
    if isinstance(value, str) and PERCENT.match(value):
        return value
    raise ValueError(f"{value!r} is neither a count (0 or more) nor a percentage from 0% to 100% (e.g. 1 or \"50%\")")


class BudgetTarget(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    namespace: str = Field(min_length=1)
    name: str = Field(min_length=1)
    kind: Literal["Deployment", "StatefulSet"] = "Deployment"
    min_available: int | str | None = None
    max_unavailable: int | str | None = None
    replicas: int | None = Field(None, ge=1, le=1000)
    budget: str | None = Field(None, min_length=1)  # the PodDisruptionBudget's name; default: the workload's

    _check_amounts = field_validator("min_available", "max_unavailable", mode="before")(_amount)

    @model_validator(mode="after")
    def _one_rule(self) -> BudgetTarget:
        if (self.min_available is None) == (self.max_unavailable is None):
            raise ValueError(f"{self.namespace}/{self.name}: give exactly one of min_available or max_unavailable")
        return self

    @property
    def plural(self) -> str:
        return PLURALS[self.kind]

    @property
    def workload(self) -> str:
        return f"{self.kind.lower()} {self.namespace}/{self.name}"

    @property
    def budget_name(self) -> str:
        return self.budget or self.name

    def rule(self) -> dict[str, int | str]:
        """The budget's spec fields besides the selector."""
        if self.min_available is not None:
            return {"minAvailable": self.min_available}
        assert self.max_unavailable is not None
        return {"maxUnavailable": self.max_unavailable}


class BudgetsParams(Params):
    targets: tuple[BudgetTarget, ...] = Field(min_length=1)
    rollout_timeout_s: float = Field(300.0, ge=0, le=3600)  # the health gate of a replica raise
    wait_s: float = Field(120.0, ge=0, le=1800)  # verify: how long the disruption controller may take to report

    @model_validator(mode="after")
    def _distinct(self) -> BudgetsParams:
        seen: set[tuple[str, str]] = set()
        for target in self.targets:
            key = (target.namespace, target.budget_name)
            if key in seen:
                raise ValueError(f"two targets write poddisruptionbudget {key[0]}/{key[1]}")
            seen.add(key)
        return self


def scaled(value: int | str, total: int) -> int:
    """intstr.GetScaledValueFromIntOrPercent rounding up, as the disruption controller calls it."""
    return value if isinstance(value, int) else math.ceil(int(value.rstrip("%")) * total / 100)


def evictions_allowed(rule: dict[str, int | str], replicas: int) -> int:
    """Voluntary evictions the budget allows when all `replicas` pods are healthy (0: every drain hangs on it)."""
    if rule.get("maxUnavailable") is not None:
        return min(replicas, scaled(rule["maxUnavailable"], replicas))
    return max(0, replicas - scaled(rule["minAvailable"], replicas))
