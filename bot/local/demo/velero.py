"""The demo's stand-in for Velero: Schedules validated, Backups taken, Restores made, by Velero's API shape.

A stand-in, not Velero: it keeps a backup's contents in memory (Velero writes a tarball to object storage), does
not run the cron (call `trigger(schedule)` where the cron would fire; a new Schedule takes no immediate backup, as
Velero's `skipImmediately: true`), and copies objects of the kinds in `KINDS` only (no volumes, no pods or other
objects a controller owns: those come back from their owners, as with Velero). What it does, it does as Velero does:
- `install()` serves the CRDs with a BackupStorageLocation `default` in phase Available (as `velero install` with a
  reachable bucket does; `storage_available=False` leaves it Unavailable).
- A Schedule gets `status.phase` Enabled, or FailedValidation with `validationErrors` for a bad cron `schedule`.
- A Backup (from `trigger()`, or created by a client, e.g. `velero backup create --from-schedule`) records the
  objects of its included namespaces and goes New → InProgress → Completed with `startTimestamp`,
  `completionTimestamp`, `expiration` (start + `ttl`) and `progress.itemsBackedUp`; FailedValidation when its
  storage location is missing or not Available.
- A Restore of a Completed backup recreates its objects (minus server-set metadata, labelled
  `velero.io/backup-name` / `velero.io/restore-name`) in the namespaces `namespaceMapping` names, skipping what
  exists (a warning), and goes Completed (PartiallyFailed when a create fails) with `progress.itemsRestored`;
  FailedValidation with `validationErrors` when the backup is missing or not Completed.
- A DeleteBackupRequest deletes the Restores made from the Backup, the Backup and its contents (`velero backup
  delete`, as Velero's backup deletion controller does), then itself.
`hold()` leaves new Backups and Restores InProgress until `release()`, for tests of a bounded wait.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.local.emulator import KubeEmulator
from bot.local.emulator.errors import ApiError
from bot.local.emulator.store import Change
from bot.settings.cron import cron_trigger

Obj = dict[str, Any]
GROUP = "velero.io"
NAMESPACE = "velero"
SCHEDULE_LABEL = "velero.io/schedule-name"
KINDS = ("configmaps", "secrets", "serviceaccounts", "services", "deployments", "statefulsets", "daemonsets")
DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
DONE = ("Completed", "PartiallyFailed", "Failed", "FailedValidation")
SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "generation", "managedFields", "ownerReferences",
              "deletionTimestamp", "selfLink")


def schedule_problem(expr: str) -> str | None:
    """Why Velero would refuse this cron `schedule` (its parser takes five fields or a descriptor), or None."""
    text = expr.strip()
    if text in DESCRIPTORS or (text.startswith("@every ") and parse_duration(text.removeprefix("@every ")) is not None):
        return None
    try:
        cron_trigger(text, UTC)
    except (ValueError, TypeError) as exc:
        return f"invalid schedule {expr!r}: {exc}"
    return None


def parse_duration(text: str) -> timedelta | None:
    """A Go duration as Velero's `ttl` is written (`720h0m0s`, `24h`, `90m`), or None."""
    total, number, seen = 0.0, "", False
    units = {"h": 3600, "m": 60, "s": 1}
    for char in text.strip():
        if char.isdigit() or char == ".":
            number += char
        elif char in units and number:
            total, number, seen = total + float(number) * units[char], "", True
        else:
            return None
    return timedelta(seconds=total) if seen and not number else None


