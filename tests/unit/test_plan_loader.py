"""Plan files: the bundled one loads; a bad one is refused whole with every problem and its path."""

from __future__ import annotations

import pytest

from bot.actions import default_registry as default_actions
from bot.checks import default_registry
from bot.plan.loader import PlanError, load_plan, parse_plan
from bot.settings import BUNDLED_PLAN


def test_bundled_plan_holds_the_seed_reports_phases_and_explicit_weights() -> None:
    plan = load_plan(BUNDLED_PLAN, default_registry(), default_actions())
    assert [p.title for p in plan.phases] == [
        "Infrastructure Stabilization", "Security Hardening", "High Availability", "Monitoring & Observability",
        "Backup & Disaster Recovery",
    ]
    assert all(task.weight > 0 for task in plan.tasks())
    assert len(plan.check_params) == len(plan.tasks())
    tls = plan.check_params["tls-certificates"]
    assert len(tls.certificates) == 9


def problems(text: str) -> list[str]:
    with pytest.raises(PlanError) as caught:
        parse_plan(text, default_registry())
    return caught.value.problems


def test_every_error_is_reported_with_its_path() -> None:
    found = problems("""
name: x
phases:
  - id: p1
    title: One
    tasks:
      - {id: a, title: A, weight: 1, check: {kind: vault_health}}
      - {id: b, title: B, weight: 1, check: {kind: vault_health}}
      - {id: c, title: C, weight: 1, check: {kind: vault_health}}
      - {id: d, title: D, weight: 0, check: {kind: pod_ready}}
      - {id: a, title: E, weight: 1, check: {kind: pods_ready, selectr: app=x}}
""")
    known = ", ".join(default_registry().names())
    assert found == [
        "phases[0].tasks[3].weight: Input should be greater than 0",
        f"phases[0].tasks[3].check.kind: unknown kind 'pod_ready'; known: {known}",
        "phases[0].tasks[4].check.selectr: Extra inputs are not permitted",
    ]


def test_duplicate_ids_are_refused() -> None:
    found = problems("""
name: x
phases:
  - id: p1
    title: One
    tasks:
      - {id: a, title: A, weight: 1, check: {kind: vault_health}}
      - {id: a, title: B, weight: 1, check: {kind: vault_health}}
""")
    assert found == ["phases[0].tasks[1].id: 'a' is already used at phases[0].tasks[0]; ids must be unique"]


@pytest.mark.parametrize(("text", "expected"), [
    ("name: [unclosed", "line 1, column 16: not valid YAML"),
    ("- just\n- a list\n", "expected a mapping with `name` and `phases` at the top"),
    ("name: x\nphases: []\n", "phases: List should have at least 1 item, not 0"),
])
def test_shapes_that_are_not_plans(text: str, expected: str) -> None:
    assert any(expected in p for p in problems(text)), problems(text)


def test_malformed_selector_and_certificate_refs_are_caught_at_load() -> None:
    found = problems("""
name: x
phases:
  - id: p1
    title: One
    tasks:
      - {id: a, title: A, weight: 1, check: {kind: pods_ready, selector: "app in (x"}}
      - {id: b, title: B, weight: 1, check: {kind: certificates_ready, certificates: [just-a-name]}}
""")
    assert found[0].startswith("phases[0].tasks[0].check.selector: cannot read 'app in (x'")
    assert found[1] == "phases[0].tasks[1].check.certificates: just-a-name: expected namespace/name"
