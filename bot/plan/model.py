"""The plan: phases of tasks, each with a check and optionally an action and an approval policy.

The model is plain pydantic; `bot.plan_loader` turns a YAML file into it and reports every error
with its path. Weights are explicit so that every percentage can be traced back to them.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,62}$"


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
    approvers: tuple[str, ...] = ()
    required: int = Field(1, ge=1, le=5)
    ttl_hours: float = Field(24.0, gt=0, le=24 * 14)


class Task(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=ID_PATTERN)
    title: str = Field(min_length=1)
    weight: float = Field(gt=0)
    description: str = ""
    check: CheckSpec
    action: ActionSpec | None = None
    approval: ApprovalPolicy = ApprovalPolicy()
    attestation_ttl_days: int | None = Field(None, ge=1)
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
