"""Plan files: the bundled one loads; a bad one is refused whole with every problem and its path."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.actions import default_registry as default_actions
from bot.checks import default_registry
from bot.plan.loader import MAX_DEPTH, PlanError, load_plan, parse_plan
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
        "phases[0].tasks[3].weight: must be a finite number > 0 and at most 1000000",
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


def one_task(fields: str) -> str:
    return ("name: x\nphases:\n  - id: p1\n    title: One\n    tasks:\n"
            "      - {id: a, title: A, weight: 1, check: {kind: manual, how_to_verify: ask}}\n"
            f"      - {{id: b, title: B, check: {{kind: manual, how_to_verify: ask}}, {fields}}}\n")


FINITE = "must be a finite number > 0 and at most 1000000"
SLACK_IDS = "must be a Slack user ID (U…, W…) or user group ID (S…) in capitals, like U012ABCDEF; `*` is not allowed here"


@pytest.mark.parametrize(("fields", "expected"), [
    ("weight: .inf", f"phases[0].tasks[1].weight: {FINITE}"),
    ("weight: .nan", f"phases[0].tasks[1].weight: {FINITE}"),
    ("weight: 1.0e+300", f"phases[0].tasks[1].weight: {FINITE}"),
    ("weight: 0", f"phases[0].tasks[1].weight: {FINITE}"),
    ("weight: 1, attestation_ttl_days: 3000000",
     "phases[0].tasks[1].attestation_ttl_days: Input should be less than or equal to 3650"),
    ("weight: 1, approval: {approvers: ['*']}", f"phases[0].tasks[1].approval.approvers[0]: {SLACK_IDS}"),
    ("weight: 1, approval: {approvers: [U0BOB, u0bob]}", f"phases[0].tasks[1].approval.approvers[1]: {SLACK_IDS}"),
])
def test_values_that_would_break_serving_are_refused_at_load_with_their_path(fields: str, expected: str) -> None:
    assert problems(one_task(fields)) == [expected]


def test_a_file_that_is_not_utf8_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(PlanError) as caught:
        load_plan(path, default_registry())
    assert caught.value.problems == ["not UTF-8 text (byte 0xe9 at offset 9)"]


@pytest.mark.parametrize("text", [
    "name: " + "[" * 5000 + "]" * 5000,
    one_task("weight: 1").replace("how_to_verify: ask}}\n", "how_to_verify: ask}}\n", 1).replace(
        "how_to_verify: ask}, weight", "how_to_verify: " + "[" * 200 + "]" * 200 + "}, weight"),
])
def test_a_deeply_nested_file_is_one_clear_error(text: str) -> None:
    assert problems(text) == [f"nested deeper than {MAX_DEPTH} levels; a plan needs far fewer"]


def test_an_odd_key_is_quoted_so_the_error_stays_one_line() -> None:
    """Found by the fuzz test: a YAML key of a newline broke the one-line error."""
    from bot.plan.loader import format_loc

    assert format_loc(["phases", 0, "\n"]) == "phases[0].'\\n'"
    assert format_loc(["phases", 1, "tasks", 0, "weight"]) == "phases[1].tasks[0].weight"
