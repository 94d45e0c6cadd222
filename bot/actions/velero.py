"""Velero as the backup actions see it: is it installed and able to write, its objects' phases, bounded waits.

Reads through the gateway only (never the view): `list` schedules/backups/restores in Velero's namespace (a 404
means the CRDs are not served), `get` a BackupStorageLocation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot import messages
from bot.actions.base import ActionContext
from bot.cluster.gateway import ClusterGateway, NotFound
from bot.errors import UserError
from bot.settings.cron import cron_trigger

SCHEDULE_LABEL = "velero.io/schedule-name"
FINISHED = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
DURATION = r"^(\d+h)?(\d+m)?(\d+s)?$"  # a Go duration as Velero's ttl is written: 720h0m0s, 24h, 90m (not empty)
POLL_S = 2.0


def cron_problem(expr: str) -> str | None:
    """Why Velero's parser would refuse this `schedule` (five cron fields, `@daily`, `@every 6h`…), or None."""
    text = expr.strip()
    if text in DESCRIPTORS or (text.startswith("@every ") and text.removeprefix("@every ")[:1].isdigit()):
        return None
    try:
        cron_trigger(text, "UTC")
    except (ValueError, TypeError) as exc:
        return f"invalid cron schedule {expr!r}: {exc}; five fields (minute hour day month weekday) or @daily"
    return None


def require_velero(kube: ClusterGateway, namespace: str) -> None:
    """Refuse, saying what to do, unless Velero's schedules, backups and restores are served."""
    for plural in ("schedules", "backups", "restores"):
        try:
            kube.list_in(plural, namespace)
        except NotFound:
            raise UserError(messages.velero_not_installed(namespace)) from None


def require_location(kube: ClusterGateway, namespace: str, name: str) -> None:
    location = kube.get("backupstoragelocations", name, namespace)
    phase = None if location is None else str((location.get("status") or {}).get("phase") or "")
    if phase != "Available":
        raise UserError(messages.storage_location_unavailable(namespace, name, phase))


def phase(obj: dict[str, Any] | None) -> str:
    return str(((obj or {}).get("status") or {}).get("phase") or "")


def reasons(obj: dict[str, Any] | None) -> list[str]:
    status = (obj or {}).get("status") or {}
    found = [str(e) for e in status.get("validationErrors") or []]
    return found + ([str(status["failureReason"])] if status.get("failureReason") else [])


def wait_until(ctx: ActionContext, wait_s: float, read: Callable[[], dict[str, Any] | None],
               done: Callable[[dict[str, Any] | None], bool]) -> dict[str, Any] | None:
    """Poll `read` every 2 s (by ctx.monotonic / ctx.sleep) until `done` or `wait_s` passed; the last reading."""
    deadline = ctx.monotonic() + wait_s
    while True:
        seen = read()
        if done(seen) or ctx.monotonic() >= deadline:
            return seen
        ctx.sleep(min(POLL_S, max(0.0, deadline - ctx.monotonic())))


def finish(ctx: ActionContext, kube: ClusterGateway, plural: str, name: str, namespace: str,
           wait_s: float) -> dict[str, Any]:
    """Wait for a Backup or Restore to finish; raise (the run fails) unless it Completed."""
    what = f"{plural.removesuffix('s')} {namespace}/{name}"
    seen = wait_until(ctx, wait_s, lambda: kube.get(plural, name, namespace), lambda o: phase(o) in FINISHED)
    if phase(seen) not in FINISHED:
        raise UserError(messages.not_finished_in_time(what, phase(seen), wait_s))
    if phase(seen) != "Completed":
        raise UserError(messages.velero_object_failed(what, phase(seen), reasons(seen)))
    return seen or {}
