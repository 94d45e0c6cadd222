"""The action kinds. `default_registry()` builds a fresh registry; nothing registers on import."""

from __future__ import annotations

from bot.actions.backups import CONFIGURE_BACKUPS
from bot.actions.base import ActionContext, ActionKind, ActionPlan, ActionRegistry, Change
from bot.actions.database_credentials import CONFIGURE_DATABASE_CREDENTIALS
from bot.actions.disruption_budgets import APPLY_DISRUPTION_BUDGETS
from bot.actions.migrate_secrets import MIGRATE_SECRETS
from bot.actions.mirror_images import MIRROR_IMAGES
from bot.actions.network_policies import APPLY_NETWORK_POLICIES
from bot.actions.rbac import APPLY_RBAC
from bot.actions.restore_drill import RESTORE_DRILL
from bot.actions.scale import SCALE_DEPLOYMENTS
from bot.actions.vault_auth import CONFIGURE_VAULT_KUBERNETES_AUTH

BUILTIN_ACTIONS: tuple[ActionKind, ...] = (
    MIGRATE_SECRETS, APPLY_NETWORK_POLICIES, APPLY_RBAC, SCALE_DEPLOYMENTS, CONFIGURE_VAULT_KUBERNETES_AUTH,
    CONFIGURE_DATABASE_CREDENTIALS, APPLY_DISRUPTION_BUDGETS, MIRROR_IMAGES, CONFIGURE_BACKUPS, RESTORE_DRILL,
)


def default_registry() -> ActionRegistry:
    return ActionRegistry(BUILTIN_ACTIONS)


__all__ = ["BUILTIN_ACTIONS", "ActionContext", "ActionKind", "ActionPlan", "ActionRegistry", "Change", "default_registry"]
