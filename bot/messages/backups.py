"""What the backup actions tell approvers and the run's thread: Velero's prerequisites, the drill's findings."""

from __future__ import annotations


def velero_not_installed(namespace: str) -> str:
    return (f"Velero is not installed: the cluster does not serve velero.io schedules, backups and restores (or there "
            f"is no `{namespace}` namespace). Install Velero (`velero install` with a bucket) first")


def storage_location_unavailable(namespace: str, name: str, phase: str | None) -> str:
    state = "does not exist" if phase is None else f"is {phase or 'not validated yet'}, not Available"
    return (f"Velero's backup storage location {namespace}/{name} {state}: backups would fail. Check it with "
            f"`velero backup-location get` (bucket, region, credentials), then run this again")


def namespace_not_found_warning(namespace: str) -> str:
    return f"namespace {namespace} does not exist (yet): backups hold nothing from it until it does"


def schedule_invalid(namespace: str, name: str, errors: list[str]) -> str:
    return f"Velero refused schedule {namespace}/{name}: {'; '.join(errors) or 'FailedValidation'}"


def not_finished_in_time(what: str, phase: str, wait_s: float) -> str:
    return (f"{what} is still {phase or 'New'} after {wait_s:g} s: is Velero running? (`velero backup describe`, "
            f"`kubectl -n velero logs deploy/velero`)")


def velero_object_failed(what: str, phase: str, reasons: list[str]) -> str:
    return f"{what} ended {phase}" + (f": {'; '.join(reasons[:3])}" if reasons else "")


def no_completed_backup(namespace: str, schedule: str | None, namespaces: list[str]) -> str:
    of = f"of schedule {namespace}/{schedule} " if schedule else ""
    return (f"no Completed Velero backup {of}holds {', '.join(namespaces)}: there is nothing to restore yet. Run "
            f"`velero-schedules` (configure_backups) first, or wait for the schedule's next backup")


def scratch_namespace_taken(namespace: str) -> str:
    return (f"namespace {namespace} already exists: a restore drill restores only into a namespace of its own. "
            f"Delete it (it is left from an earlier drill) or run the drill again later")


def drill_runs_workloads(scratch: str) -> str:
    return (f"restored Deployments and StatefulSets start pods in {scratch} until it is deleted; they read the "
            f"restored configuration, so they may reach the same databases and services as the originals")


def drill_record_kept(namespace: str, restore: str) -> str:
    return (f"restore {namespace}/{restore} is kept as the drill's record (what `restore-tested` measures); the "
            f"scratch namespace is deleted after the comparison, also when the drill fails")


def drill_compared(kind: str, restored: int, expected: int, missing: list[str]) -> str:
    icon = ":white_check_mark:" if not missing else ":x:"
    gone = f"; missing: {', '.join(missing[:10])}" + (" …" if len(missing) > 10 else "") if missing else ""
    return f"{icon} {kind}: {restored}/{expected} restored{gone}"


def drill_mismatch(missing: list[str]) -> str:
    return (f"the restore is missing {len(missing)} object(s) that were in the backup: {', '.join(missing[:5])}"
            + (" …" if len(missing) > 5 else ""))


def drill_result(passed: bool, restored: int, expected: int) -> str:
    return f"{'passed' if passed else 'failed'}: {restored}/{expected} objects restored"


def drill_restore_still_running(namespace: str, restore: str) -> str:
    return (f":warning: Velero is still running restore {namespace}/{restore} (a restore cannot be cancelled): if it "
            f"recreates the scratch namespace, delete that namespace once `velero restore describe {restore}` "
            f"shows it finished")


def backup_deletion_asked(namespace: str, backup: str, restores: int) -> str:
    """Velero deletes the restores made from a backup with it: a drill's record among them, so say so."""
    made = (f", and the {restores} restore(s) made from it (a restore drill's record goes with them: "
            f"`restore-tested` needs a new drill)") if restores else ""
    return f":leftwards_arrow_with_hook: asked Velero to delete backup {namespace}/{backup}{made}"
