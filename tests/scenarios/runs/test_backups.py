"""The bundled plan's backup tasks on the demo platform with Velero's stand-in: schedules configured and proven by a
backup, a restore drill into a scratch namespace compared with the source, the risks they resolve, refusals that
change nothing, rollback of exactly what a run made, and no credential value in Slack, the logs or the store."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.errors import UserError
from bot.local.demo.velero import VeleroStandIn
from bot.local.emulator import KubeEmulator
from bot.runs.planning import compute_plan
from bot.runs.records import list_runs
from tests.fixtures.bot import Carbon
from tests.fixtures.runs import click, request, state, thread

CANARY = "canary-61f0-backup-secret"


@pytest.fixture
def velero(live_platform: KubeEmulator) -> VeleroStandIn:
    return VeleroStandIn(live_platform).install()


@pytest.fixture
def bot(make_carbon: Any, live_platform: KubeEmulator, velero: VeleroStandIn) -> Carbon:
    live_platform.add({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "canary", "namespace": "data-platform"},
                       "data": {"TOKEN": base64.b64encode(CANARY.encode()).decode()}})
    live_platform.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "canary-config",
                                                                             "namespace": "data-platform"},
                       "data": {"CANARY_PASSWORD": CANARY}})
    carbon: Carbon = make_carbon(live_platform)
    return carbon


def run(carbon: Carbon, task_id: str) -> Any:
    found = request(carbon, task_id)
    click(carbon, "carbon.approve", found, "U0BOB")
    return found


def findings(carbon: Carbon) -> set[str]:
    return {f.rule for f in carbon.services.meter.scan_risks()}


def test_schedules_then_a_drill_make_phase_5_done_and_resolve_the_backup_risks(
        bot: Carbon, live_platform: KubeEmulator, tmp_path: Path, capsys: Any, caplog: Any) -> None:
    before_risks = findings(bot)
    scheduled = request(bot, "velero-schedules")
    assert [c[:2] for c in scheduled.plan["changes"]] == [["create", "schedule velero/platform-daily"],
                                                         ["create", "backup velero/platform-daily-carbon-1"]]
    click(bot, "carbon.approve", scheduled, "U0BOB")
    assert state(bot, scheduled) == "succeeded", thread(bot, scheduled)
    assert live_platform.get("schedules", "platform-daily", "velero")["status"]["phase"] == "Enabled"
    backup = live_platform.get("backups", "platform-daily-carbon-1", "velero")
    assert backup["status"]["phase"] == "Completed"
    assert backup["spec"]["includedNamespaces"][0] == "data-platform"
    assert backup["metadata"]["labels"]["velero.io/schedule-name"] == "platform-daily"

    bot.slash("run velero-schedules")  # idempotent: the schedule is as planned and has a completed backup
    assert bot.last_answer().get("text") == messages.nothing_to_change("velero-schedules")

    drill = request(bot, "restore-tested")
    changes = [c[:2] for c in drill.plan["changes"]]
    scratch = drill.plan["data"]["scratch"]["data-platform"]
    assert scratch.startswith("carbon-drill-") and changes == [
        ["create", f"namespace {scratch}"], ["restore", "backup velero/platform-daily-carbon-1"],
        ["compare", "namespace data-platform"], ["delete", f"namespace {scratch}"]]
    assert drill.plan["impact"]["irreversible"] == [messages.drill_record_kept("velero", drill.plan["data"]["restore"])]
    click(bot, "carbon.approve", drill, "U0BOB")
    assert state(bot, drill) == "succeeded", thread(bot, drill)
    said = "\n".join(thread(bot, drill))
    deployments = len(live_platform.list("deployments", "data-platform"))
    assert messages.drill_compared("deployments of data-platform", deployments, deployments, []) in said
    restore = live_platform.get("restores", drill.plan["data"]["restore"], "velero")
    assert restore["status"]["phase"] == "Completed"
    assert restore["metadata"]["annotations"]["carbon.254carbon.com/drill-result"].startswith("passed: ")
    assert restore["spec"]["namespaceMapping"] == {"data-platform": scratch}
    assert live_platform.get("namespaces", scratch) is None  # the scratch namespace is gone, with what was restored

    assert {"no_automated_backups", "restore_untested"} <= before_risks
    view = bot.services.meter.measure()
    for task_id in ("velero-schedules", "recent-backup", "restore-tested"):
        assert view.task(task_id).result.state.value == "done", task_id  # type: ignore[union-attr]
    assert not {"no_automated_backups", "restore_untested"} & findings(bot)
    bot.slash("run restore-tested")  # the latest backup's drill passed: nothing to do until the next backup
    assert bot.last_answer().get("text") == messages.nothing_to_change("restore-tested")

    shown = json.dumps([call.params for call in bot.slack.calls], ensure_ascii=False)
    out = capsys.readouterr()
    bot.services.store.close()
    stored = b"".join(path.read_bytes() for path in tmp_path.glob("carbon.db*"))
    assert stored and CANARY not in shown and CANARY not in out.out + out.err + caplog.text
    assert CANARY.encode() not in stored and base64.b64encode(CANARY.encode()) not in stored


def test_without_velero_or_its_storage_the_plan_is_refused_and_nothing_changes(make_carbon: Any,
                                                                                live_platform: KubeEmulator) -> None:
    carbon = make_carbon(live_platform)
    live_platform.uninstall_resource("schedules")
    carbon.slash("run velero-schedules")
    assert messages.velero_not_installed("velero") in carbon.last_answer()["text"]
    with pytest.raises(UserError, match="Velero is not installed"):
        compute_plan(carbon.services.runs, "restore-tested", "restore_drill")


def test_an_unavailable_storage_location_refuses_the_schedule(make_carbon: Any, live_platform: KubeEmulator) -> None:
    VeleroStandIn(live_platform, storage_available=False).install()
    carbon = make_carbon(live_platform)
    carbon.slash("run velero-schedules")
    assert messages.storage_location_unavailable("velero", "default", "Unavailable") in carbon.last_answer()["text"]
    assert live_platform.list("schedules", "velero") == []
    with pytest.raises(UserError) as refused:
        compute_plan(carbon.services.runs, "restore-tested", "restore_drill")
    assert str(refused.value) == messages.no_completed_backup("velero", "platform-daily", ["data-platform"])


def test_a_rollback_deletes_the_schedule_and_the_backup_this_run_made(bot: Carbon, live_platform: KubeEmulator,
                                                                      velero: VeleroStandIn) -> None:
    live_platform.add({"apiVersion": "velero.io/v1", "kind": "Schedule",
                       "metadata": {"name": "someone-elses", "namespace": "velero"},
                       "spec": {"schedule": "@daily", "template": {"includedNamespaces": ["monitoring"]}}})
    theirs = velero.trigger("someone-elses")["metadata"]["name"]
    done = run(bot, "velero-schedules")
    assert state(bot, done) == "succeeded"
    bot.slash(f"rollback {done.id}", user="U0BOB")
    assert state(bot, done) == "rolled_back", thread(bot, done)
    assert live_platform.get("schedules", "platform-daily", "velero") is None
    assert live_platform.get("backups", "platform-daily-carbon-1", "velero") is None
    assert "platform-daily-carbon-1" not in velero.contents  # Velero deleted its data too
    assert live_platform.get("schedules", "someone-elses", "velero") is not None
    assert live_platform.get("backups", theirs, "velero")["status"]["phase"] == "Completed"


def test_a_drill_missing_an_object_fails_and_still_deletes_its_scratch_namespace(bot: Carbon,
                                                                                live_platform: KubeEmulator) -> None:
    assert state(bot, run(bot, "velero-schedules")) == "succeeded"
    # an object the backup should have held (it existed before the backup started) but did not
    live_platform.add({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "lost-in-backup", "namespace": "data-platform", "creationTimestamp": "2020-01-01T00:00:00Z"}, "data": {}})
    drill = run(bot, "restore-tested")
    assert state(bot, drill) == "failed"
    said = "\n".join(thread(bot, drill))
    assert messages.drill_mismatch(["configmap data-platform/lost-in-backup"]) in said
    scratch = drill.plan["data"]["scratch"]["data-platform"]
    assert live_platform.get("namespaces", scratch) is None
    restore = live_platform.get("restores", drill.plan["data"]["restore"], "velero")
    assert restore["metadata"]["annotations"]["carbon.254carbon.com/drill-result"].startswith("failed: ")
    again = request(bot, "restore-tested")  # a failed drill is tried again, in a namespace of its own
    assert again.plan["data"]["scratch"]["data-platform"] != scratch


def test_a_drill_refuses_a_scratch_namespace_that_exists(bot: Carbon, live_platform: KubeEmulator) -> None:
    assert state(bot, run(bot, "velero-schedules")) == "succeeded"
    planned = compute_plan(bot.services.runs, "restore-tested", "restore_drill")
    taken = planned.data["scratch"]["data-platform"]
    live_platform.add({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": taken}})
    bot.slash("run restore-tested")
    assert messages.scratch_namespace_taken(taken) in bot.last_answer()["text"]
    assert live_platform.list("restores", "velero") == []


def test_rolling_back_the_schedules_takes_the_drill_record_with_the_backup_and_the_next_backup_is_drilled_anew(
        bot: Carbon, live_platform: KubeEmulator) -> None:
    """Velero deletes the restores made from a backup it deletes: after the schedules' rollback the drill no longer
    counts, and the backup the schedules take again (under the same name) is drilled, not taken as already tested."""
    scheduled = run(bot, "velero-schedules")
    drill = run(bot, "restore-tested")
    assert state(bot, scheduled) == state(bot, drill) == "succeeded"
    bot.slash(f"rollback {drill.id}", user="U0BOB")  # a drill has nothing to undo, and the answer says so
    assert bot.last_answer()["text"] == messages.no_rollback(drill.id, "restore_drill")
    assert state(bot, drill) == "succeeded"
    bot.slash(f"rollback {scheduled.id}", user="U0BOB")
    assert state(bot, scheduled) == "rolled_back", thread(bot, scheduled)
    assert live_platform.list("restores", "velero") == []
    assert messages.backup_deletion_asked("velero", "platform-daily-carbon-1", 1) in thread(bot, scheduled)[-2]
    view = bot.services.meter.measure()
    assert view.task("restore-tested").result.state.value != "done"  # type: ignore[union-attr]
    assert "restore_untested" in findings(bot)

    assert state(bot, run(bot, "velero-schedules")) == "succeeded"
    again = run(bot, "restore-tested")
    assert again.id != drill.id and again.plan["data"]["backup"] == "platform-daily-carbon-1"
    assert state(bot, again) == "succeeded", thread(bot, again)
    assert bot.services.meter.measure().task("restore-tested").result.state.value == "done"  # type: ignore[union-attr]


def test_a_drill_asked_for_before_any_backup_names_the_task_that_makes_one(bot: Carbon,
                                                                           live_platform: KubeEmulator) -> None:
    """restore-tested needs recent-backup, which has no action: the answer points at velero-schedules, whose run
    takes the backup, rather than at `/carbon run recent-backup` (which would only say it is measured only)."""
    bot.slash("run restore-tested")
    assert bot.last_answer()["text"] == messages.needs_not_done("restore-tested", ["recent-backup"],
                                                                ("run", "velero-schedules"))
    assert live_platform.list("restores", "velero") == [] and list_runs(bot.services.store) == []
