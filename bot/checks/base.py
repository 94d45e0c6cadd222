"""What a check is and what it returns.

A check is a read-only probe over one `Snapshot`; it returns a fraction done with evidence. A check
that cannot measure says `unknown` with the reason, never 0% or 100%: a 403 is not progress lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from bot.plan.kinds import KindRegistry
from bot.snapshot.reuse import ANY_KIND, Declared

if TYPE_CHECKING:
    from bot.snapshot.snapshot import Snapshot


class State(StrEnum):
    DONE = "done"
    PARTIAL = "partial"
    FAILING = "failing"
    UNKNOWN = "unknown"
    PENDING = "pending"  # a manual task nobody has attested yet
    ATTESTED = "attested"  # a manual task a person vouches for; never shown as measured


@dataclass(frozen=True)
class CheckResult:
    state: State
    fraction: float | None
    summary: str
    evidence: tuple[str, ...] = ()
    detail: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def measured(cls, done: int | float, total: int | float, summary: str, evidence: list[str] | tuple[str, ...] = (),
                 **detail: Any) -> CheckResult:
        """From a count: done/total, with total 0 meaning there was nothing to do (done)."""
        fraction = 1.0 if total <= 0 else max(0.0, min(1.0, done / total))
        state = State.DONE if fraction >= 1.0 else State.FAILING if fraction <= 0.0 else State.PARTIAL
        return cls(state, fraction, summary, tuple(evidence), dict(detail))

    @classmethod
    def unknown(cls, reason: str) -> CheckResult:
        return cls(State.UNKNOWN, None, reason)


class Params(BaseModel):
    """Base for each kind's parameters: unknown keys are an error, so a typo is caught at load."""

    model_config = ConfigDict(extra="forbid", frozen=True)


CheckFn = Callable[[Any, "Snapshot"], CheckResult]


@dataclass(frozen=True)
class CheckKind:
    """`reads`: the cluster kinds (plurals) the check reads through its snapshot, or `ANY_KIND` when its parameters
    name the kind. Declared, a check's result is reused while nothing it read has changed in the watch-fed view
    (bot/snapshot/reuse.py); a check that also reads Vault, the clock or anything outside the snapshot (HTTP) is
    measured every time, and so is one that declares nothing (the safe default for a new kind)."""

    name: str
    params: type[BaseModel]
    run: CheckFn
    doc: str = ""
    reads: Declared = ()


__all__ = ["ANY_KIND", "CheckKind", "CheckResult", "Params", "State"]


class CheckRegistry(KindRegistry[CheckKind]):
    label = "check kind"

    def __init__(self, kinds: list[CheckKind] | tuple[CheckKind, ...] = ()) -> None:
        super().__init__(kinds)
        # Told (kind, state, seconds) after each check: the wiring points it at the metrics.
        self.observer: Callable[[str, str, float], None] | None = None
