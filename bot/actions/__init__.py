"""The action kinds. `default_registry()` builds a fresh registry; nothing registers on import."""

from __future__ import annotations

from bot.actions.base import ActionContext, ActionKind, ActionPlan, ActionRegistry, Change
from bot.actions.migrate_secrets import MIGRATE_SECRETS
from bot.actions.scale import SCALE_DEPLOYMENTS

BUILTIN_ACTIONS: tuple[ActionKind, ...] = (MIGRATE_SECRETS, SCALE_DEPLOYMENTS)


def default_registry() -> ActionRegistry:
    return ActionRegistry(BUILTIN_ACTIONS)


__all__ = ["BUILTIN_ACTIONS", "ActionContext", "ActionKind", "ActionPlan", "ActionRegistry", "Change", "default_registry"]
