"""`configure_backups`: Velero Schedules from the plan, proven by a backup that completes.

Dry run: Velero must be installed (schedules, backups and restores served in its namespace) and each schedule's
BackupStorageLocation in phase Available, else the plan is refused with what to do; each Schedule is created when
missing or server-side applied when its spec differs (`dryRun=All` first). Apply waits (bounded by `wait_s`) for
Velero to validate each Schedule (phase Enabled; FailedValidation fails the run with Velero's reasons), then, with
`verify_backup`, takes one backup from each new or changed schedule — or one that has never completed — as
`velero backup create --from-schedule` does (the schedule's template as the Backup's spec, labelled
`velero.io/schedule-name`) and waits for it to be Completed. Verify: every Schedule as planned and Enabled, every
backup this run took Completed. Rollback: deletes the Schedules this run created, puts back the spec of those it
changed, and deletes its backups through a DeleteBackupRequest (`velero backup delete`: Velero removes the data
in object storage too, and the restores made from them, a drill's record among them, which the thread says;
deleting the Backup object alone would be undone by Velero's backup sync).

Needs RBAC (velero.io): schedules list/get/create/patch/delete, backups list/get/create, restores list,
backupstoragelocations get, deletebackuprequests create.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot import messages
from bot.actions.base import ActionContext, ActionKind, ActionPlan, Change, Impact, Params
from bot.actions.objects import MANAGED_BY, apply_object, desired, matches, plan_object
from bot.actions.velero import (
    DURATION,
    SCHEDULE_LABEL,
    cron_problem,
    finish,
    phase,
    reasons,
    require_location,
    require_velero,
    wait_until,
)
from bot.cluster.gateway import ClusterGateway, Conflict
from bot.errors import UserError

NAME = r"^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$"  # room for Velero's `-<timestamp>` suffix in a backup's name


class ScheduleSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(pattern=NAME)
    namespaces: tuple[str, ...] = Field(min_length=1)
    schedule: str = "0 2 * * *"
    ttl: str = Field("720h0m0s", pattern=DURATION, min_length=2)
    storage_location: str = "default"

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        problem = cron_problem(value)
        if problem:
            raise ValueError(problem)
        return value


class BackupsParams(Params):
    schedules: tuple[ScheduleSpec, ...] = Field(min_length=1)
    velero_namespace: str = "velero"
    verify_backup: bool = True  # take one backup from each new or changed schedule and wait for it to complete
    wait_s: float = Field(600.0, ge=0, le=3600)

    @field_validator("schedules")
    @classmethod
    def _unique(cls, value: tuple[ScheduleSpec, ...]) -> tuple[ScheduleSpec, ...]:
        names = [s.name for s in value]
        if len(set(names)) != len(names):
            raise ValueError(f"schedule names must be unique: {', '.join(sorted(names))}")
        return value


def schedule_object(params: BackupsParams, spec: ScheduleSpec) -> dict[str, Any]:
    template = {"includedNamespaces": list(spec.namespaces), "ttl": spec.ttl, "storageLocation": spec.storage_location}
    return desired("schedules", params.velero_namespace, spec.name,
                   spec={"schedule": spec.schedule, "useOwnerReferencesInBackup": False, "template": template})


def _backups_of(kube: ClusterGateway, namespace: str, schedule: str) -> list[dict[str, Any]]:
    return kube.list_in("backups", namespace, f"{SCHEDULE_LABEL}={schedule}")


def plan(params: BackupsParams, ctx: ActionContext) -> ActionPlan:
    kube, ns = ctx.kube(), params.velero_namespace
    require_velero(kube, ns)
    for location in sorted({s.storage_location for s in params.schedules}):
        require_location(kube, ns, location)
    existing = {n["metadata"]["name"] for n in kube.list_all("namespaces")}
    warnings = [messages.namespace_not_found_warning(n) for s in params.schedules for n in s.namespaces
                if n not in existing]
    changes: list[Change] = []
    items = []
    for spec in params.schedules:
        want = schedule_object(params, spec)
        live = kube.get("schedules", spec.name, ns)
        op = plan_object(kube, "schedules", want, changes)
        backups = _backups_of(kube, ns, spec.name)
        item: dict[str, Any] = {"name": spec.name, "op": op, "previous": (live or {}).get("spec")}
        if params.verify_backup and (op or not any(phase(b) == "Completed" for b in backups)):
            taken = {b["metadata"]["name"] for b in backups}
            item["backup"] = next(f"{spec.name}-carbon-{n}" for n in range(1, len(taken) + 2)
                                  if f"{spec.name}-carbon-{n}" not in taken)
            changes.append(Change("create", f"backup {ns}/{item['backup']}",
                                  f"from schedule {spec.name} now, waited for (up to {params.wait_s:g} s)"))
        if op or item.get("backup"):
            items.append(item)
    return ActionPlan(tuple(changes), {"schedules": items}, Impact(warnings=tuple(warnings)))


def apply(params: BackupsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube, ns = ctx.kube(), params.velero_namespace
    specs = {s.name: s for s in params.schedules}
    for item in planned.data["schedules"]:
        if item["op"]:
            apply_object(kube, "schedules", schedule_object(params, specs[item["name"]]), item["op"])
            ctx.step(Change(item["op"], f"schedule {ns}/{item['name']}"))
    for item in planned.data["schedules"]:
        seen = wait_until(ctx, params.wait_s, lambda name=item["name"]: kube.get("schedules", name, ns),
                          lambda o: phase(o) in ("Enabled", "FailedValidation"))
        if phase(seen) == "FailedValidation":
            raise UserError(messages.schedule_invalid(ns, item["name"], reasons(seen)))
        if phase(seen) != "Enabled":
            raise UserError(messages.not_finished_in_time(f"schedule {ns}/{item['name']}", phase(seen), params.wait_s))
    for item in planned.data["schedules"]:
        if item.get("backup"):
            _take_backup(params, item, ctx)


def _take_backup(params: BackupsParams, item: dict[str, Any], ctx: ActionContext) -> None:
    """`velero backup create <name> --from-schedule <schedule>`, then a bounded wait for Completed."""
    kube, ns, name = ctx.kube(), params.velero_namespace, item["backup"]
    schedule = kube.get("schedules", item["name"], ns) or {}
    body = {"apiVersion": "velero.io/v1", "kind": "Backup",
            "metadata": {"name": name, "namespace": ns, "labels": {SCHEDULE_LABEL: item["name"], **MANAGED_BY}},
            "spec": (schedule.get("spec") or {}).get("template") or {}}
    if kube.get("backups", name, ns) is None:
        kube.create("backups", body)
    ctx.step(Change("create", f"backup {ns}/{name}"), f"backup {ns}/{name} started from schedule {item['name']}")
    done = finish(ctx, kube, "backups", name, ns, params.wait_s)
    items = ((done.get("status") or {}).get("progress") or {}).get("itemsBackedUp", "?")
    ctx.report(f":white_check_mark: backup {ns}/{name} Completed ({items} items)")


def verify(params: BackupsParams, planned: ActionPlan, ctx: ActionContext) -> list[str]:
    kube, ns = ctx.kube(), params.velero_namespace
    problems = []
    for spec in params.schedules:
        live = kube.get("schedules", spec.name, ns)
        if live is None or not matches(live, schedule_object(params, spec)):
            problems.append(f"schedule {ns}/{spec.name} is missing or differs")
        elif phase(live) != "Enabled":
            problems.append(f"schedule {ns}/{spec.name} is {phase(live) or 'not validated'}, not Enabled")
    for item in planned.data["schedules"]:
        if item.get("backup") and phase(kube.get("backups", item["backup"], ns)) != "Completed":
            problems.append(f"backup {ns}/{item['backup']} is not Completed")
    return problems


def rollback(params: BackupsParams, planned: ActionPlan, ctx: ActionContext) -> None:
    kube, ns = ctx.kube(), params.velero_namespace
    for item in planned.data["schedules"]:
        backup = item.get("backup")
        if backup and f"create backup {ns}/{backup}" in ctx.applied and kube.get("backups", backup, ns) is not None:
            restores = sum((r.get("spec") or {}).get("backupName") == backup for r in kube.list_in("restores", ns))
            try:
                kube.create("deletebackuprequests", {
                    "apiVersion": "velero.io/v1", "kind": "DeleteBackupRequest",
                    "metadata": {"name": f"{backup}-delete", "namespace": ns, "labels": {"velero.io/backup-name": backup}},
                    "spec": {"backupName": backup}})
            except Conflict:
                pass  # asked already (a rollback that stopped midway): Velero is deleting it
            ctx.report(messages.backup_deletion_asked(ns, backup, restores))
        key = f"{item['op']} schedule {ns}/{item['name']}"
        if key not in ctx.applied or kube.get("schedules", item["name"], ns) is None:
            continue
        if item["op"] == "create":
            kube.delete("schedules", item["name"], ns)
            ctx.report(f":leftwards_arrow_with_hook: deleted schedule {ns}/{item['name']}")
        elif item["previous"] is not None:
            kube.patch("schedules", item["name"], ns, [{"op": "replace", "path": "/spec", "value": item["previous"]}],
                       patch="json")
            ctx.report(f":leftwards_arrow_with_hook: put schedule {ns}/{item['name']} back as it was")


CONFIGURE_BACKUPS = ActionKind("configure_backups", BackupsParams, plan, apply, verify, rollback, __doc__ or "")
