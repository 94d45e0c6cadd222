"""What an action is: plan() (a dry run), apply() (idempotent), verify() and, where it can be undone, rollback().

A plan is a list of `Change`s (what would be created, patched, deleted or written, by name, key, Vault
path and hash prefix, never a value) plus `data` the action needs to apply or undo it, of the same
kind: it is stored with the run. The plan hash is the sha256 of the canonical JSON of the changes, so
an approved plan can be compared with the cluster as it is when the run executes (stale plan).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.cluster.gateway import ClusterGateway
from bot.errors import Unavailable
from bot.plan.kinds import KindRegistry
from bot.snapshot.credentials import fingerprint
from bot.vault.gateway import VaultGateway


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Change:
    """One planned change: `op` (create, patch, delete, write, …), on `target`, saying `what`."""

    op: str
    target: str
    what: str = ""

    @property
    def key(self) -> str:
        return f"{self.op} {self.target}"

    def line(self) -> str:
        return f"{self.op} {self.target}" + (f": {self.what}" if self.what else "")


@dataclass(frozen=True)
class Impact:
    """What approving the plan does to the running platform, computed in the dry run and shown to approvers."""

    rolls: tuple[str, ...] = ()  # workloads whose pods will be replaced (a rollout, health-gated)
    sources: tuple[str, ...] = ()  # env vars and files whose value will come from somewhere else
    flows: tuple[str, ...] = ()  # network flows the change affects
    irreversible: tuple[str, ...] = ()  # steps that cannot be undone; they run last, after every gate passed
    warnings: tuple[str, ...] = ()  # what approvers should know: what the plan could not do or check, and why; side
    # effects that are not changes (a drill's restored pods running in its scratch namespace)

    def to_json(self) -> dict[str, list[str]]:
        return {name: list(getattr(self, name)) for name in IMPACT_FIELDS if getattr(self, name)}

    @classmethod
    def from_json(cls, stored: dict[str, Any] | None) -> Impact:
        return cls(**{name: tuple((stored or {}).get(name) or ()) for name in IMPACT_FIELDS})


IMPACT_FIELDS = ("rolls", "sources", "flows", "irreversible", "warnings")


@dataclass(frozen=True)
class ActionPlan:
    changes: tuple[Change, ...]
    data: dict[str, Any] = field(default_factory=dict)
    impact: Impact = field(default_factory=Impact)

    @property
    def empty(self) -> bool:
        return not self.changes

    @property
    def hash(self) -> str:
        canonical = json.dumps([[c.op, c.target, c.what] for c in self.changes], sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, Any]:
        return {"changes": [[c.op, c.target, c.what] for c in self.changes], "data": self.data,
                "impact": self.impact.to_json()}

    @classmethod
    def from_json(cls, stored: dict[str, Any]) -> ActionPlan:
        return cls(tuple(Change(*c) for c in stored.get("changes") or []), dict(stored.get("data") or {}),
                   Impact.from_json(stored.get("impact")))


@dataclass
class ActionContext:
    """What an action may touch, and where it reports each step (the run's thread and audit log)."""

    cluster: ClusterGateway | None
    vault: VaultGateway | None
    report: Callable[[str], None] = lambda text: None
    done: list[str] = field(default_factory=list)
    fingerprint_key: bytes = b""  # the install's key (Services.fingerprint_key); empty only in unit tests
    # Told the key of each change as soon as it is applied (the audit log), so a rollback after a crash knows it.
    on_step: Callable[[str], None] = lambda key: None
    # For a rollback: the keys of the changes the run applied (its recorded steps); only those are undone.
    applied: frozenset[str] = frozenset()
    # Bounded waits read and pass time through these, so tests drive time without sleeping.
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    def fingerprint(self, value: str) -> str:
        return fingerprint(value, self.fingerprint_key)

    def step(self, change: Change, text: str | None = None) -> None:
        """Mark a planned change as done and say so."""
        self.done.append(change.key)
        self.on_step(change.key)
        self.report(f":white_check_mark: {text or change.line()}")

    def kube(self) -> ClusterGateway:
        if self.cluster is None:
            raise Unavailable("cluster not configured (set KUBECONFIG or run in a pod)")
        return self.cluster

    def secrets(self) -> VaultGateway:
        if self.vault is None:
            raise Unavailable("Vault not configured (set VAULT_ADDR and VAULT_TOKEN, or CARBON_VAULT_ROLE in a pod)")
        return self.vault


PlanFn = Callable[[Any, ActionContext], ActionPlan]
ApplyFn = Callable[[Any, ActionPlan, ActionContext], None]
VerifyFn = Callable[[Any, ActionPlan, ActionContext], list[str]]  # problems; empty = verified


@dataclass(frozen=True)
class ActionKind:
    name: str
    params: type[BaseModel]
    plan: PlanFn
    apply: ApplyFn
    verify: VerifyFn
    rollback: ApplyFn | None = None
    doc: str = ""  # the RBAC verbs and Vault policy it needs


class ActionRegistry(KindRegistry[ActionKind]):
    label = "action kind"
