"""Golden Block Kit: the dashboard, a phase, an approval request and the risk list as Slack receives them.

Built from fixed view data (pure rendering, no clock or ports), compared with tests/golden/*.json. After an
intended change, regenerate with `pytest tests/unit/test_golden_blocks.py --update-golden` and review the diff.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.actions import default_registry as default_actions
from bot.checks import default_registry
from bot.checks.base import CheckResult, State
from bot.plan.loader import load_plan
from bot.progress.measure import PhaseProgress, PlanProgress, TaskProgress
from bot.render.risks import render_risks
from bot.render.runs import RunView, render_run
from bot.render.status import render_phase, render_status
from bot.risks.base import RiskFinding, Severity
from bot.runs.records import Run, RunState
from bot.settings import BUNDLED_PLAN

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
        CheckResult(State.ATTESTED, 1.0, "attested by <@U0BOB> on 2026-11-29: walked through"),
    ]
    phases = tuple(PhaseProgress(p, tuple(TaskProgress(t, cycle[(i + j) % len(cycle)]) for j, t in enumerate(p.tasks)))
                   for i, p in enumerate(plan.phases))
    return PlanProgress(plan.name, phases, AT, {"cluster": "https://10.0.0.1:6443", "vault": "https://vault:8200"})


def approval_request() -> RunView:
    run = Run("r-7f3a", "restore-services", "scale_deployments", RunState.REQUESTED, "U0ALICE", AT,
              AT + timedelta(hours=24), AT, 2, "1fe8ac4bb2e8" + "0" * 52,
              {"changes": [["scale", "deployment data-platform/trino-worker", "0 → 2"],
                           ["scale", "deployment data-platform/superset", "0 → 1"]], "data": {}}, "C0CARBON", "1.0", {})
    return RunView(run, "Restore the 6 scaled-down services", [{"user": "U0BOB", "decision": "approve", "at": "",
                                                                 "reason": ""}], False)


CASES: dict[str, Any] = {
    "status": lambda: render_status(progress(), 13, {"p1": 0.25, "p2": -0.1}, "the last digest (2026-11-27)"),
    "phase_p2": lambda: render_phase(progress(), progress().phases[1]),
    "approval_request": lambda: render_run(approval_request()),
    "risks": lambda: render_risks([
        RiskFinding("no_automated_backups", Severity.CRITICAL, "velero", "No automated backups", "Velero has no Schedule"),
        RiskFinding("single_node", Severity.HIGH, "cluster", "Single-node cluster", "everything runs on carbon-node-1"),
    ], {}, AT),
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
