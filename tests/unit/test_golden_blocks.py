"""Golden Block Kit for every message type as Slack receives it: the dashboard, a phase, the tasks list, help,
the digest, the App Home, the risk list and a risk alert, the runs list, a run's message in each state, the
migration's approval request (its summary and impact), a page of the full plan's modal and a thread part.

Built from fixed view data (plain data, fixed clock and zone; pure rendering, no ports), compared with
tests/golden/*.json. After an intended change, regenerate with
`pytest tests/unit/test_golden_blocks.py --update-golden` and review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.actions import default_registry as default_actions
from bot.alerts.lifecycle import Alert
from bot.checks import default_registry
from bot.checks.base import CheckResult, State
from bot.digest.build import DigestView, TaskChange
from bot.plan.loader import load_plan
from bot.progress.measure import PhaseProgress, PlanProgress, TaskProgress
from bot.render.digest import render_digest
from bot.render.home import render_home
from bot.render.plan import plan_view, thread_parts
from bot.render.risks import render_alert, render_risks
from bot.render.runs import RunView, render_run, render_runs
from bot.render.status import render_help, render_phase, render_status, render_tasks
from bot.risks.base import RiskFinding, Severity
from bot.runs.model import Run, RunState
from bot.settings import BUNDLED_PLAN
from tests.fixtures.run_feed import Run as FeedRun

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
AT = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def progress() -> PlanProgress:
    """The bundled plan with a fixed, varied result per task (every state appears)."""
    plan = load_plan(BUNDLED_PLAN, default_registry(), default_actions())
    cycle = [
        CheckResult.measured(8, 8, "8/8 pods healthy"),
        CheckResult.measured(8, 9, "8/9 certificates Ready", ["data-platform/dolphinscheduler-tls: not Ready (Issuing)"]),
        CheckResult.measured(0, 6, "0/6 services at target replicas", [f"data-platform/svc-{i}: 0/1 ready" for i in range(8)]),
        CheckResult.unknown("the cluster denied list certificates (403 Forbidden)"),
        CheckResult(State.PENDING, 0.0, "awaiting attestation"),
        CheckResult(State.ATTESTED, 1.0, "attested by <@U0BOB> on 2026-11-29: walked through",
                    detail={"attested_by": "U0BOB", "day": "2026-11-29", "note": "walked through"}),
    ]
    phases = tuple(PhaseProgress(p, tuple(TaskProgress(t, cycle[(i + j) % len(cycle)]) for j, t in enumerate(p.tasks)))
                   for i, p in enumerate(plan.phases))
    return PlanProgress(plan.name, phases, AT, {"cluster": "https://10.0.0.1:6443", "vault": "https://vault:8200"})


PLAN_CHANGES = [["scale", "deployment data-platform/trino-worker", "0 → 2"],
                ["scale", "deployment data-platform/superset", "0 → 1"]]
DONE = ["scale deployment data-platform/trino-worker", "scale deployment data-platform/superset"]
BOB_APPROVED = {"user": "U0BOB", "decision": "approve", "at": "", "reason": ""}
CAROL_APPROVED = {"user": "U0CAROL", "decision": "approve", "at": "", "reason": ""}
CAROL_REJECTED = {"user": "U0CAROL", "decision": "reject", "at": "", "reason": "not during the freeze"}


def run(state: RunState, outcome: dict[str, Any] | None = None, updated: timedelta = timedelta(0)) -> Run:
    return Run("r-7f3a", "restore-services", "scale_deployments", state, "U0ALICE", AT, AT + timedelta(hours=24),
               AT + updated, 2, "1fe8ac4bb2e8" + "0" * 52, {"changes": PLAN_CHANGES, "data": {}}, "C0CARBON", "1.0",
               outcome or {})


def run_message(state: RunState, decisions: list[dict[str, str]], outcome: dict[str, Any] | None = None,
                can_roll_back: bool = True) -> list[dict[str, Any]]:
    return render_run(RunView(run(state, outcome, timedelta(minutes=12)), "Restore the 6 scaled-down services", decisions,
                              can_roll_back))


def approval_request() -> RunView:
    return RunView(run(RunState.REQUESTED), "Restore the 6 scaled-down services", [BOB_APPROVED], False)


CONFIGS = ("superset-config", "minio-config")
MIGRATION_CHANGES = [
    *[["write", f"secret/carbon/data-platform/{c}#PASSWORD", f"from configmap data-platform/{c}, hmac 4be1f07c92aa, cas v0"]
      for c in CONFIGS],
    ["create", "serviceaccount data-platform/carbon-secrets", ""],
    *[["create", f"externalsecret data-platform/{c}-vault", ""] for c in CONFIGS],
    *[["patch", f"deployment data-platform/{c.removesuffix('-config')}", f"pod template reads moved keys from {c}-vault"]
      for c in CONFIGS],
    *[["remove-key", f"configmap data-platform/{c}#PASSWORD", "last, after every rollout is healthy"] for c in CONFIGS],
]
MIGRATION_IMPACT = {
    "irreversible": [f"removes PASSWORD from configmap data-platform/{c} (last, after every rollout is healthy)"
                     for c in CONFIGS],
    "rolls": ["deployment data-platform/superset", "deployment data-platform/minio"],
    "sources": ["deployment data-platform/superset (superset): env PASSWORD ← secret superset-config-vault"],
    "warnings": ["deployment data-platform/portal reads PASSWORD in a way no secrets operator can deliver: copied to "
                 "Vault, kept in the ConfigMap"],
}


def migration_request() -> RunView:
    run = Run("r-53fc", "secrets-migration", "migrate_secrets", RunState.REQUESTED, "U0ALICE", AT, AT + timedelta(hours=24),
              AT, 2, "1c280b3a97f8" + "0" * 52, {"changes": MIGRATION_CHANGES, "data": {}, "impact": MIGRATION_IMPACT},
              "C0CARBON", "1.0", {})
    return RunView(run, "Credentials moved from ConfigMaps into Vault", [], False, UTC, ("S0PLATFORM", "U0BOB"))


RUN_STATES: dict[str, Any] = {
    "run_approved": lambda: run_message(RunState.APPROVED, [BOB_APPROVED, CAROL_APPROVED]),
    "run_running": lambda: run_message(RunState.RUNNING, [BOB_APPROVED, CAROL_APPROVED]),
    "run_succeeded": lambda: run_message(RunState.SUCCEEDED, [BOB_APPROVED, CAROL_APPROVED],
                                         {"done": DONE, "not_done": []}),
    "run_failed": lambda: run_message(RunState.FAILED, [BOB_APPROVED, CAROL_APPROVED],
                                      {"reason": "deployment data-platform/superset 0/1 ready", "done": DONE[:1],
                                       "not_done": DONE[1:]}),
    "run_rolled_back": lambda: run_message(RunState.ROLLED_BACK, [BOB_APPROVED, CAROL_APPROVED],
                                           {"reason": "rolled back by <@U0BOB>", "done": DONE, "not_done": []}),
    "run_rejected": lambda: run_message(RunState.REJECTED, [BOB_APPROVED, CAROL_REJECTED]),
    "run_expired": lambda: run_message(RunState.EXPIRED, [BOB_APPROVED]),
}

FINDINGS = [
    RiskFinding("no_automated_backups", Severity.CRITICAL, "velero", "No automated backups", "Velero has no Schedule"),
    RiskFinding("single_node", Severity.HIGH, "cluster", "Single-node cluster", "everything runs on carbon-node-1"),
    RiskFinding("docker_hub_images", Severity.MEDIUM, "data-platform/superset", "Images pulled from Docker Hub",
                "superset: apache/superset:3.0.1"),
]
FEED = [
    FeedRun("r-7f3a", "restore-services", "succeeded", "U0ALICE", ("U0BOB", "U0CAROL"), AT - timedelta(hours=3)),
    FeedRun("r-2b9c", "image-mirroring", "failed", "U0DAVE", ("U0BOB",), AT - timedelta(hours=20)),
]
PENDING = [FeedRun("r-5e1d", "secrets-migration", "requested", "U0ALICE", (), AT - timedelta(minutes=30))]


def digest() -> DigestView:
    view = progress()
    return DigestView(view, AT - timedelta(days=1), {p.phase.id: 0.5 for p in view.phases[:3]},
                      [TaskChange("cluster-health", "Pods healthy", "failing", "done"),
                       TaskChange("tls-certificates", "TLS for nine services", "done", "partial"),
                       TaskChange("secrets-migration", "Credentials in Vault", "failing", "partial")],
                      FEED, FINDINGS, [("restore-services", "Restore the 6 scaled-down services")])


def first_digest() -> DigestView:
    return DigestView(progress(), None, {}, [], [], [], [])


def alert(state: str, **extra: Any) -> Alert:
    return Alert("fp-velero", "no_automated_backups", "velero", "critical", "No automated backups",
                 "Velero has no Schedule", state, (AT - timedelta(days=2)).isoformat(), AT.isoformat(), **extra)


def runs_list() -> list[dict[str, Any]]:
    pending = Run("r-5e1d", "secrets-migration", "migrate_secrets", RunState.REQUESTED, "U0ALICE", AT,
                  AT + timedelta(hours=24), AT, 2, "9" * 64, {}, "C0CARBON", "2.0", {})
    runs = [run(RunState.SUCCEEDED, updated=timedelta(minutes=12)), pending]
    return render_runs(runs, {"restore-services": "Restore the 6 scaled-down services",
                              "secrets-migration": "Credentials in Vault"},
                       {"r-7f3a": ["U0BOB", "U0CAROL"]}, None, ZoneInfo("Europe/Berlin"))


HELP = [("status [phase]", "Progress of the plan, measured now; with a phase, each task's evidence.", ["status", "status p2"]),
        ("run <task-id>", "Request a run of a task's action; it waits for approval in the channel.", ["run restore-services"]),
        ("help", "Show every subcommand with what it does and an example.", [])]

CASES: dict[str, Any] = {
    "status": lambda: render_status(progress(), 13, {"p1": 0.25, "p2": -0.1}, "the last digest (2026-11-27)"),
    "phase_p2": lambda: render_phase(progress(), progress().phases[1]),
    "tasks": lambda: render_tasks(progress(), progress().phases, {"restore-services", "secrets-migration"},
                                  {"cluster-health": AT - timedelta(days=3)}),
    "help": lambda: render_help(HELP),
    "digest": lambda: render_digest(digest()),
    "digest_first": lambda: render_digest(first_digest()),
    "home": lambda: render_home(progress(), FINDINGS, PENDING, FEED),
    "home_without_runs": lambda: render_home(progress(), [], [], []),
    "risks": lambda: render_risks(FINDINGS[:2], {}, AT),
    "risk_alert": lambda: render_alert(alert("open"), AT),
    "risk_alert_acknowledged_and_snoozed": lambda: render_alert(
        alert("open", acked_by="U0CAROL", acked_at=AT.isoformat(), snoozed_by="U0BOB",
              snoozed_until=(AT + timedelta(hours=24)).isoformat()), AT, ZoneInfo("Europe/Berlin")),
    "risk_alert_resolved": lambda: render_alert(alert("resolved", resolved_at=AT.isoformat()), AT),
    "runs": runs_list,
    "approval_request": lambda: render_run(approval_request()),
    "approval_request_migration": lambda: render_run(migration_request()),
    "plan_page": lambda: [plan_view("r-53fc", "Credentials moved from ConfigMaps into Vault", MIGRATION_CHANGES,
                                    "1c280b3a97f8" + "0" * 52, 1, MIGRATION_IMPACT)],
    "plan_thread": lambda: thread_parts(MIGRATION_CHANGES, "1c280b3a97f8" + "0" * 52, MIGRATION_IMPACT)[0],
    **RUN_STATES,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_blocks_match_the_golden_file(name: str, request: pytest.FixtureRequest) -> None:
    blocks = CASES[name]()
    path = GOLDEN / f"{name}.json"
    rendered = json.dumps(blocks, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    if request.config.getoption("--update-golden"):
        path.write_text(rendered, encoding="utf-8")
    assert path.exists(), f"no golden file {path.name}: run pytest {__file__} --update-golden and review it"
    assert rendered == path.read_text(encoding="utf-8")
    assert len(blocks) <= 50 and all(len(json.dumps(b)) < 3500 for b in blocks)


def test_every_run_state_that_a_message_shows_has_a_golden_file() -> None:
    shown = {RunState.REQUESTED, *(RunState(name.removeprefix("run_")) for name in RUN_STATES)}
    assert shown >= {RunState.REQUESTED, RunState.APPROVED, RunState.RUNNING, RunState.SUCCEEDED, RunState.FAILED,
                     RunState.ROLLED_BACK, RunState.REJECTED, RunState.EXPIRED}
