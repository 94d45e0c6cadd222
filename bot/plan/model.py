"""The plan: phases of tasks, each with a check and optionally an action and an approval policy.

The model is plain pydantic; `bot.plan.loader` turns a YAML file into it and reports every error
with its path. Weights are explicit so that every percentage can be traced back to them.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from bot.settings import SLACK_ID

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"
# Bounds that keep every sum, percentage and date the bot computes from the plan finite: a weight of `.inf`
# made the dashboard say `nan%`; an attestation TTL of millions of days overflowed the date it ends.
MAX_WEIGHT = 1_000_000
MAX_ATTESTATION_TTL_DAYS = 3650


def _weight(value: float) -> float:
    if not math.isfinite(value) or not 0 < value <= MAX_WEIGHT:
        raise ValueError(f"must be a finite number > 0 and at most {MAX_WEIGHT}")
    return value


def _slack_id(value: str) -> str:
    """A task's approvers narrow CARBON_APPROVERS by ID; `*` or a lower-case id would match nobody, silently."""
    if not SLACK_ID.match(value):
        raise ValueError("must be a Slack user ID (U…, W…) or user group ID (S…) in capitals, like U012ABCDEF; "
                         "`*` is not allowed here")
    return value


class CheckSpec(BaseModel):
    """`kind` picks the check; every other key is that kind's parameter, validated by its own model."""

    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str
    timeout_s: float = Field(10.0, gt=0, le=120)

    @property
    def raw_params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ActionSpec(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)
    kind: str

    @property
    def raw_params(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class ApprovalPolicy(BaseModel):
    """Who may approve this task's runs (narrowing CARBON_APPROVERS), how many, and for how long."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    approvers: tuple[Annotated[str, AfterValidator(_slack_id)], ...] = ()
    required: int = Field(1, ge=1, le=5)
    ttl_hours: float = Field(24.0, gt=0, le=24 * 14)


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    weight: Annotated[float, AfterValidator(_weight)]
    description: str = ""
    check: CheckSpec
    action: ActionSpec | None = None
    approval: ApprovalPolicy = ApprovalPolicy()
    attestation_ttl_days: int | None = Field(None, ge=1, le=MAX_ATTESTATION_TTL_DAYS)
    # Tasks that must be done (measured or attested) before this one's action may be requested.
    needs: tuple[str, ...] = ()


class Phase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    tasks: tuple[Task, ...] = Field(min_length=1)

    @property
    def weight(self) -> float:
        return sum(task.weight for task in self.tasks)


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1)
    phases: tuple[Phase, ...] = Field(min_length=1)
    # Parsed check parameters by task id, filled by the loader (each kind validates its own).
    check_params: dict[str, Any] = Field(default_factory=dict, exclude=True)
    action_params: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def tasks(self) -> list[Task]:
        return [task for phase in self.phases for task in phase.tasks]

    def task(self, task_id: str) -> Task | None:
        return next((task for task in self.tasks() if task.id == task_id), None)

    def phase(self, phase_id: str) -> Phase | None:
        return next((phase for phase in self.phases if phase.id == phase_id), None)
