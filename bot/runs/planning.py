"""A task's action, its dry run, and the context actions report through."""

from __future__ import annotations

from collections.abc import Callable

from bot import messages
from bot.actions import ActionRegistry
from bot.actions.base import ActionContext, ActionKind, ActionPlan
from bot.errors import UserError
from bot.runs.desk import RunDesk
from bot.runs.model import Run
from bot.runs.records import note


def kind_of(desk: RunDesk, action: str) -> ActionKind:
    kind = desk.actions.get(action)
    if kind is None:
        raise UserError(messages.unknown_action_kind(action))
    return kind


def action_context(desk: RunDesk, run: Run | None = None, report: Callable[[str], None] | None = None,
                   applied: frozenset[str] = frozenset()) -> ActionContext:
    """Without a run: a dry run (nothing is reported, nothing is changed). With one, every applied change is in
    its audit log the moment it is applied."""
    if run is None or report is None:
        return ActionContext(desk.cluster, desk.vault, fingerprint_key=desk.fingerprint_key)
    run_id = run.id
    return ActionContext(desk.cluster, desk.vault, report, fingerprint_key=desk.fingerprint_key, applied=applied,
                         on_step=lambda key: note(desk.store, run_id, "carbon", "run.applied", {"change": key}))


def applied_changes(desk: RunDesk, run: Run) -> frozenset[str]:
    """The keys of the changes a run applied, from its audit log (complete even when the bot stopped midway)."""
    return frozenset(e["detail"].get("change", "") for e in desk.store.audit_entries(run.id, limit=10_000)
                     if e["action"] == "run.applied")


def compute_plan(desk: RunDesk, task_id: str, action: str) -> ActionPlan:
    if task_id not in desk.plan.action_params:
        raise UserError(messages.task_left_the_plan(task_id))
    return kind_of(desk, action).plan(desk.plan.action_params[task_id], action_context(desk))


def can_roll_back(actions: ActionRegistry, run: Run) -> bool:
    """The action can be undone, and this run applied something."""
    kind = actions.get(run.action)
    return kind is not None and kind.rollback is not None and bool((run.outcome or {}).get("applied"))
