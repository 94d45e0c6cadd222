"""A task's action, its dry run, and the context actions report through."""

from __future__ import annotations

from collections.abc import Callable

from bot import messages
from bot.actions import ActionRegistry
from bot.actions.base import ActionContext, ActionKind, ActionPlan
from bot.errors import UserError
from bot.runs.desk import RunDesk
from bot.runs.model import Run, RunState


def kind_of(desk: RunDesk, action: str) -> ActionKind:
    kind = desk.actions.get(action)
    if kind is None:
        raise UserError(messages.unknown_action_kind(action))
    return kind


def action_context(desk: RunDesk, report: Callable[[str], None] | None = None) -> ActionContext:
    """Without a report: a dry run (nothing is reported, nothing is changed)."""
    if report is None:
        return ActionContext(desk.cluster, desk.vault, fingerprint_key=desk.fingerprint_key)
    return ActionContext(desk.cluster, desk.vault, report, fingerprint_key=desk.fingerprint_key)


def compute_plan(desk: RunDesk, task_id: str, action: str) -> ActionPlan:
    if task_id not in desk.plan.action_params:
        raise UserError(messages.task_left_the_plan(task_id))
    return kind_of(desk, action).plan(desk.plan.action_params[task_id], action_context(desk))


def can_roll_back(actions: ActionRegistry, run: Run) -> bool:
    """The action can be undone, and this run applied something (or stopped midway)."""
    kind = actions.get(run.action)
    done = bool((run.outcome or {}).get("done"))
    return kind is not None and kind.rollback is not None and (done or run.state == RunState.INTERRUPTED)