def stamp(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class VeleroStandIn:
    def __init__(self, emulator: KubeEmulator, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC),
                 storage_available: bool = True) -> None:
        self.emulator, self.client, self.clock = emulator, emulator.client, clock
        self.storage_available = storage_available
        self.contents: dict[str, list[tuple[str, Obj]]] = {}  # backup name -> (plural, object) as backed up
        self.held = False

    def install(self) -> VeleroStandIn:
        """The velero namespace, a `default` BackupStorageLocation, and the controller (existing objects included)."""
        self.emulator.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        self.emulator.add({"apiVersion": f"{GROUP}/v1", "kind": "BackupStorageLocation",
                           "metadata": {"name": "default", "namespace": NAMESPACE},
                           "spec": {"provider": "aws", "default": True,
                                    "objectStorage": {"bucket": "carbon-demo-backups"}},
                           "status": {"phase": "Available" if self.storage_available else "Unavailable",
                                      "lastValidationTime": stamp(self.clock())}})
        self.emulator.add_controller(self)
        return self

    def trigger(self, schedule: str, namespace: str = NAMESPACE) -> Obj:
        """The schedule's cron fires now: a Backup `<schedule>-<yyyymmddhhmmss>` from its template."""
        with self.emulator.store.lock:
            found = self.client.get("schedules", namespace, schedule)
            if found is None:
                raise KeyError(f"schedule {namespace}/{schedule} not found")
            now = self.clock()
            name = f"{schedule}-{now.astimezone(UTC).strftime('%Y%m%d%H%M%S')}"
            body = {"apiVersion": f"{GROUP}/v1", "kind": "Backup",
                    "metadata": {"name": name, "namespace": namespace, "labels": {SCHEDULE_LABEL: schedule}},
                    "spec": copy.deepcopy((found.get("spec") or {}).get("template") or {})}
            created = self.client.create("backups", namespace, body)
            self.client.update_status("schedules", found, {**(found.get("status") or {}), "lastBackup": stamp(now)})
            self.emulator.settle()
            return self.client.get("backups", namespace, name) or created

    def hold(self) -> None:
        self.held = True

    def release(self) -> None:
        """Let held Backups and Restores run now."""
        with self.emulator.store.lock:
            self.held = False
            for plural in ("backups", "restores"):
                for obj in self.client.list(plural):
                    self.reconcile((plural, obj["metadata"]["namespace"], obj["metadata"]["name"]))
            self.emulator.settle()

    # -- the controller ------------------------------------------------------------------------------------------
    def wants(self, change: Change) -> Iterable[Hashable]:
        plural = change.resource.removesuffix(f".{GROUP}")
        if plural == change.resource or change.type == "DELETED":
            return []
        if plural in ("schedules", "backups", "restores", "deletebackuprequests"):
            return [(plural, change.obj["metadata"]["namespace"], change.obj["metadata"]["name"])]
        return []

    def reconcile(self, key: Hashable) -> None:
        plural, namespace, name = key  # type: ignore[misc]
        obj = self.client.get(plural, namespace, name)
        if obj is None:
            return
        {"schedules": self._schedule, "backups": self._backup, "restores": self._restore,
         "deletebackuprequests": self._delete_backup}[plural](obj)

    def _schedule(self, schedule: Obj) -> None:
        problem = schedule_problem(str((schedule.get("spec") or {}).get("schedule") or ""))
        status = dict(schedule.get("status") or {})
        status.pop("validationErrors", None)
        status["phase"] = "FailedValidation" if problem else "Enabled"
        if problem:
            status["validationErrors"] = [problem]
        self.client.update_status("schedules", schedule, status)

    def _location_problem(self, name: str) -> str | None:
        location = self.client.get("backupstoragelocations", NAMESPACE, name)
        if location is None:
            return f'an existing backup storage location was not specified and the default "{name}" was not found'
        phase = (location.get("status") or {}).get("phase")
        return None if phase == "Available" else f'backup storage location "{name}" is {phase or "not validated"}'

    def _backup(self, backup: Obj) -> None:
        status = dict(backup.get("status") or {})
        if status.get("phase") in DONE or (self.held and status.get("phase") == "InProgress"):
            return
        spec, now = backup.get("spec") or {}, self.clock()
        problem = self._location_problem(spec.get("storageLocation") or "default")
        if problem:
            self.client.update_status("backups", backup, {"phase": "FailedValidation", "validationErrors": [problem]})
            return
        ttl = parse_duration(str(spec.get("ttl") or "720h0m0s")) or timedelta(days=30)
        status = {"phase": "InProgress", "startTimestamp": status.get("startTimestamp") or stamp(now),
                  "expiration": stamp(now + ttl),
                  "version": 1, "formatVersion": "1.1.0"}
        backup = self.client.update_status("backups", backup, status)
        if self.held:
            return
        items = self._collect(spec)
        self.contents[backup["metadata"]["name"]] = items
        self.client.update_status("backups", backup, {
            **status, "phase": "Completed", "completionTimestamp": stamp(self.clock()),
            "progress": {"totalItems": len(items), "itemsBackedUp": len(items)}})

    def _collect(self, spec: Obj) -> list[tuple[str, Obj]]:
        included = set(spec.get("includedNamespaces") or ["*"])
        excluded = set(spec.get("excludedNamespaces") or [])
        kinds = set(spec.get("includedResources") or KINDS)
        items = []
        for plural in KINDS:
            if plural not in kinds:
                continue
            for obj in self.client.list(plural):
                ns = obj["metadata"].get("namespace", "")
                owned = any(ref.get("controller") for ref in obj["metadata"].get("ownerReferences") or [])
                if ("*" in included or ns in included) and ns not in excluded and not owned:
                    items.append((plural, copy.deepcopy(obj)))
        return items

    def _restore(self, restore: Obj) -> None:
        status = dict(restore.get("status") or {})
        if status.get("phase") in DONE or (self.held and status.get("phase") == "InProgress"):
            return
        spec = restore.get("spec") or {}
        backup_name = str(spec.get("backupName") or "")
        backup = self.client.get("backups", restore["metadata"]["namespace"], backup_name)
        if backup is None or backup_name not in self.contents:
            problem = f"backup {backup_name!r} not found" if backup is None else \
                f"backup {backup_name!r} has no contents in the backup storage location"
            self.client.update_status("restores", restore, {"phase": "FailedValidation", "validationErrors": [problem]})
            return
        if (backup.get("status") or {}).get("phase") != "Completed":
            problem = f"backup {backup_name!r} is not in phase Completed"
            self.client.update_status("restores", restore, {"phase": "FailedValidation", "validationErrors": [problem]})
            return
        status = {"phase": "InProgress", "startTimestamp": status.get("startTimestamp") or stamp(self.clock())}
        restore = self.client.update_status("restores", restore, status)
        if self.held:
            return
        restored, warnings, errors = self._recreate(restore, backup_name, spec)
        total = restored + warnings + len(errors)
        self.client.update_status("restores", restore, {
            **status, "phase": "PartiallyFailed" if errors else "Completed", "completionTimestamp": stamp(self.clock()),
            "warnings": warnings, "errors": len(errors), "progress": {"totalItems": total, "itemsRestored": restored},
            **({"failureReason": "; ".join(errors[:5])} if errors else {})})

    def _recreate(self, restore: Obj, backup_name: str, spec: Obj) -> tuple[int, int, list[str]]:
        included = set(spec.get("includedNamespaces") or ["*"])
        mapping: dict[str, str] = dict(spec.get("namespaceMapping") or {})
        restored, warnings, errors = 0, 0, []
        for plural, source in self.contents[backup_name]:
            ns = source["metadata"].get("namespace", "")
            if "*" not in included and ns not in included:
                continue
            target = mapping.get(ns, ns)
            if self.client.get("namespaces", None, target) is None:
                self.client.create("namespaces", None, {"apiVersion": "v1", "kind": "Namespace",
                                                        "metadata": {"name": target}})
            if self.client.get(plural, target, source["metadata"]["name"]) is not None:
                warnings += 1  # Velero leaves an existing object alone and says so
                continue
            body = _restorable(plural, source, target, backup_name, restore["metadata"]["name"])
            try:
                self.client.create(plural, target, body)
                restored += 1
            except ApiError as exc:
                errors.append(f"{plural} {target}/{source['metadata']['name']}: {exc.code}")
        return restored, warnings, errors

    def _delete_backup(self, request: Obj) -> None:
        if (request.get("status") or {}).get("phase") == "Processed":
            return
        name, namespace = str((request.get("spec") or {}).get("backupName") or ""), request["metadata"]["namespace"]
        for restore in self.client.list("restores", namespace):  # Velero deletes the restores made from it first
            if (restore.get("spec") or {}).get("backupName") == name:
                self.client.delete("restores", restore)
        backup = self.client.get("backups", namespace, name)
        if backup is not None:
            self.client.delete("backups", backup)
        self.contents.pop(name, None)
        done = self.client.update_status("deletebackuprequests", request, {"phase": "Processed"})
        self.client.delete("deletebackuprequests", done)


def _restorable(plural: str, source: Obj, namespace: str, backup: str, restore: str) -> Obj:
    """The backed-up object as Velero recreates it: server-set metadata dropped, status and cluster IPs reset."""
    body = copy.deepcopy(source)
    meta = body["metadata"]
    for field in SERVER_SET:
        meta.pop(field, None)
    meta["namespace"] = namespace
    meta["labels"] = {**(meta.get("labels") or {}), "velero.io/backup-name": backup, "velero.io/restore-name": restore}
    body.pop("status", None)
    if plural == "services":
        for field in ("clusterIP", "clusterIPs"):
            (body.get("spec") or {}).pop(field, None)
    return body
