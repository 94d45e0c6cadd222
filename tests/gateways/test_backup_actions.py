"""configure_backups and restore_drill called directly against the emulated API with Velero's stand-in: bounded waits
driven by an injected clock, Velero refusing a schedule or a backup midway, and what a rollback then undoes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot import messages
from bot.actions.backups import CONFIGURE_BACKUPS, BackupsParams
from bot.actions.base import ActionContext
from bot.actions.restore_drill import RESTORE_DRILL, RestoreDrillParams
from bot.cluster.gateway import ClusterGateway
from bot.errors import UserError
from bot.local.demo.velero import VeleroStandIn
from bot.local.emulator import KubeEmulator

NS = "velero"


class FakeTime:
    def __init__(self) -> None:
        self.now, self.slept = 0.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def world() -> Iterator[tuple[KubeEmulator, VeleroStandIn, ClusterGateway]]:
    with KubeEmulator() as emu:
        emu.add_all([{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop"}},
                     {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings", "namespace": "shop"}}])
        yield emu, VeleroStandIn(emu).install(), ClusterGateway(emu.api_client())


def context(kube: ClusterGateway, time: FakeTime, applied: frozenset[str] = frozenset()) -> ActionContext:
    return ActionContext(kube, None, monotonic=time.monotonic, sleep=time.sleep, applied=applied)


def backups(wait_s: float = 10, **schedule: Any) -> BackupsParams:
    return BackupsParams.model_validate({"schedules": [{"name": "daily", "namespaces": ["shop"], **schedule}],
                                         "wait_s": wait_s})


def test_a_backup_that_never_finishes_fails_after_the_bounded_wait_and_the_rollback_undoes_the_run(world: Any) -> None:
    emu, velero, kube = world
    time, params = FakeTime(), backups(wait_s=10)
    planned = CONFIGURE_BACKUPS.plan(params, context(kube, time))
    velero.hold()  # Velero accepts the backup and never finishes it
    ctx = context(kube, time)
    with pytest.raises(UserError) as failed:
        CONFIGURE_BACKUPS.apply(params, planned, ctx)
    assert str(failed.value) == messages.not_finished_in_time("backup velero/daily-carbon-1", "InProgress", 10)
    assert sum(time.slept) == 10 and max(time.slept) <= 2  # polled every 2 s, up to wait_s, by the injected clock
    assert ctx.done == ["create schedule velero/daily", "create backup velero/daily-carbon-1"]
    velero.release()
    CONFIGURE_BACKUPS.rollback(params, planned, context(kube, time, frozenset(ctx.done)))  # type: ignore[misc]
    assert emu.list("schedules", NS) == [] and emu.list("backups", NS) == []


def test_a_backup_velero_refuses_fails_the_run_with_velero_s_reason(world: Any) -> None:
    emu, _, kube = world
    time, params = FakeTime(), backups()
    planned = CONFIGURE_BACKUPS.plan(params, context(kube, time))
    location = emu.get("backupstoragelocations", "default", NS)
    location["status"]["phase"] = "Unavailable"  # the bucket went away between the plan and the backup
    emu.add(location)
    with pytest.raises(UserError, match=r"backup velero/daily-carbon-1 ended FailedValidation: .*Unavailable"):
        CONFIGURE_BACKUPS.apply(params, planned, context(kube, time))


def test_a_schedule_velero_rejects_fails_the_run_and_only_what_it_applied_is_undone(world: Any) -> None:
    emu, _, kube = world
    # someone's existing schedule with a spec the plan changes: the run updates it; Velero then rejects it
    emu.add({"apiVersion": "velero.io/v1", "kind": "Schedule", "metadata": {"name": "daily", "namespace": NS},
             "spec": {"schedule": "not a cron", "template": {"includedNamespaces": ["shop"]}}})
    assert emu.get("schedules", "daily", NS)["status"]["phase"] == "FailedValidation"
    time, params = FakeTime(), backups(schedule="@daily")
    planned = CONFIGURE_BACKUPS.plan(params, context(kube, time))
    assert [c.key for c in planned.changes] == ["update schedule velero/daily", "create backup velero/daily-carbon-1"]
    ctx = context(kube, time)
    CONFIGURE_BACKUPS.apply(params, planned, ctx)
    assert emu.get("schedules", "daily", NS)["status"]["phase"] == "Enabled"
    assert CONFIGURE_BACKUPS.verify(params, planned, ctx) == []
    CONFIGURE_BACKUPS.rollback(params, planned, context(kube, time, frozenset(ctx.done)))  # type: ignore[misc]
    back = emu.get("schedules", "daily", NS)
    assert back["spec"]["schedule"] == "not a cron" and back["status"]["phase"] == "FailedValidation"  # as it was
    assert emu.get("backups", "daily-carbon-1", NS) is None


def test_a_restore_that_never_finishes_still_deletes_the_scratch_namespace(world: Any) -> None:
    emu, velero, kube = world
    time = FakeTime()
    CONFIGURE_BACKUPS.apply(backups(), CONFIGURE_BACKUPS.plan(backups(), context(kube, time)), context(kube, time))
    drill = RestoreDrillParams(namespaces=("shop",), wait_s=6)
    planned = RESTORE_DRILL.plan(drill, context(kube, time))
    scratch = planned.data["scratch"]["shop"]
    velero.hold()
    said: list[str] = []
    ctx = ActionContext(kube, None, report=said.append, monotonic=time.monotonic, sleep=time.sleep)
    with pytest.raises(UserError, match="still InProgress after 6 s"):
        RESTORE_DRILL.apply(drill, planned, ctx)
    assert emu.get("namespaces", scratch) is None and ctx.done[-1] == f"delete namespace {scratch}"
    assert emu.get("restores", planned.data["restore"], NS)["status"]["phase"] == "InProgress"
    assert said[-1] == messages.drill_restore_still_running(NS, planned.data["restore"])


def test_a_drill_passes_once_per_backup(world: Any) -> None:
    emu, _, kube = world
    time = FakeTime()
    CONFIGURE_BACKUPS.apply(backups(), CONFIGURE_BACKUPS.plan(backups(), context(kube, time)), context(kube, time))
    drill = RestoreDrillParams(namespaces=("shop",), kinds=("configmaps", "serviceaccounts"))
    planned = RESTORE_DRILL.plan(drill, context(kube, time))
    ctx = context(kube, time)
    RESTORE_DRILL.apply(drill, planned, ctx)
    assert RESTORE_DRILL.verify(drill, planned, ctx) == []
    verdict = emu.get("restores", planned.data["restore"], NS)["metadata"]["annotations"]["carbon.254carbon.com/drill-result"]
    assert verdict == messages.drill_result(True, 1, 1)  # ConfigMap settings (no ServiceAccount controller here)
    assert RESTORE_DRILL.plan(drill, context(kube, time)).empty  # this backup's drill passed: nothing to change


def test_a_drill_deletes_only_a_namespace_still_labelled_as_its_own(world: Any) -> None:
    emu, velero, kube = world
    time = FakeTime()
    CONFIGURE_BACKUPS.apply(backups(), CONFIGURE_BACKUPS.plan(backups(), context(kube, time)), context(kube, time))
    drill = RestoreDrillParams(namespaces=("shop",), wait_s=4)
    planned = RESTORE_DRILL.plan(drill, context(kube, time))
    scratch = planned.data["scratch"]["shop"]
    velero.hold()

    def someone_takes_it_over(seconds: float) -> None:  # while the drill waits, the namespace is relabelled
        time.sleep(seconds)
        kube.patch("namespaces", scratch, None, {"metadata": {"labels": {"carbon.254carbon.com/drill": None}}})

    ctx = ActionContext(kube, None, monotonic=time.monotonic, sleep=someone_takes_it_over)
    with pytest.raises(UserError):
        RESTORE_DRILL.apply(drill, planned, ctx)
    assert emu.get("namespaces", scratch) is not None and f"delete namespace {scratch}" not in ctx.done
