"""Property: whatever the plan file holds, the loader answers with a clear PlanError or a plan that serves:
it measures (no cluster, no Vault: unknown states), takes an attestation on every manual task, and renders
the dashboard, every phase, the task list and the App Home without an exception or a `nan`."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.actions import default_registry as default_actions
from bot.checks import default_registry
from bot.plan.loader import PlanError, load_plan, parse_plan
from bot.plan.model import Plan
from bot.progress import attestations
from bot.progress.meter import ProgressMeter
from bot.render.home import render_home
from bot.render.status import render_phase, render_status, render_tasks
from bot.store.store import Store

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

WILD = st.one_of(st.sampled_from([math.inf, -math.inf, math.nan, 1e300, 3_000_000, 10**12, 0, -1, "1", None, True]),
                 st.floats(allow_nan=True, allow_infinity=True), st.integers(-10, 10**12))
WEIGHTS = st.one_of(st.floats(min_value=0.001, max_value=1e6), st.integers(1, 1000), WILD)
TTL_DAYS = st.one_of(st.integers(1, 3650), WILD)
APPROVERS = st.lists(st.one_of(st.sampled_from(["U0BOB", "S0OPS", "W0X", "*", "u0bob", "U"]), st.text(max_size=6)),
                     max_size=3)
TEXT = st.text(min_size=1, max_size=12)
CHECKS = st.one_of(
    st.fixed_dictionaries({"kind": st.just("manual")}, optional={"how_to_verify": st.text(max_size=20)}),
    st.fixed_dictionaries({"kind": st.just("vault_health")}, optional={"timeout_s": WILD}),
    st.fixed_dictionaries({"kind": st.sampled_from(["pods_ready", "nope"]), "selector": st.text(max_size=10)}),
)


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """Plan-shaped data (unique ids, the required keys) whose values range from sensible to absurd."""
    phases, count = [], 0
    for p in range(draw(st.integers(1, 3))):
        tasks = []
        for _ in range(draw(st.integers(1, 3))):
            count += 1
            task = {"id": f"t{count}", "title": draw(TEXT), "weight": draw(WEIGHTS), "check": draw(CHECKS)}
            if draw(st.booleans()):
                task["attestation_ttl_days"] = draw(TTL_DAYS)
            if draw(st.booleans()):
                task["approval"] = {"approvers": draw(APPROVERS)}
            tasks.append(task)
        phases.append({"id": f"p{p}", "title": draw(TEXT), "tasks": tasks})
    return {"name": draw(TEXT), "phases": phases}


NESTED = st.recursive(st.none() | st.integers() | st.text(max_size=4),
                      lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
                      max_leaves=20)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = Store(tmp_path / "fuzz.db")
    yield store
    store.close()


def serves(plan: Plan, store: Store) -> None:
    """Measure and render as the bot would, with every manual task attested now."""
    for task in plan.tasks():
        if task.check.kind == "manual":
            attestations.attest(store, task.id, "U0ALICE", "", NOW)
    meter = ProgressMeter(plan=plan, checks=default_registry(), store=store, cluster=None, vault=None,
                          clock=lambda: NOW, zone=UTC, history_days=90, cache_s=0)
    view, risks = meter.measure_with_risks()
    assert math.isfinite(view.fraction) and all(math.isfinite(p.fraction) for p in view.phases)
    blocks = render_status(view) + render_tasks(view, view.phases, set(), None) + render_home(view, risks, [], [])
    for phase in view.phases:
        blocks += render_phase(view, phase)
    assert "nan%" not in json.dumps(blocks)


def load_or_refuse(text: str, store: Store) -> None:
    try:
        plan = parse_plan(text, default_registry(), default_actions())
    except PlanError as exc:
        assert exc.problems and all(p and "\n" not in p for p in exc.problems)
        return
    serves(plan, store)


@FUZZ
@given(data=plans())
def test_a_plan_of_any_values_is_refused_clearly_or_serves(data: dict[str, Any], store: Store) -> None:
    load_or_refuse(yaml.safe_dump(data, allow_unicode=True), store)


@FUZZ
@given(data=NESTED)
def test_any_yaml_shape_is_refused_clearly_or_serves(data: Any, store: Store) -> None:
    load_or_refuse(yaml.safe_dump(data, allow_unicode=True), store)


@FUZZ
@given(raw=st.binary(max_size=200))
def test_any_bytes_are_refused_clearly_or_serve(raw: bytes, tmp_path: Path, store: Store) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    try:
        plan = load_plan(path, default_registry(), default_actions())
    except PlanError as exc:
        assert exc.problems and all(p and "\n" not in p for p in exc.problems)
        return
    serves(plan, store)
